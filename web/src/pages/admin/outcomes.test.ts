import { describe, expect, it } from "vitest";
import type { OutcomeSummary } from "../../types";
import { chartBars, countRows, measureExplanation, measureKeys, measureRows, monthLabel, monthPoints, rateText, shortName, twoLines } from "./outcomes";

// The demo practice's paired figures.
const summary: OutcomeSummary = {
  episodes: 8,
  finished_treatment: 8,
  finished_at_caseness: 8,
  finished_not_at_caseness: 0,
  missing_paired_scores: 0,
  recovery: { numerator: 6, denominator: 8, rate: 0.75 },
  reliable_deterioration: { numerator: 1, denominator: 8, rate: 0.125 },
  reliable_improvement: { numerator: 6, denominator: 8, rate: 0.75 },
  reliable_recovery: { numerator: 6, denominator: 8, rate: 0.75 },
};

const empty: OutcomeSummary = {
  ...summary,
  recovery: { numerator: 0, denominator: 0, rate: null },
  reliable_recovery: { numerator: 0, denominator: 0, rate: null },
};

describe("rateText", () => {
  it("gives numerator, denominator and a rounded percentage", () => {
    expect(rateText({ numerator: 6, denominator: 8, rate: 0.75 })).toBe("6 of 8 (75%)");
    expect(rateText({ numerator: 1, denominator: 8, rate: 0.125 })).toBe("1 of 8 (12.5%)");
    expect(rateText({ numerator: 1, denominator: 3, rate: 1 / 3 })).toBe("1 of 3 (33.3%)");
  });

  it("says nobody was counted rather than 0% when the denominator is empty", () => {
    expect(rateText({ numerator: 0, denominator: 0, rate: null })).toBe("none counted yet");
  });
});

describe("measureRows and chartBars", () => {
  it("lists the four rates in a fixed order", () => {
    expect(measureRows(summary).map((r) => [r.name, r.percent])).toEqual([
      ["Reliable improvement", 75],
      ["Reliable deterioration", 12.5],
      ["Recovery", 75],
      ["Reliable recovery", 75],
    ]);
  });

  it("draws no bar for a rate nobody was counted in, and marks deterioration apart", () => {
    const bars = chartBars(empty);
    expect(bars.map((b) => b.measure)).toEqual(["Reliable improvement", "Reliable deterioration"]);
    expect(bars[0]).toEqual({ measure: "Reliable improvement", percent: 75, label: "75% (6 of 8)", kind: "other", inside: true });
    expect(bars[1]).toMatchObject({ kind: "deterioration", inside: false });
  });

  it("gives the counts behind the rates", () => {
    expect(countRows(summary).map((r) => r.value)).toEqual([8, 8, 8, 0, 0]);
  });
});

describe("measureExplanation", () => {
  it("has one sentence for every measure, paired or single", () => {
    for (const key of measureKeys) {
      for (const paired of [true, false]) {
        const text = measureExplanation(key, paired);
        expect(text.endsWith(".")).toBe(true);
        expect(text.split(". ").length).toBe(1);
      }
    }
  });

  it("names the PHQ-9 and GAD-7 numbers only for the paired rules", () => {
    expect(measureExplanation("reliable_improvement", true)).toContain("6 points on the PHQ-9, 4 on the GAD-7");
    expect(measureExplanation("recovery", true)).toContain("PHQ-9 10 or more, GAD-7 8 or more");
    expect(measureExplanation("recovery", false)).not.toContain("PHQ-9");
  });
});

describe("names", () => {
  it("shortens an instrument's name to its abbreviation", () => {
    expect(shortName("phq9", "Patient Health Questionnaire-9 (PHQ-9)")).toBe("PHQ-9");
    expect(shortName("core10")).toBe("CORE10");
    expect(shortName("x", "No brackets")).toBe("X");
  });

  it("splits a measure's name over two lines for a phone", () => {
    expect(twoLines("Reliable improvement")).toBe("Reliable\nimprovement");
    expect(twoLines("Recovery")).toBe("Recovery");
  });

  it("writes a month plainly", () => {
    expect(monthLabel("2026-11")).toBe("Nov 2026");
    expect(monthLabel("2026-01")).toBe("Jan 2026");
    expect(monthLabel("2026-13")).toBe("2026-13");
    expect(monthLabel("soon")).toBe("soon");
  });
});

describe("monthPoints", () => {
  const rate = (numerator: number, denominator: number) => ({ numerator, denominator, rate: denominator ? numerator / denominator : null });
  const summary = (improved: number, recovered: number, worse: number, of: number) => ({
    episodes: of,
    finished_treatment: of,
    finished_at_caseness: of,
    finished_not_at_caseness: 0,
    missing_paired_scores: 0,
    recovery: rate(recovered, of),
    reliable_improvement: rate(improved, of),
    reliable_deterioration: rate(worse, of),
    reliable_recovery: rate(recovered, of),
  });
  it("gives each month's rates as percentages, leaving out rates nobody counted in", () => {
    const points = monthPoints([
      { month: "2026-09", summary: summary(3, 2, 1, 4) },
      { month: "2026-10", summary: summary(0, 0, 0, 0) },
    ]);
    expect(points.map((p) => [p.month, p.measure, p.percent])).toEqual([
      ["Sep 2026", "Reliable improvement", 75],
      ["Sep 2026", "Recovery", 50],
      ["Sep 2026", "Reliable deterioration", 25],
    ]);
    expect(points[0].note).toBe("Sep 2026, Reliable improvement: 3 of 4 (75%)");
  });
});
