// The text alternative of each chart on the client page: the same facts as rows of a table,
// session by session.
import type { Timeline, TimelineGoal } from "../../types";
import { attendanceLabels, label } from "../../texts";
import { signedLevel } from "./words";

export interface ScoreRow {
  session: number;
  date: string;
  attendance: string;
  score: string;
  notes: string[];
}

// Every session and every scored session, with what the chart marks at it.
export function scoreRows(timeline: Timeline): ScoreRow[] {
  const numbers = new Set<number>([...timeline.sessions.map((s) => s.number), ...timeline.scores.map((s) => s.session)]);
  const id = timeline.instrument.id.toUpperCase();
  return [...numbers]
    .sort((a, b) => a - b)
    .map((number) => {
      const session = timeline.sessions.find((s) => s.number === number);
      const score = timeline.scores.find((s) => s.session === number);
      const notes: string[] = [];
      if (score?.crisis) notes.push("Safety answer given");
      if (score && score.answered_by === "therapist") notes.push("Answered with the therapist");
      for (const change of timeline.sudden_changes) {
        if (change.postgain_session !== number) continue;
        const word = change.kind === "gain" ? "Sudden gain" : "Sudden setback";
        notes.push(`${word} of ${change.magnitude} points since session ${change.pregain_session}${change.reversal ? ", later partly reversed" : ""}`);
      }
      if (session?.felt_hard_client) notes.push("Felt hard for the client");
      if (session?.felt_hard_therapist) notes.push("Felt hard for the therapist");
      for (const moment of timeline.moments.filter((m) => m.session === number)) {
        notes.push(`Moment (${moment.by}): ${moment.text ? moment.text : moment.tag}`);
      }
      return {
        session: number,
        date: session?.date ?? score?.date ?? "",
        attendance: session ? label(attendanceLabels, session.attendance) : "",
        score: score ? `${id} ${score.total} (${score.band})` : "",
        notes,
      };
    });
}

export interface GoalRow {
  session: number;
  client: string;
  therapist: string;
}

function goalValue(goal: TimelineGoal, value: number | undefined): string {
  if (value === undefined) return "";
  if (goal.scale !== "gas") return `${value} of 10`;
  const words = goal.gas_levels[value + 2];
  return words ? `${signedLevel(value)}: ${words}` : signedLevel(value);
}

// Each session where either side rated the goal, both sides beside each other.
export function goalRows(goal: TimelineGoal): GoalRow[] {
  const sessions = [...new Set(goal.ratings.map((r) => r.session))].sort((a, b) => a - b);
  return sessions.map((session) => {
    const last = (rater: string) => goal.ratings.filter((r) => r.session === session && r.rater === rater).pop()?.value;
    return { session, client: goalValue(goal, last("client")), therapist: goalValue(goal, last("therapist")) };
  });
}

export function allianceRows(timeline: Timeline): { session: number; value: string; note: string }[] {
  return [...timeline.alliance]
    .sort((a, b) => a.session - b.session)
    .map((a, i, all) => {
      const before = i > 0 ? all[i - 1].value : null;
      const low = a.value < 6;
      const drop = before !== null && before - a.value >= 2;
      const note = low && drop ? "Low, and a drop: worth talking about" : low ? "Under 6: worth talking about" : drop ? "A drop of 2 or more: worth talking about" : "";
      return { session: a.session, value: `${a.value} of 10`, note };
    });
}
