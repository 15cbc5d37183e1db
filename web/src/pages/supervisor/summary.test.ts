import { describe, expect, it } from "vitest";
import type { Caseload, CaseloadEntry, Signal } from "../../types";
import {
  caseloadSentence,
  clientsWithSignals,
  commentAuthor,
  episodeClients,
  groupReflections,
  mergePage,
  reflectionSentence,
  signalCounts,
  signalLabel,
  signalTone,
} from "./summary";
import type { ReflectionItem } from "./types";

function entry(client: number, signals: string[], extra: Partial<CaseloadEntry> = {}): CaseloadEntry {
  return {
    client,
    display_name: `Client ${client}`,
    episode: client * 10,
    open_episode: client * 10,
    instrument: "phq9",
    sessions: 5,
    attended: 5,
    last_session: "2026-11-20",
    ended: false,
    dropout_risk: 0,
    patterns: [],
    signals: signals.map((type, i): Signal => ({ type, session: i + 1, reason: `${type} reason` })),
    ...extra,
  };
}

const caseload: Caseload = {
  clients: [
    entry(1, ["crisis", "review-due"]),
    entry(2, ["review-due", "review-due"]),
    entry(3, []),
    entry(4, ["a-new-kind", "perception-gap"]),
    entry(5, [], { ended: true, open_episode: null, episode: 55 }),
  ],
};

function reflection(id: number, at: string, comments = 0): ReflectionItem {
  return {
    id,
    author: 5,
    episode: 12,
    at,
    tried_to_fix: "fixing",
    sat_with: "sitting",
    comments: Array.from({ length: comments }, (_, i) => ({ id: id * 100 + i, author: 2, at, text: "kind words" })),
  };
}

describe("signalCounts", () => {
  it("counts each client once per kind, most pressing kind first, unknown kinds last", () => {
    expect(signalCounts(caseload)).toEqual([
      { type: "crisis", label: "Safety answer to follow up", clients: 1 },
      { type: "perception-gap", label: "Client and therapist see it differently", clients: 1 },
      { type: "review-due", label: "Time to review goals together", clients: 2 },
      { type: "a-new-kind", label: "A new kind", clients: 1 },
    ]);
  });

  it("is empty for a caseload without signals", () => {
    expect(signalCounts({ clients: [entry(1, [])] })).toEqual([]);
  });
});

describe("words", () => {
  it("uses the shared labels except where the supervisor reads about someone else's room", () => {
    expect(signalLabel("not-on-track")).toBe("Not on track: worth a conversation");
    expect(signalLabel("perception-gap")).toBe("Client and therapist see it differently");
  });

  it("marks only a safety answer as urgent and coming back as good news", () => {
    expect(signalTone("crisis")).toBe("alert");
    expect(signalTone("returned-after-hard-session")).toBe("ok");
    expect(signalTone("dropout-risk")).toBe("warm");
  });

  it("describes the caseload and the log in a sentence", () => {
    expect(caseloadSentence(caseload)).toBe("5 clients: 4 seeing them now, 1 finished.");
    expect(caseloadSentence({ clients: [entry(1, [])] })).toBe("1 client: 1 seeing them now.");
    expect(caseloadSentence({ clients: [] })).toBe("No clients on the caseload yet.");
    expect(reflectionSentence({ reflections: 5, reflections_awaiting_comment: 2 })).toBe("5 reflections, 2 waiting for your comment.");
    expect(reflectionSentence({ reflections: 1, reflections_awaiting_comment: 0 })).toBe("1 reflection, each with a comment.");
    expect(reflectionSentence({ reflections: 0, reflections_awaiting_comment: 0 })).toBe("No reflections written yet.");
  });
});

describe("clientsWithSignals", () => {
  it("keeps the server's order and leaves out clients without signals", () => {
    expect(clientsWithSignals(caseload).map((c) => c.client)).toEqual([1, 2, 4]);
  });
});

describe("episodeClients", () => {
  it("finds the client of the latest and of the open episode", () => {
    const map = episodeClients({ clients: [entry(1, [], { episode: 11, open_episode: 12 }), entry(5, [], { episode: 55, open_episode: null })] });
    expect(map.get(11)).toEqual({ client: 1, name: "Client 1" });
    expect(map.get(12)).toEqual({ client: 1, name: "Client 1" });
    expect(map.get(55)).toEqual({ client: 5, name: "Client 5" });
    expect(map.get(99)).toBeUndefined();
  });
});

describe("reflections", () => {
  it("puts those waiting when loaded first, each group in the order written", () => {
    const items = [reflection(3, "2026-10-18T19:00:00.000Z"), reflection(1, "2026-08-30T19:00:00.000Z", 1), reflection(4, "2026-11-01T19:00:00.000Z"), reflection(2, "2026-10-05T19:00:00.000Z", 2)];
    // 4 was commented on during the visit: it stays with the waiting ones.
    items[2] = reflection(4, "2026-11-01T19:00:00.000Z", 1);
    const groups = groupReflections(items, new Set([3, 4]));
    expect(groups.waiting.map((r) => r.id)).toEqual([3, 4]);
    expect(groups.discussed.map((r) => r.id)).toEqual([1, 2]);
  });

  it("adds a page without repeating a reflection already shown", () => {
    const merged = mergePage([reflection(1, "a"), reflection(2, "b")], [reflection(2, "b"), reflection(3, "c")]);
    expect(merged.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("names the reader's own comments", () => {
    expect(commentAuthor(2, 2)).toBe("You");
    expect(commentAuthor(7, 2)).toBe("Another supervisor");
  });
});
