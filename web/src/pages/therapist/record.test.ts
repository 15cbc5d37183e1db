import { describe, expect, it } from "vitest";
import type { Episode, Timeline } from "../../types";
import { evidenceRows, formatValue, ruleText, sessionSpan } from "./evidence";
import { defaultEpisode, episodeLabel, joinLink, localDate, nextSessionNumber, sessionOn } from "./record";
import { allianceRows, goalRows, scoreRows } from "./tables";

function episode(id: number, opened: string, status: "open" | "closed", close_reason: string | null = null): Episode {
  return { id, client: 1, therapist: 3, instrument: "phq9", opened, closed: status === "closed" ? "2026-09-03" : null, close_reason, status };
}

describe("episodes and sessions", () => {
  it("shows the open episode, else the latest", () => {
    expect(defaultEpisode([episode(1, "2026-01-01", "closed"), episode(2, "2026-05-01", "open")])?.id).toBe(2);
    expect(defaultEpisode([episode(1, "2026-05-01", "closed"), episode(3, "2026-01-01", "closed")])?.id).toBe(1);
    expect(defaultEpisode([])).toBeNull();
  });
  it("labels an episode kindly", () => {
    expect(episodeLabel(episode(2, "2026-05-21", "open"))).toBe("Opened 21 May 2026, open (PHQ9)");
    // ICU spells September "Sep" or "Sept" depending on its version.
    expect(episodeLabel(episode(1, "2026-05-21", "closed", "completed"))).toMatch(
      /^21 May 2026 to 3 Sept? 2026, closed: We finished the work together \(PHQ9\)$/,
    );
  });
  it("numbers the next session after the highest", () => {
    expect(nextSessionNumber([])).toBe(1);
    expect(nextSessionNumber([{ number: 1 }, { number: 4 }, { number: 2 }])).toBe(5);
  });
  it("uses the local date and finds today's session", () => {
    expect(localDate(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
    const sessions = [
      { number: 1, date: "2026-11-20" },
      { number: 2, date: "2026-11-26" },
    ];
    expect(sessionOn(sessions, "2026-11-26")?.number).toBe(2);
    expect(sessionOn(sessions, "2026-11-27")).toBeNull();
  });
  it("puts the token in the link's fragment", () => {
    expect(joinLink("https://tandem.example.org", "abc_-1")).toBe("https://tandem.example.org/join#abc_-1");
  });
});

describe("evidence", () => {
  const evidence = {
    rule: "pattern.steady",
    first_session: 4,
    last_session: 7,
    values: { slope: -0.3333333333333333, window: 4.0, sudden_change_kind: null, odd_thing: 0.8999999999999999, reversal: 0, last_is_case: 1 },
  };
  it("names the rule in words, or from its parts when it is new", () => {
    expect(ruleText("pattern.steady")).toBe("Pattern: steady (no reliable change, slope band includes zero)");
    expect(ruleText("goal.something-new")).toBe("Goal: something new");
  });
  it("names and rounds the numbers", () => {
    expect(evidenceRows(evidence)).toEqual([
      { key: "slope", name: "Trend per session (Theil–Sen)", value: "-0.33" },
      { key: "window", name: "Sessions looked at", value: "4" },
      { key: "sudden_change_kind", name: "Sudden change", value: "–" },
      { key: "odd_thing", name: "Odd thing", value: "0.9" },
      { key: "reversal", name: "Later reversed", value: "No" },
      { key: "last_is_case", name: "Latest score in the clinical range", value: "Yes" },
    ]);
    expect(formatValue("gain")).toBe("gain");
  });
  it("says which sessions it looked at", () => {
    expect(sessionSpan(evidence)).toBe("Sessions 4 to 7");
    expect(sessionSpan({ ...evidence, first_session: 3, last_session: 3 })).toBe("Session 3");
    expect(sessionSpan({ ...evidence, first_session: 0, last_session: 0 })).toBe("No sessions yet");
  });
});

const timeline: Timeline = {
  episode: 7,
  client: 3,
  status: "open",
  instrument: { id: "phq9", name: "PHQ-9", min: 0, max: 27, cutoff: 10, reliable_change: 6, lower_is_better: true },
  sessions: [
    { id: 11, number: 1, date: "2026-01-05", attendance: "attended", felt_hard_client: false, felt_hard_therapist: false },
    { id: 12, number: 2, date: "2026-01-12", attendance: "attended", felt_hard_client: true, felt_hard_therapist: true },
    { id: 13, number: 3, date: "2026-01-19", attendance: "dna", felt_hard_client: false, felt_hard_therapist: false },
  ],
  scores: [
    { session: 2, date: "2026-01-12", total: 9, band: "mild", answered_by: "therapist", crisis: false },
    { session: 1, date: "2026-01-05", total: 18, band: "moderately severe", answered_by: "client", crisis: true },
  ],
  goals: [
    {
      key: "friends",
      text: "See friends",
      scale: "gas",
      gas_levels: ["none", "some", "expected", "more", "most"],
      ratings: [
        { session: 2, rater: "therapist", value: 0 },
        { session: 1, rater: "client", value: -2 },
        { session: 2, rater: "client", value: 1 },
      ],
    },
    { key: "sleep", text: "Sleep", scale: "gbo", gas_levels: [], ratings: [{ session: 1, rater: "therapist", value: 4 }] },
  ],
  alliance: [
    { session: 2, value: 5 },
    { session: 1, value: 8 },
  ],
  moments: [{ session: 2, tag: "laughed", by: "therapist", text: "A first laugh." }],
  sudden_changes: [{ kind: "gain", pregain_session: 1, postgain_session: 2, magnitude: 9, reversal: false }],
  reliable_change_band: { intake: 18, lower: 12, upper: 24 },
  expected: null,
};

describe("chart tables", () => {
  it("lists every session with its score and marks", () => {
    expect(scoreRows(timeline)).toEqual([
      { session: 1, date: "2026-01-05", attendance: "Came", score: "PHQ9 18 (moderately severe)", notes: ["Safety answer given"] },
      {
        session: 2,
        date: "2026-01-12",
        attendance: "Came",
        score: "PHQ9 9 (mild)",
        notes: [
          "Answered with the therapist",
          "Sudden gain of 9 points since session 1",
          "Felt hard for the client",
          "Felt hard for the therapist",
          "Moment (therapist): A first laugh.",
        ],
      },
      { session: 3, date: "2026-01-19", attendance: "Did not come", score: "", notes: [] },
    ]);
  });
  it("puts both sides of a goal beside each other, GAS levels in words", () => {
    expect(goalRows(timeline.goals[0])).toEqual([
      { session: 1, client: "−2: none", therapist: "" },
      { session: 2, client: "+1: more", therapist: "0: expected" },
    ]);
    expect(goalRows(timeline.goals[1])).toEqual([{ session: 1, client: "", therapist: "4 of 10" }]);
  });
  it("notes alliance ratings worth talking about", () => {
    expect(allianceRows(timeline)).toEqual([
      { session: 1, value: "8 of 10", note: "" },
      { session: 2, value: "5 of 10", note: "Low, and a drop: worth talking about" },
    ]);
  });
});
