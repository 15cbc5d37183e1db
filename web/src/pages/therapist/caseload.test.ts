import { describe, expect, it } from "vitest";
import type { CaseloadEntry } from "../../types";
import { caseloadSummary, filterCaseload, fold, isFiltered, noFilter, signalCounts } from "./caseload";
import { dropoutWords } from "./words";

function entry(client: number, name: string, signals: string[], ended = false): CaseloadEntry {
  return {
    client,
    display_name: name,
    episode: client,
    open_episode: ended ? null : client,
    instrument: "phq9",
    sessions: 5,
    attended: 4,
    last_session: "2026-11-20",
    ended,
    dropout_risk: 0,
    patterns: [],
    signals: signals.map((type, i) => ({ type, session: i + 1, reason: `${type} reason` })),
  };
}

const caseload = [
  entry(1, "Kit Bramble", ["crisis", "review-due"]),
  entry(2, "Jo Linnet", ["alliance-rupture", "review-due"]),
  entry(3, "Zoë Finch", []),
  entry(4, "Milo Sedge", [], true),
];

describe("filterCaseload", () => {
  it("keeps the server's order when nothing is filtered", () => {
    expect(filterCaseload(caseload, noFilter).map((e) => e.client)).toEqual([1, 2, 3, 4]);
  });
  it("finds names by every word, ignoring case and accents", () => {
    expect(filterCaseload(caseload, { ...noFilter, query: "zoe" }).map((e) => e.client)).toEqual([3]);
    expect(filterCaseload(caseload, { ...noFilter, query: "  linnet JO " }).map((e) => e.client)).toEqual([2]);
    expect(filterCaseload(caseload, { ...noFilter, query: "nobody" })).toEqual([]);
  });
  it("shows only clients with something to look at", () => {
    expect(filterCaseload(caseload, { ...noFilter, onlySignals: true }).map((e) => e.client)).toEqual([1, 2]);
  });
  it("narrows to the chosen kinds of signal (any of them)", () => {
    expect(filterCaseload(caseload, { ...noFilter, signalTypes: ["crisis"] }).map((e) => e.client)).toEqual([1]);
    expect(filterCaseload(caseload, { ...noFilter, signalTypes: ["crisis", "alliance-rupture"] }).map((e) => e.client)).toEqual([1, 2]);
  });
  it("separates open and ended episodes", () => {
    expect(filterCaseload(caseload, { ...noFilter, showOpen: false }).map((e) => e.client)).toEqual([4]);
    expect(filterCaseload(caseload, { ...noFilter, showEnded: false }).map((e) => e.client)).toEqual([1, 2, 3]);
  });
});

describe("signalCounts", () => {
  it("counts clients per kind of signal, once per client", () => {
    expect(signalCounts([...caseload, entry(5, "Ada", ["review-due", "review-due"])])).toEqual([
      { type: "crisis", clients: 1 },
      { type: "review-due", clients: 3 },
      { type: "alliance-rupture", clients: 1 },
    ]);
  });
});

describe("caseload words", () => {
  it("summarises the caseload", () => {
    expect(caseloadSummary(caseload)).toBe("4 clients (3 open), 2 with something to look at");
    expect(caseloadSummary([caseload[2]])).toBe("1 client (1 open), 0 with something to look at");
  });
  it("knows when a filter is on", () => {
    expect(isFiltered(noFilter)).toBe(false);
    expect(isFiltered({ ...noFilter, query: " " })).toBe(false);
    expect(isFiltered({ ...noFilter, showEnded: false })).toBe(true);
  });
  it("folds accents", () => {
    expect(fold("Zoë ÅSE")).toBe("zoe ase");
  });
  it("puts dropout risk in words from 0.5", () => {
    expect(dropoutWords(0.49)).toBeNull();
    expect(dropoutWords(0.5)).toBe("Some chance they will not come back");
    expect(dropoutWords(0.8999999999999999)).toBe("A real chance they will not come back: worth reaching out");
  });
});
