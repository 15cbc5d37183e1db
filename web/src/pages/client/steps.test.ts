import { describe, expect, it } from "vitest";
import type { CheckIn } from "../../types";
import { anyDone, buildSteps, isDone, resumeAt, stepLabel, type Progress } from "./steps";

const checkIn: Pick<CheckIn, "goals" | "questionnaire" | "answered"> = {
  goals: [
    { key: "sleep", text: "Sleep", scale: "gbo" },
    { key: "shop", text: "Shop", scale: "gas", gas_levels: ["a", "b", "c", "d", "e"] },
  ],
  questionnaire: { instrument: "phq9", name: "PHQ-9", preamble: "Over the last 2 weeks", options: [], items: [] },
  answered: { goals: {}, alliance: null, felt_hard: false, moments: 0, questionnaire: false },
};

const nothing: Progress = { goals: {}, questionnaire: "due", moments: 0, alliance: null, feltHard: false };

describe("buildSteps", () => {
  it("has each goal, the questionnaire, a moment, the feeling and the thank-you", () => {
    expect(buildSteps(checkIn).map((s) => s.kind)).toEqual(["goal", "goal", "questionnaire", "moment", "feel", "thanks"]);
    expect(stepLabel(1, 6)).toBe("Step 2 of 6");
  });
  it("keeps the questionnaire step when it was answered today, drops it when none is due", () => {
    const answered = { ...checkIn, questionnaire: null, answered: { ...checkIn.answered, questionnaire: true } };
    expect(buildSteps(answered).map((s) => s.kind)).toContain("questionnaire");
    const none = { ...checkIn, questionnaire: null, goals: [] };
    expect(buildSteps(none).map((s) => s.kind)).toEqual(["moment", "feel", "thanks"]);
  });
});

describe("resumeAt", () => {
  const steps = buildSteps(checkIn);
  it("starts at the first step when nothing is answered", () => {
    expect(anyDone(steps, nothing)).toBe(false);
    expect(resumeAt(steps, nothing)).toBe(0);
  });
  it("goes to the first unanswered part, passing over the optional moment", () => {
    const some: Progress = { ...nothing, goals: { sleep: 6, shop: 0 } };
    expect(resumeAt(steps, some)).toBe(2);
    const more: Progress = { ...some, questionnaire: "waiting" };
    expect(isDone(steps[2], more)).toBe(true);
    expect(resumeAt(steps, more)).toBe(4);
  });
  it("goes to the thank-you when everything is answered", () => {
    const all: Progress = { goals: { sleep: 6, shop: 0 }, questionnaire: "sent", moments: 0, alliance: 8, feltHard: false };
    expect(resumeAt(steps, all)).toBe(5);
  });
});
