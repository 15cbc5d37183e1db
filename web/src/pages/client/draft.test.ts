import { describe, expect, it } from "vitest";
import { answeredCount, CheckInStore, flushOnce, isRetryable, MemoryStore, Outbox, responsesOf, type PendingAction } from "./draft";

class Failure extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}
const statusOf = (error: unknown) => (error instanceof Failure ? error.status : -1);

function goal(key: string, value: number) {
  return { key: `goal:${key}`, kind: "goal" as const, session: 5, path: "/api/v1/episodes/2/goal-ratings", body: { session: 5, goal_key: key, value } };
}

describe("CheckInStore outbox", () => {
  it("keeps answers in order and lets a newer answer replace an unsent one", () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    store.enqueue(goal("sleep", 3));
    store.enqueue(goal("shop", 1));
    store.enqueue(goal("sleep", 6));
    expect(store.queue().map((a) => a.body)).toEqual([
      { session: 5, goal_key: "shop", value: 1 },
      { session: 5, goal_key: "sleep", value: 6 },
    ]);
  });

  it("dequeues only the very action sent, not a newer one with the same key", () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    const old = store.enqueue(goal("sleep", 3));
    store.enqueue(goal("sleep", 6));
    store.dequeue(old.id);
    expect(store.queue().map((a) => (a.body as { value: number }).value)).toEqual([6]);
  });

  it("survives a reload: a second store over the same storage sees the queue", () => {
    const storage = new MemoryStore();
    new CheckInStore(storage, 7, 2).enqueue(goal("sleep", 3));
    expect(new CheckInStore(storage, 7, 2).queue()).toHaveLength(1);
    expect(new CheckInStore(storage, 8, 2).queue()).toHaveLength(0);
    expect(new CheckInStore(storage, 7, 3).queue()).toHaveLength(0);
  });

  it("reads a damaged entry as empty instead of failing", () => {
    const storage = new MemoryStore();
    storage.setItem("tandem.checkin.7.2.queue", "{not json");
    expect(new CheckInStore(storage, 7, 2).queue()).toEqual([]);
  });

  it("keeps working when the storage refuses writes", () => {
    const refusing = new MemoryStore();
    refusing.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    const store = new CheckInStore(refusing, 7, 2);
    expect(() => store.enqueue(goal("sleep", 3))).not.toThrow();
    expect(store.queue()).toEqual([]);
  });
});

describe("questionnaire draft", () => {
  it("round-trips per session and instrument, and clears", () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    store.saveQuestionnaireDraft(5, { instrument: "phq9", position: 3, answers: { 0: 1, 1: null, 2: 3 } });
    expect(store.questionnaireDraft(5, "phq9")).toEqual({ instrument: "phq9", position: 3, answers: { 0: 1, 1: null, 2: 3 } });
    expect(store.questionnaireDraft(5, "gad7")).toBeNull();
    expect(store.questionnaireDraft(6, "phq9")).toBeNull();
    store.clearQuestionnaireDraft(5);
    expect(store.questionnaireDraft(5, "phq9")).toBeNull();
  });

  it("turns the answers into one response per item, null where skipped or not reached", () => {
    const draft = { instrument: "phq9", position: 4, answers: { 0: 2, 1: null, 3: 0 } };
    expect(responsesOf(draft, 5)).toEqual([2, null, null, 0, null]);
    expect(answeredCount(draft, 5)).toBe(2);
  });

  it("prunes other sessions' drafts but keeps today's and the outbox", () => {
    const storage = new MemoryStore();
    const store = new CheckInStore(storage, 7, 2);
    store.saveQuestionnaireDraft(4, { instrument: "phq9", position: 0, answers: { 0: 1 } });
    store.rememberCrisis(4, "call");
    store.saveQuestionnaireDraft(5, { instrument: "phq9", position: 0, answers: { 0: 2 } });
    store.enqueue(goal("sleep", 3));
    storage.setItem("unrelated", "x");
    store.prune(5);
    expect(store.questionnaireDraft(4, "phq9")).toBeNull();
    expect(store.crisisText(4)).toBeNull();
    expect(store.questionnaireDraft(5, "phq9")?.answers).toEqual({ 0: 2 });
    expect(store.queue()).toHaveLength(1);
    expect(storage.getItem("unrelated")).toBe("x");
  });
});

describe("isRetryable", () => {
  it("retries lost connections, sign-outs, throttling and server trouble, not refusals", () => {
    expect([0, 401, 408, 429, 500, 503].map(isRetryable)).toEqual([true, true, true, true, true, true]);
    expect([400, 403, 404, 409].map(isRetryable)).toEqual([false, false, false, false]);
  });
});

describe("flushOnce", () => {
  it("sends everything in order and empties the outbox", async () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    store.enqueue(goal("sleep", 3));
    store.enqueue(goal("shop", 1));
    const seen: string[] = [];
    const result = await flushOnce(store, async (a) => seen.push(a.key), statusOf);
    expect(seen).toEqual(["goal:sleep", "goal:shop"]);
    expect(result.sent).toHaveLength(2);
    expect(result.pending).toBe(0);
    expect(result.waiting).toBe(false);
  });

  it("stops at a lost connection and keeps that answer and the ones after it", async () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    store.enqueue(goal("sleep", 3));
    store.enqueue(goal("shop", 1));
    store.enqueue({ key: "alliance", kind: "alliance", session: 5, path: "/a", body: { value: 8 } });
    let calls = 0;
    const result = await flushOnce(
      store,
      async (a: PendingAction) => {
        calls += 1;
        if (a.key === "goal:shop") throw new Failure(0);
      },
      statusOf,
    );
    expect(calls).toBe(2);
    expect(result.waiting).toBe(true);
    expect(store.queue().map((a) => a.key)).toEqual(["goal:shop", "alliance"]);
    expect(result.pending).toBe(2);
  });

  it("drops and reports an answer the server refuses, then goes on", async () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    store.enqueue(goal("gone", 3));
    store.enqueue(goal("shop", 1));
    const result = await flushOnce(
      store,
      async (a) => {
        if (a.key === "goal:gone") throw new Failure(400);
        return { id: 1 };
      },
      statusOf,
    );
    expect(result.failed.map((f) => f.action.key)).toEqual(["goal:gone"]);
    expect(result.sent.map((s) => s.result)).toEqual([{ id: 1 }]);
    expect(store.queue()).toEqual([]);
  });
});

describe("Outbox", () => {
  it("keeps an answer while offline and sends it on the next try", async () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    let online = false;
    const sent: unknown[] = [];
    const outbox = new Outbox(
      store,
      async (a) => {
        if (!online) throw new Failure(0);
        sent.push(a.body);
      },
      statusOf,
    );
    const first = await outbox.save(goal("sleep", 4));
    expect(first.waiting).toBe(true);
    expect(outbox.pending()).toBe(1);
    online = true;
    const second = await outbox.flush();
    expect(second.pending).toBe(0);
    expect(sent).toEqual([{ session: 5, goal_key: "sleep", value: 4 }]);
  });

  it("never runs two sends of the same answer at once", async () => {
    const store = new CheckInStore(new MemoryStore(), 7, 2);
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const outbox = new Outbox(
      store,
      async (a) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent.push(a.key);
        inFlight -= 1;
      },
      statusOf,
    );
    await Promise.all([outbox.save(goal("sleep", 4)), outbox.save(goal("shop", 1)), outbox.flush()]);
    expect(most).toBe(1);
    expect(sent).toEqual(["goal:sleep", "goal:shop"]);
  });
});
