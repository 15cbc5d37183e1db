import { describe, expect, it } from "vitest";
import { checkDraft, draftChanges, draftFrom, draftToRequest, emptyGoal, slugify, withSuggestedKeys } from "./draft";
import type { DefinitionVersion } from "./types";

const current: DefinitionVersion = {
  version: 1,
  hopes: "I'd like to enjoy things again.",
  better_looks_like: "Cooking a proper meal.",
  small_shifts: "Opening the curtains.",
  change_note: "Agreed together at our first session.",
  goals: [
    { key: "partner", scale: "gbo", text: "Talk to my partner" },
    { key: "friends", scale: "gas", text: "See friends again", gas_levels: ["a", "b", "c", "d", "e"], weight: 1 },
  ],
  changed_at: "2026-10-10T10:40:02.000Z",
  changed_by: 3,
  changes: { fields: [], goals_added: [], goals_removed: [], goals_retuned: [], goals_reworded: [] },
  client_agreed_at: null,
  therapist_agreed_at: null,
  revised_at_session: 1,
};

describe("slugify", () => {
  it("keeps the words that name the goal", () => {
    expect(slugify("Go back to choir on Thursdays")).toBe("choir-thursdays");
    expect(slugify("Sleep six hours most nights")).toBe("sleep-six");
    expect(slugify("Talk to my partner about how I'm really doing")).toBe("talk-partner");
    expect(slugify("Zoë's café")).toBe("zoes-cafe");
  });
  it("falls back to the words it has, then to 'goal'", () => {
    expect(slugify("To be")).toBe("to-be");
    expect(slugify("!!!")).toBe("goal");
  });
  it("stays short and unique", () => {
    expect(slugify("Extraordinarilylongword anotherextraordinarilylongword").length).toBeLessThanOrEqual(24);
    expect(slugify("Sleep", ["sleep"])).toBe("sleep-2");
    expect(slugify("Sleep", ["sleep", "sleep-2"])).toBe("sleep-3");
  });
});

describe("draftFrom", () => {
  it("starts empty with one goal when nothing is written yet", () => {
    const draft = draftFrom(null);
    expect(draft.hopes).toBe("");
    expect(draft.goals).toEqual([emptyGoal()]);
  });
  it("starts from the current version, keys kept, change note fresh", () => {
    const draft = draftFrom(current);
    expect(draft.change_note).toBe("");
    expect(draft.goals.map((g) => [g.key, g.isNew, g.gasLevels.length])).toEqual([
      ["partner", false, 5],
      ["friends", false, 5],
    ]);
  });
});

describe("withSuggestedKeys", () => {
  it("names a new goal from its words, around the keys already used", () => {
    const draft = draftFrom(current);
    draft.goals.push({ ...emptyGoal(), text: "See friends more" });
    draft.goals.push({ ...emptyGoal(), text: "" });
    const suggested = withSuggestedKeys(draft);
    expect(suggested.goals.map((g) => g.key)).toEqual(["partner", "friends", "see-friends", ""]);
  });
  it("leaves a key the therapist typed alone", () => {
    const draft = draftFrom(null);
    draft.goals[0] = { ...draft.goals[0], text: "Sleep", key: "rest", keyTyped: true };
    expect(withSuggestedKeys(draft).goals[0].key).toBe("rest");
  });
});

describe("checkDraft", () => {
  it("accepts the current version as it is", () => {
    expect(checkDraft(draftFrom(current))).toEqual([]);
  });
  it("asks for hopes, goal words, good unique keys and all five GAS levels", () => {
    const draft = draftFrom(current);
    draft.hopes = "  ";
    draft.goals[1].gasLevels[2] = "";
    draft.goals.push({ ...emptyGoal(), key: "Bad Key", text: "x" });
    draft.goals.push({ ...emptyGoal(), key: "partner", text: "" });
    expect(checkDraft(draft).map((p) => p.field)).toEqual([
      "hopes",
      "goals[1].gas_levels[2]",
      "goals[2].key",
      "goals[3].text",
      "goals[3].key",
    ]);
    expect(checkDraft(draft)[1].message).toBe("Goal 2: describe what level 0 looks like (all five levels are needed).");
  });
  it("asks only for the words of a new goal whose short name would come from them", () => {
    expect(checkDraft({ ...draftFrom(current), goals: [emptyGoal()] }).map((p) => p.field)).toEqual(["goals[0].text"]);
  });
  it("needs at least one goal", () => {
    expect(checkDraft({ ...draftFrom(current), goals: [] })).toEqual([{ field: "goals", message: "Name at least one goal." }]);
  });
});

describe("draftToRequest and draftChanges", () => {
  it("sends trimmed words, GAS levels only for GAS goals", () => {
    const draft = draftFrom(current);
    draft.hopes = "  I'd like to enjoy things again.  ";
    expect(draftToRequest(draft)).toEqual({
      hopes: "I'd like to enjoy things again.",
      better_looks_like: "Cooking a proper meal.",
      small_shifts: "Opening the curtains.",
      change_note: "",
      goals: [
        { key: "partner", text: "Talk to my partner", scale: "gbo" },
        { key: "friends", text: "See friends again", scale: "gas", gas_levels: ["a", "b", "c", "d", "e"] },
      ],
    });
  });
  it("knows when nothing but the note changed", () => {
    const draft = draftFrom(current);
    draft.change_note = "Looked at it again";
    expect(draftChanges(draft, current)).toBe(false);
    draft.goals[1].gasLevels[4] = "f";
    expect(draftChanges(draft, current)).toBe(true);
    expect(draftChanges(draftFrom(null), null)).toBe(true);
    const reordered = draftFrom(current);
    reordered.goals.reverse();
    expect(draftChanges(reordered, current)).toBe(true);
  });
});
