// The service outcome figures in words and as chart rows: each NHS Talking Therapies rate
// (docs/methods/scoring_and_service_rules.md §4) with one plain sentence on what it counts.
// The data functions are pure (tested in outcomes.test.ts); outcomeChart only arranges marks.
import * as Plot from "@observablehq/plot";
import type { OutcomeSummary, Rate } from "../../types";

export type MeasureKey = "reliable_improvement" | "reliable_deterioration" | "recovery" | "reliable_recovery";

export const measureKeys: MeasureKey[] = ["reliable_improvement", "reliable_deterioration", "recovery", "reliable_recovery"];

export const measureNames: Record<MeasureKey, string> = {
  reliable_improvement: "Reliable improvement",
  reliable_deterioration: "Reliable deterioration",
  recovery: "Recovery",
  reliable_recovery: "Reliable recovery",
};

// One sentence each. Paired: PHQ-9 and GAD-7 together, with their cut-offs (10 and 8) and
// reliable-change amounts (6 and 4) from the shipped instrument files. Single: one
// questionnaire standing for both, with its own numbers.
export function measureExplanation(key: MeasureKey, paired: boolean): string {
  const threshold = paired ? "the reliable amount (6 points on the PHQ-9, 4 on the GAD-7)" : "its reliable-change amount";
  const cutoff = paired ? "the clinical cut-off on either questionnaire (PHQ-9 10 or more, GAD-7 8 or more)" : "its clinical cut-off";
  switch (key) {
    case "reliable_improvement":
      return paired
        ? `Of everyone who finished treatment, the share whose score fell by at least ${threshold} on at least one questionnaire, with no reliable rise on the other.`
        : `Of everyone who finished treatment, the share whose score fell by at least ${threshold}.`;
    case "reliable_deterioration":
      return paired
        ? `Of everyone who finished treatment, the share whose score rose by at least ${threshold} on at least one questionnaire, with no reliable fall on the other: people to think about together, not a verdict on anyone.`
        : `Of everyone who finished treatment, the share whose score rose by at least ${threshold}: people to think about together, not a verdict on anyone.`;
    case "recovery":
      return paired
        ? `Of those who started at or above ${cutoff}, the share who ended below both cut-offs.`
        : `Of those who started at or above ${cutoff}, the share who ended below it.`;
    case "reliable_recovery":
      return "Of those who started at or above a cut-off, the share who both recovered and reliably improved.";
  }
}

// "6 of 8 (75%)"; "none counted yet" when nobody is in the denominator.
export function rateText(rate: Rate): string {
  if (rate.denominator === 0 || rate.rate === null) return "none counted yet";
  return `${rate.numerator} of ${rate.denominator} (${percentOf(rate)}%)`;
}

export function percentOf(rate: Rate): number | null {
  if (rate.denominator === 0 || rate.rate === null) return null;
  return Math.round(rate.rate * 1000) / 10;
}

export interface MeasureRow {
  key: MeasureKey;
  name: string;
  numerator: number;
  denominator: number;
  percent: number | null;
  text: string;
}

export function measureRows(summary: OutcomeSummary): MeasureRow[] {
  return measureKeys.map((key) => {
    const rate = summary[key];
    return {
      key,
      name: measureNames[key],
      numerator: rate.numerator,
      denominator: rate.denominator,
      percent: percentOf(rate),
      text: rateText(rate),
    };
  });
}

// The counts behind the rates, each with what it means.
export function countRows(summary: OutcomeSummary): { label: string; value: number }[] {
  return [
    { label: "Closed episodes counted", value: summary.episodes },
    { label: "Finished treatment (two or more sessions attended)", value: summary.finished_treatment },
    { label: "… who started at or above a clinical cut-off", value: summary.finished_at_caseness },
    { label: "… who started below the cut-offs", value: summary.finished_not_at_caseness },
    { label: "Finished, but without a first and last score to compare (left out of the rates)", value: summary.missing_paired_scores },
  ];
}

// "PHQ-9" from "Patient Health Questionnaire-9 (PHQ-9)"; else the id in capitals.
export function shortName(id: string, name?: string): string {
  const inBrackets = name?.match(/\(([^()]+)\)\s*$/);
  if (inBrackets) return inBrackets[1];
  return id.toUpperCase();
}

// "2026-11" -> "Nov 2026".
export function monthLabel(month: string): string {
  const m = month.match(/^(\d{4})-(\d{2})$/);
  if (!m) return month;
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const index = Number(m[2]) - 1;
  return index >= 0 && index < 12 ? `${names[index]} ${m[1]}` : month;
}

export interface ChartBar {
  measure: string;
  percent: number;
  label: string;
  kind: "deterioration" | "other";
  inside: boolean; // the label fits inside the bar's end
}

// The bars of one summary: rates with nobody counted are left out (no bar means no figure,
// not 0 %).
export function chartBars(summary: OutcomeSummary): ChartBar[] {
  return measureRows(summary)
    .filter((row) => row.percent !== null)
    .map((row) => ({
      measure: row.name,
      percent: row.percent as number,
      label: `${row.percent}% (${row.numerator} of ${row.denominator})`,
      kind: row.key === "reliable_deterioration" ? "deterioration" : "other",
      inside: (row.percent as number) >= 55,
    }));
}

// "Reliable improvement" -> "Reliable\nimprovement" for a narrow chart's axis.
export function twoLines(name: string): string {
  return name.replace(" ", "\n");
}

const barColours = { other: "#1f5f8b", deterioration: "#8a4b00" };

// Horizontal bars, 0-100 %, each labelled with its percentage and counts (inside the end of
// a long bar, after a short one), so colour is never the only signal. On a phone the
// measure names take two lines.
export function outcomeChart(summary: OutcomeSummary, width = 640): Plot.PlotOptions {
  const bars = chartBars(summary);
  const narrow = width < 480;
  return {
    width,
    height: 48 * measureKeys.length + 64,
    marginLeft: narrow ? 92 : 170,
    marginRight: 16,
    marginBottom: 46,
    x: { domain: [0, 100], label: "Share of those counted (%)", labelOffset: 40, grid: true, ticks: narrow ? 4 : 5 },
    y: {
      domain: measureKeys.map((k) => measureNames[k]),
      label: null,
      tickFormat: narrow ? twoLines : undefined,
    },
    marks: [
      Plot.barX(bars, {
        x: "percent",
        y: "measure",
        fill: (d: ChartBar) => barColours[d.kind],
        title: "label",
      }),
      Plot.text(
        bars.filter((b) => b.inside),
        { x: "percent", y: "measure", text: "label", textAnchor: "end", dx: -6, fill: "white", fontWeight: 600 },
      ),
      Plot.text(
        bars.filter((b) => !b.inside),
        { x: "percent", y: "measure", text: "label", textAnchor: "start", dx: 6, fill: "#1d2430" },
      ),
    ],
  };
}

export interface MonthPoint {
  month: string; // "Sep 2026"
  measure: string;
  percent: number;
  note: string;
}

const monthMeasures: MeasureKey[] = ["reliable_improvement", "recovery", "reliable_deterioration"];

// The rates by month, one point per month and measure that counted anybody (a month with
// nobody in a rate's denominator has no point, not 0 %).
export function monthPoints(months: { month: string; summary: OutcomeSummary }[]): MonthPoint[] {
  const points: MonthPoint[] = [];
  for (const { month, summary } of months) {
    for (const key of monthMeasures) {
      const percent = percentOf(summary[key]);
      if (percent === null) continue;
      const name = measureNames[key];
      points.push({ month: monthLabel(month), measure: name, percent, note: `${monthLabel(month)}, ${name}: ${rateText(summary[key])}` });
    }
  }
  return points;
}

// The rates over the months episodes closed, one line per measure.
export function monthChart(months: { month: string; summary: OutcomeSummary }[], width = 640): Plot.PlotOptions {
  const points = monthPoints(months);
  return {
    width,
    height: 240,
    marginLeft: 44,
    x: { type: "point", domain: months.map((m) => monthLabel(m.month)), label: "Month the episodes closed" },
    y: { domain: [0, 100], label: "% of closed episodes", grid: true },
    color: {
      domain: monthMeasures.map((k) => measureNames[k]),
      range: ["#1f5f8b", "#21643a", "#a12626"],
      legend: false,
    },
    marks: [
      Plot.lineY(points, { x: "month", y: "percent", stroke: "measure", strokeWidth: 2 }),
      Plot.dot(points, { x: "month", y: "percent", fill: "measure", r: 3.5, title: "note" }),
    ],
  };
}
