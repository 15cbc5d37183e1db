import { describe, expect, it } from "vitest";
import { agreementWords, changeSentences, compareVersions, side, wordDiff } from "./diff";
import type { DefinitionVersion } from "./types";

const none = { fields: [], goals_added: [], goals_removed: [], goals_retuned: [], goals_reworded: [] };

const v1: DefinitionVersion = {
  version: 1,
  hopes: "To feel like myself again.",
  better_looks_like: "Walking to the shop without my heart pounding.",
  small_shifts: "A walk round the block.",
  change_note: "Agreed together at our first session.",
  goals: [
    { key: "kinder", scale: "gbo", text: "Be kinder to myself when things go wrong" },
    { key: "choir", scale: "gas", text: "Go back to choir", gas_levels: ["none", "in touch", "monthly", "most weeks", "every week"], weight: 1 },
    { key: "sleep", scale: "gbo", text: "Sleep better" },
  ],
  changed_at: "2026-08-30T10:40:00.000Z",
  changed_by: 3,
  changes: none,
  client_agreed_at: "2026-08-30T10:41:00.000Z",
  therapist_agreed_at: "2026-08-30T10:42:00.000Z",
  revised_at_session: 1,
};

const v2: DefinitionVersion = {
  ...v1,
  version: 2,
  hopes: "To feel like myself again, not just get through the days.",
  goals: [
    { key: "kinder", scale: "gbo", text: "Talk to myself like I would to a friend" },
    { key: "choir", scale: "gas", text: "Go back to choir", gas_levels: ["none", "in touch", "once a month", "most weeks", "every week"], weight: 1 },
    { key: "walk", scale: "gbo", text: "Walk every day" },
  ],
  changes: {
    fields: ["hopes", "goals"],
    goals_added: ["walk"],
    goals_removed: ["sleep"],
    goals_retuned: ["choir"],
    goals_reworded: [{ key: "kinder", before: "Be kinder to myself when things go wrong", after: "Talk to myself like I would to a friend" }],
  },
  client_agreed_at: null,
  therapist_agreed_at: "2026-10-11T10:42:00.000Z",
  revised_at_session: 7,
};

describe("wordDiff", () => {
  it("marks the words that went and came, and keeps the rest", () => {
    expect(wordDiff("I go once a month", "I go most weeks")).toEqual([
      { kind: "same", text: "I go " },
      { kind: "removed", text: "once a month" },
      { kind: "added", text: "most weeks" },
    ]);
  });
  it("gives back each side's text whole", () => {
    const before = "To feel like myself again.";
    const after = "To feel like myself again, not just get through the days.";
    const segments = wordDiff(before, after);
    expect(side(segments, "before").map((s) => s.text).join("")).toBe(before);
    expect(side(segments, "after").map((s) => s.text).join("")).toBe(after);
  });
  it("handles empty sides", () => {
    expect(wordDiff("", "New words")).toEqual([{ kind: "added", text: "New words" }]);
    expect(wordDiff("Old words", "")).toEqual([{ kind: "removed", text: "Old words" }]);
    expect(wordDiff("", "")).toEqual([]);
    expect(wordDiff("same", "same")).toEqual([{ kind: "same", text: "same" }]);
  });
  it("shows a very long text as replaced rather than working through it word by word", () => {
    const long = Array.from({ length: 700 }, (_, i) => `w${i}`).join(" ");
    expect(wordDiff(long, `${long} more`)).toEqual([
      { kind: "removed", text: long },
      { kind: "added", text: `${long} more` },
    ]);
  });
});

describe("changeSentences", () => {
  it("calls the first version what it is", () => {
    expect(changeSentences(v1, null)).toEqual(["The first version, written together."]);
  });
  it("says what changed in plain words, naming goals by their text", () => {
    expect(changeSentences(v2, v1)).toEqual([
      "What they hope for: new words.",
      "Goal added: “Walk every day”.",
      "Goal set aside: “Sleep better”.",
      "Goal put in new words: “Be kinder to myself when things go wrong” became “Talk to myself like I would to a friend”.",
      "Goal retuned (its scale or levels): “Go back to choir”.",
    ]);
  });
  it("notices a new order and a version written again unchanged", () => {
    expect(changeSentences({ ...v2, changes: { ...none, fields: ["goals"] } }, v1)).toEqual(["The goals were put in a new order."]);
    expect(changeSentences({ ...v2, changes: none }, v1)).toEqual(["The words stayed the same; this version was written again."]);
  });
});

describe("compareVersions", () => {
  const comparison = compareVersions(v1, v2);
  it("puts the three texts side by side", () => {
    expect(comparison.fields.map((f) => [f.field, f.changed])).toEqual([
      ["hopes", true],
      ["better_looks_like", false],
      ["small_shifts", false],
    ]);
  });
  it("follows goals by key: changed, kept, added, then set aside", () => {
    expect(comparison.goals.map((g) => [g.key, g.status])).toEqual([
      ["kinder", "changed"],
      ["choir", "changed"],
      ["walk", "added"],
      ["sleep", "removed"],
    ]);
    const choir = comparison.goals[1];
    expect(choir.text.changed).toBe(false);
    expect(choir.levels.filter((l) => l.changed).map((l) => [l.label, l.before, l.after])).toEqual([
      ["0: the hoped-for level", "monthly", "once a month"],
    ]);
    expect(comparison.goals[0].levels).toEqual([]);
  });
  it("notices a goal moved to another scale", () => {
    const gas = compareVersions(v1, { ...v2, goals: [{ ...v1.goals[2], scale: "gas", gas_levels: ["a", "b", "c", "d", "e"] }] });
    const sleep = gas.goals[0];
    expect(sleep.status).toBe("changed");
    expect(sleep.scale).toEqual({ before: "0 to 10", after: "five levels", changed: true });
    expect(sleep.levels[0]).toMatchObject({ before: "", after: "a", changed: true });
  });
  it("compares the first version with nothing", () => {
    expect(compareVersions(null, v1).goals.map((g) => g.status)).toEqual(["added", "added", "added"]);
  });
});

describe("agreementWords", () => {
  it("says who has agreed", () => {
    expect(agreementWords(v1)).toBe("Agreed by both of you");
    expect(agreementWords(v2)).toBe("You have agreed; the client has not yet");
    expect(agreementWords({ ...v2, therapist_agreed_at: null })).toBe("Not agreed yet by either of you");
    expect(agreementWords({ ...v2, client_agreed_at: "x", therapist_agreed_at: null })).toBe("The client has agreed; your agreement is still to come");
  });
});
