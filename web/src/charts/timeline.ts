// What the client page and "My journey" chart, as plain data and Plot options. The data
// functions are pure (tested in timeline.test.ts); the option builders only arrange marks.
import * as Plot from "@observablehq/plot";
import type { Rater, Timeline, TimelineGoal } from "../types";

export const colours = {
  client: "#1f5f8b",
  therapist: "#a2501c",
  score: "#1d2430",
  band: "#c9dcec",
  expected: "#e7e0f3",
  expectedMid: "#6b4fa0",
  cutoff: "#6b7685",
  crisis: "#a12626",
  gain: "#21643a",
  loss: "#a12626",
  moment: "#8a4b00",
};

export interface ScorePoint {
  session: number;
  date: string;
  total: number;
  band: string;
  crisis: boolean;
  note: string; // what a hover or a screen reader says about this point
}

// The questionnaire totals by session number, each with a sentence that explains it.
export function scorePoints(timeline: Timeline): ScorePoint[] {
  const { instrument } = timeline;
  return [...timeline.scores]
    .sort((a, b) => a.session - b.session)
    .map((s) => {
      const parts = [`Session ${s.session} (${s.date}): ${instrument.id.toUpperCase()} ${s.total}, ${s.band}`];
      if (instrument.cutoff !== null) {
        const above = instrument.lower_is_better ? s.total >= instrument.cutoff : s.total < instrument.cutoff;
        parts.push(above ? "in the clinical range" : "below the clinical cut-off");
      }
      if (s.crisis) parts.push("a safety answer was given");
      return { session: s.session, date: s.date, total: s.total, band: s.band, crisis: s.crisis, note: parts.join("; ") };
    });
}

export interface SuddenArrow {
  kind: "gain" | "loss";
  from: number;
  to: number;
  fromScore: number;
  toScore: number;
  note: string;
}

// Each sudden change as an arrow from the pre-gain session's score to the post-gain one's.
export function suddenArrows(timeline: Timeline): SuddenArrow[] {
  const scoreAt = new Map(timeline.scores.map((s) => [s.session, s.total]));
  const arrows: SuddenArrow[] = [];
  for (const change of timeline.sudden_changes) {
    const fromScore = scoreAt.get(change.pregain_session);
    const toScore = scoreAt.get(change.postgain_session);
    if (fromScore === undefined || toScore === undefined) continue;
    const word = change.kind === "gain" ? "Sudden gain" : "Sudden setback";
    const reversal = change.reversal ? "; later partly reversed" : "";
    arrows.push({
      kind: change.kind,
      from: change.pregain_session,
      to: change.postgain_session,
      fromScore,
      toScore,
      note: `${word} between sessions ${change.pregain_session} and ${change.postgain_session}: ${change.magnitude} points${reversal}`,
    });
  }
  return arrows;
}

export interface GoalPoint {
  session: number;
  value: number;
  rater: Rater;
  note: string;
}

// A goal's ratings, client and therapist, with the level's own words for GAS goals.
export function goalPoints(goal: TimelineGoal): GoalPoint[] {
  return [...goal.ratings]
    .sort((a, b) => a.session - b.session || a.rater.localeCompare(b.rater))
    .map((r) => {
      const who = r.rater === "client" ? "Client" : "Therapist";
      let words = `${r.value}`;
      if (goal.scale === "gas") {
        const level = goal.gas_levels[r.value + 2];
        words = `${r.value > 0 ? "+" : ""}${r.value}${level ? ` (“${level}”)` : ""}`;
      }
      return { session: r.session, value: r.value, rater: r.rater, note: `Session ${r.session}, ${who}: ${words}` };
    });
}

export interface SessionMark {
  session: number;
  kind: "missed" | "cancelled" | "felt-hard" | "moment";
  note: string;
}

// Sessions that did not happen, sessions that felt hard, and moments that mattered.
export function sessionMarks(timeline: Timeline, audience: "client" | "therapist"): SessionMark[] {
  const marks: SessionMark[] = [];
  for (const s of timeline.sessions) {
    if (s.attendance === "dna") marks.push({ session: s.number, kind: "missed", note: `Session ${s.number}: did not happen (not attended)` });
    if (s.attendance === "cancelled") marks.push({ session: s.number, kind: "cancelled", note: `Session ${s.number}: cancelled` });
    const hard = audience === "client" ? s.felt_hard_client : s.felt_hard_client || s.felt_hard_therapist;
    if (hard) {
      const who = [s.felt_hard_client ? "client" : "", audience === "therapist" && s.felt_hard_therapist ? "therapist" : ""].filter(Boolean).join(" and ");
      marks.push({ session: s.number, kind: "felt-hard", note: `Session ${s.number} felt hard (${who})` });
    }
  }
  for (const m of timeline.moments) {
    marks.push({ session: m.session, kind: "moment", note: `Session ${m.session}, a moment that mattered (${m.by}): ${m.text ? m.text : m.tag}` });
  }
  return marks.sort((a, b) => a.session - b.session);
}

// How far ahead of the last session the expected band is drawn: enough to see where the
// path usually goes next, not the whole reference's length.
const expectedLookahead = 3;

function lastObserved(timeline: Timeline): number {
  const numbers = [...timeline.sessions.map((s) => s.number), ...timeline.scores.map((s) => s.session)];
  return numbers.length ? Math.max(...numbers) : 1;
}

// The expected band's sessions up to a few past the last one seen.
export function expectedAhead(timeline: Timeline) {
  const until = lastObserved(timeline) + expectedLookahead;
  return (timeline.expected ?? []).filter((e) => e.session <= until);
}

function sessionDomain(timeline: Timeline): [number, number] {
  const numbers = [lastObserved(timeline), ...expectedAhead(timeline).map((e) => e.session)];
  return [1, Math.max(...numbers, 2)];
}

// The symptom chart: scores by session, the clinical cut-off, the reliable-change band
// around the intake score, the expected band when there is one, sudden changes as arrows,
// safety answers in red, and the session marks along the foot.
export function scoreChart(timeline: Timeline, audience: "client" | "therapist", width = 640): Plot.PlotOptions {
  const { instrument } = timeline;
  const points = scorePoints(timeline);
  const arrows = suddenArrows(timeline);
  const marks = sessionMarks(timeline, audience);
  const [first, last] = sessionDomain(timeline);
  const band = timeline.reliable_change_band;
  const expected = expectedAhead(timeline).filter((e) => e.p25 !== null && e.p75 !== null);
  const low = instrument.min;
  const high = instrument.max;
  return {
    width,
    height: width < 480 ? 260 : 320,
    marginLeft: 44,
    marginBottom: 40,
    x: { domain: [first - 0.5, last + 0.5], label: "Session", ticks: Math.min(last, 12), tickFormat: "d" },
    y: {
      domain: [low, high],
      label: `${instrument.id.toUpperCase()} total${instrument.lower_is_better ? " (lower is better)" : " (higher is better)"}`,
      grid: true,
    },
    marks: [
      band
        ? Plot.rectY([band], { x1: first - 0.5, x2: last + 0.5, y1: "lower", y2: "upper", fill: colours.band, fillOpacity: 0.55, title: () => `Within this band the change from the first score (${band.intake}) is not yet reliable` })
        : null,
      expected.length
        ? Plot.areaY(expected, { x: "session", y1: "p25", y2: "p75", fill: colours.expected, fillOpacity: 0.8, curve: "monotone-x" })
        : null,
      expected.length ? Plot.lineY(expected.filter((e) => e.p50 !== null), { x: "session", y: "p50", stroke: colours.expectedMid, strokeDasharray: "4 3" }) : null,
      instrument.cutoff !== null
        ? Plot.ruleY([instrument.cutoff], { stroke: colours.cutoff, strokeDasharray: "6 4", title: () => `Clinical cut-off: ${instrument.cutoff}` })
        : null,
      Plot.lineY(points, { x: "session", y: "total", stroke: colours.score, strokeWidth: 2 }),
      Plot.dot(points, {
        x: "session",
        y: "total",
        r: (d: { crisis: boolean }) => (d.crisis ? 6 : 4),
        fill: (d: { crisis: boolean }) => (d.crisis ? colours.crisis : colours.score),
        stroke: "white",
        title: "note",
      }),
      arrows.length
        ? Plot.arrow(arrows, {
            x1: "from",
            y1: "fromScore",
            x2: "to",
            y2: "toScore",
            stroke: (d: SuddenArrow) => (d.kind === "gain" ? colours.gain : colours.loss),
            strokeWidth: 2.5,
            inset: 6,
            title: "note",
          })
        : null,
      marks.length
        ? Plot.dot(marks, {
            x: "session",
            y: low,
            dy: 14,
            symbol: (d: SessionMark) => (d.kind === "moment" ? "star" : d.kind === "felt-hard" ? "triangle" : "times"),
            fill: (d: SessionMark) => (d.kind === "moment" ? colours.moment : d.kind === "felt-hard" ? colours.therapist : "none"),
            stroke: (d: SessionMark) => (d.kind === "missed" || d.kind === "cancelled" ? colours.cutoff : "none"),
            r: 5,
            title: "note",
            clip: false,
          })
        : null,
    ],
  };
}

// A goal's chart: client and therapist ratings over sessions on the goal's own scale.
export function goalChart(goal: TimelineGoal, lastSession: number, width = 640): Plot.PlotOptions {
  const points = goalPoints(goal);
  const gas = goal.scale === "gas";
  return {
    width,
    height: 200,
    marginLeft: 44,
    x: { domain: [0.5, Math.max(lastSession, 2) + 0.5], label: "Session", ticks: Math.min(lastSession, 12), tickFormat: "d" },
    y: { domain: gas ? [-2, 2] : [0, 10], label: gas ? "Level (−2 to +2)" : "Rating (0 to 10)", grid: true, ticks: gas ? 5 : 6 },
    color: { domain: ["client", "therapist"], range: [colours.client, colours.therapist] },
    marks: [
      gas ? Plot.ruleY([0], { stroke: colours.cutoff, strokeDasharray: "6 4", title: () => "0: the expected level" }) : null,
      Plot.lineY(points.filter((p) => p.rater === "client"), { x: "session", y: "value", stroke: colours.client, strokeWidth: 2 }),
      Plot.lineY(points.filter((p) => p.rater === "therapist"), { x: "session", y: "value", stroke: colours.therapist, strokeWidth: 2, strokeDasharray: "5 3" }),
      Plot.dot(points, { x: "session", y: "value", fill: "rater", r: 3.5, title: "note" }),
    ],
  };
}

// The client's rating of how sessions felt, with the rupture line at 6.
export function allianceChart(timeline: Timeline, width = 640): Plot.PlotOptions {
  const points = timeline.alliance.map((a) => ({ ...a, note: `Session ${a.session}: ${a.value} of 10` }));
  const [, last] = sessionDomain(timeline);
  return {
    width,
    height: 160,
    marginLeft: 44,
    x: { domain: [0.5, last + 0.5], label: "Session", ticks: Math.min(last, 12), tickFormat: "d" },
    y: { domain: [0, 10], label: "How sessions felt (0 to 10)", grid: true, ticks: 5 },
    marks: [
      Plot.ruleY([6], { stroke: colours.cutoff, strokeDasharray: "6 4", title: () => "Below 6, or a drop of 2, is worth talking about" }),
      Plot.lineY(points, { x: "session", y: "value", stroke: colours.client, strokeWidth: 2 }),
      Plot.dot(points, { x: "session", y: "value", fill: colours.client, r: 3.5, title: "note" }),
    ],
  };
}

export function lastSessionNumber(timeline: Timeline): number {
  return sessionDomain(timeline)[1];
}
