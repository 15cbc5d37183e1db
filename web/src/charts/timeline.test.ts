import { describe, expect, it } from "vitest";
import type { Timeline } from "../types";
import { expectedAhead, goalPoints, lastSessionNumber, scorePoints, sessionMarks, suddenArrows } from "./timeline";

const timeline: Timeline = {
  episode: 7,
  client: 3,
  status: "open",
  instrument: { id: "phq9", name: "PHQ-9", min: 0, max: 27, cutoff: 10, reliable_change: 6, lower_is_better: true },
  sessions: [
    { id: 11, number: 1, date: "2026-01-05", attendance: "attended", felt_hard_client: false, felt_hard_therapist: false },
    { id: 12, number: 2, date: "2026-01-12", attendance: "attended", felt_hard_client: false, felt_hard_therapist: true },
    { id: 13, number: 3, date: "2026-01-19", attendance: "dna", felt_hard_client: false, felt_hard_therapist: false },
    { id: 14, number: 4, date: "2026-01-26", attendance: "attended", felt_hard_client: true, felt_hard_therapist: false },
  ],
  scores: [
    { session: 4, date: "2026-01-26", total: 8, band: "mild", answered_by: "client", crisis: false },
    { session: 1, date: "2026-01-05", total: 18, band: "moderately severe", answered_by: "client", crisis: true },
    { session: 2, date: "2026-01-12", total: 17, band: "moderately severe", answered_by: "client", crisis: false },
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
  ],
  alliance: [{ session: 1, value: 8 }],
  moments: [{ session: 2, tag: "laughed", by: "therapist", text: "A first laugh." }],
  sudden_changes: [{ kind: "gain", pregain_session: 2, postgain_session: 4, magnitude: 9, reversal: false }],
  reliable_change_band: { intake: 18, lower: 12, upper: 24 },
  expected: null,
};

describe("scorePoints", () => {
  it("orders by session and explains each score against the cut-off", () => {
    const points = scorePoints(timeline);
    expect(points.map((p) => p.session)).toEqual([1, 2, 4]);
    expect(points[0].note).toBe("Session 1 (2026-01-05): PHQ9 18, moderately severe; in the clinical range; a safety answer was given");
    expect(points[2].note).toBe("Session 4 (2026-01-26): PHQ9 8, mild; below the clinical cut-off");
  });
});

describe("suddenArrows", () => {
  it("joins the pre-gain and post-gain scores", () => {
    expect(suddenArrows(timeline)).toEqual([
      { kind: "gain", from: 2, to: 4, fromScore: 17, toScore: 8, note: "Sudden gain between sessions 2 and 4: 9 points" },
    ]);
  });
  it("skips a change whose scores are not charted", () => {
    expect(suddenArrows({ ...timeline, sudden_changes: [{ kind: "loss", pregain_session: 5, postgain_session: 6, magnitude: 7, reversal: true }] })).toEqual([]);
  });
});

describe("goalPoints", () => {
  it("names GAS levels in the client's own words", () => {
    const points = goalPoints(timeline.goals[0]);
    expect(points.map((p) => [p.session, p.rater])).toEqual([
      [1, "client"],
      [2, "client"],
      [2, "therapist"],
    ]);
    expect(points[0].note).toBe("Session 1, Client: -2 (“none”)");
    expect(points[1].note).toBe("Session 2, Client: +1 (“more”)");
  });
});

describe("sessionMarks", () => {
  it("shows the client only their own felt-hard marks", () => {
    const kinds = sessionMarks(timeline, "client").map((m) => `${m.session}:${m.kind}`);
    expect(kinds).toEqual(["2:moment", "3:missed", "4:felt-hard"]);
  });
  it("shows the therapist both sides", () => {
    const kinds = sessionMarks(timeline, "therapist").map((m) => `${m.session}:${m.kind}`);
    expect(kinds).toEqual(["2:felt-hard", "2:moment", "3:missed", "4:felt-hard"]);
  });
});

describe("the expected band", () => {
  it("reaches three sessions past the last one seen, not the reference's whole length", () => {
    const expected = Array.from({ length: 20 }, (_, i) => ({ session: i + 1, p10: 1, p25: 2, p50: 3, p75: 4, p90: 5 }));
    const withBand = { ...timeline, expected };
    expect(expectedAhead(withBand).map((e) => e.session)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lastSessionNumber(withBand)).toBe(7);
    expect(lastSessionNumber(timeline)).toBe(4);
  });
});
