import { describe, expect, it } from "vitest";
import type { Episode } from "../../types";
import type { DefinitionVersion } from "./types";
import { chooseEpisode, describeChanges, dimensionOrder, gasLevelWords, momentLabel, newestFirst, shortName, withGoalWords } from "./words";

function episode(id: number, opened: string, closed: string | null): Episode {
  return { id, client: 1, therapist: 3, instrument: "phq9", opened, closed, close_reason: closed ? "completed" : null, status: closed ? "closed" : "open" };
}

describe("chooseEpisode", () => {
  it("takes the open episode over any closed one", () => {
    expect(chooseEpisode([episode(1, "2025-01-01", "2025-05-01"), episode(4, "2026-01-01", null), episode(2, "2025-06-01", "2025-09-01")])?.id).toBe(4);
  });
  it("takes the latest closed when none is open, and null when there is none", () => {
    expect(chooseEpisode([episode(1, "2025-01-01", "2025-05-01"), episode(2, "2025-06-01", "2025-09-01")])?.id).toBe(2);
    expect(chooseEpisode([])).toBeNull();
  });
});

describe("withGoalWords", () => {
  const goals = [
    { key: "sleep", text: "Sleep six hours most nights" },
    { key: "shop", text: "Go to the shops on my own" },
  ];
  it("names a goal by the client's words wherever a sentence names its key", () => {
    expect(withGoalWords("You have reached goal 'shop' and kept it there.", goals)).toBe("You have reached the goal “Go to the shops on my own” and kept it there.");
    expect(withGoalWords("Goal 'sleep' has stayed about where it was.", goals)).toBe("The goal “Sleep six hours most nights” has stayed about where it was.");
    expect(withGoalWords("You and your therapist see the goal 'sleep' differently right now.", goals)).toBe(
      "You and your therapist see the goal “Sleep six hours most nights” differently right now.",
    );
  });
  it("leaves an unknown key and other sentences as they are", () => {
    expect(withGoalWords("You have reached goal 'gone'.", goals)).toBe("You have reached goal 'gone'.");
    expect(withGoalWords("Sessions have been feeling good.", goals)).toBe("Sessions have been feeling good.");
  });
});

describe("gasLevelWords and momentLabel", () => {
  it("shows a level's number with the client's own description", () => {
    const goal = { gas_levels: ["none", "some", "expected", "more", "most"] };
    expect(gasLevelWords(goal, -2)).toBe("−2: none");
    expect(gasLevelWords(goal, 0)).toBe("0: expected");
    expect(gasLevelWords(goal, 1)).toBe("+1: more");
    expect(gasLevelWords({ gas_levels: [] }, 2)).toBe("+2");
  });
  it("names well-known moments kindly and free tags readably", () => {
    expect(momentLabel("responded-not-reacted")).toBe("I responded instead of reacting");
    expect(momentLabel("walked-the-dog")).toBe("Walked the dog");
    expect(momentLabel("")).toBe("A moment");
  });
});

const base: DefinitionVersion = {
  version: 1,
  hopes: "Enjoy things",
  better_looks_like: "Cooking",
  small_shifts: "Curtains open",
  change_note: "",
  goals: [
    { key: "sleep", text: "Sleep better", scale: "gbo" },
    { key: "shop", text: "Shop alone", scale: "gas", gas_levels: ["a", "b", "c", "d", "e"] },
  ],
  changed_at: "2026-09-13T11:10:00.000Z",
  changed_by: 5,
  changes: { fields: [], goals_added: [], goals_removed: [], goals_retuned: [], goals_reworded: [] },
  client_agreed_at: null,
  therapist_agreed_at: null,
  revised_at_session: 1,
};

describe("describeChanges", () => {
  it("calls the first version the first", () => {
    expect(describeChanges(base, undefined)).toEqual(["The first version, written together."]);
  });
  it("says every change in plain words, goals by their words", () => {
    const next: DefinitionVersion = {
      ...base,
      version: 2,
      goals: [
        { key: "sleep", text: "Sleep six hours", scale: "gbo" },
        { key: "walk", text: "Walk to work", scale: "gbo" },
      ],
      changes: {
        fields: ["hopes", "goals"],
        goals_added: ["walk"],
        goals_removed: ["shop"],
        goals_retuned: ["sleep"],
        goals_reworded: [{ key: "sleep", before: "Sleep better", after: "Sleep six hours" }],
      },
    };
    expect(describeChanges(next, base)).toEqual([
      "What you hope for was rewritten.",
      "A goal was added: “Walk to work”.",
      "A goal was set aside: “Shop alone”.",
      "A goal was put in new words: “Sleep better” became “Sleep six hours”.",
      "How the goal “Sleep six hours” is rated was adjusted.",
    ]);
  });
  it("says so when a review kept the words", () => {
    expect(describeChanges({ ...base, version: 2 }, base)).toEqual(["Looked at again together; the words stayed the same."]);
  });
});

describe("newestFirst and dimensionOrder", () => {
  it("pairs each version with the one before it, newest first", () => {
    const two = { ...base, version: 2 };
    const three = { ...base, version: 3 };
    expect(newestFirst([two, base, three]).map((x) => [x.version.version, x.previous?.version])).toEqual([
      [3, 2],
      [2, 1],
      [1, undefined],
    ]);
  });
  it("puts symptoms first, goals in their order, then sessions and coming", () => {
    expect(dimensionOrder(["engagement", "goal:shop", "alliance", "phq9", "goal:sleep"], "phq9", base.goals)).toEqual([
      "phq9",
      "goal:sleep",
      "goal:shop",
      "alliance",
      "engagement",
    ]);
  });
});

describe("shortName", () => {
  it("takes the short name in brackets, else the id in capitals", () => {
    expect(shortName("Patient Health Questionnaire-9 (PHQ-9)", "phq9")).toBe("PHQ-9");
    expect(shortName("Our own check", "own")).toBe("OWN");
  });
});
