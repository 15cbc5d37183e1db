// What the check-in keeps on the device so a dropped connection or a reload loses nothing:
// the answers waiting to be sent (an outbox, sent in order, retried until the server has
// them) and the questionnaire answered so far. Pure over an injected key-value store, so
// the tests run in node; the page passes window.localStorage.

// The part of the Web Storage interface this module uses.
export interface KeyValueStore {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ActionKind = "goal" | "questionnaire" | "moment" | "alliance" | "felt-hard";

// One answer on its way to the server: the request to make, and a key that says which
// answer it is, so a newer answer to the same question replaces one not yet sent.
export interface PendingAction {
  id: string; // unique per enqueue; a send only removes the very action it sent
  key: string; // "goal:sleep", "alliance", "felt-hard", "questionnaire", "moment:<id>"
  kind: ActionKind;
  session: number;
  path: string;
  body: unknown;
}

export type NewAction = Omit<PendingAction, "id">;

// The questionnaire as far as it is answered: the item index shown last, and each answer
// given (null: the person chose to leave the item out; absent: not reached yet).
export interface QuestionnaireDraft {
  instrument: string;
  position: number;
  answers: Record<number, number | null>;
}

// Reads and writes never throw: a full or refused store (private browsing) only means
// nothing is kept, and the answers are still sent.
function read<T>(storage: KeyValueStore, key: string): T | null {
  try {
    const text = storage.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

function write(storage: KeyValueStore, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // kept in memory only: the page still holds the answer and sends it
  }
}

function remove(storage: KeyValueStore, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // nothing to do
  }
}

let sequence = 0;
function nextId(): string {
  sequence += 1;
  return `${Date.now().toString(36)}-${sequence}`;
}

// Everything one person keeps for one episode's check-in, under one key prefix.
export class CheckInStore {
  readonly prefix: string;

  constructor(
    private readonly storage: KeyValueStore,
    user: number,
    episode: number,
  ) {
    this.prefix = `tandem.checkin.${user}.${episode}.`;
  }

  private get queueKey(): string {
    return `${this.prefix}queue`;
  }

  private sessionKey(session: number, what: string): string {
    return `${this.prefix}${session}.${what}`;
  }

  queue(): PendingAction[] {
    const items = read<PendingAction[]>(this.storage, this.queueKey);
    return Array.isArray(items) ? items : [];
  }

  // Adds an answer to the end of the outbox; an unsent answer with the same key is dropped
  // (the newer answer replaces it).
  enqueue(action: NewAction): PendingAction {
    const pending: PendingAction = { ...action, id: nextId() };
    const items = this.queue().filter((a) => a.key !== action.key);
    items.push(pending);
    write(this.storage, this.queueKey, items);
    return pending;
  }

  // Removes this very action (by id), not a newer one that has since replaced it.
  dequeue(id: string): void {
    const items = this.queue().filter((a) => a.id !== id);
    if (items.length) write(this.storage, this.queueKey, items);
    else remove(this.storage, this.queueKey);
  }

  pendingKeys(): Set<string> {
    return new Set(this.queue().map((a) => a.key));
  }

  questionnaireDraft(session: number, instrument: string): QuestionnaireDraft | null {
    const draft = read<QuestionnaireDraft>(this.storage, this.sessionKey(session, "questionnaire"));
    if (!draft || draft.instrument !== instrument || typeof draft.answers !== "object" || draft.answers === null) return null;
    return { instrument, position: Number.isInteger(draft.position) ? draft.position : -1, answers: draft.answers };
  }

  saveQuestionnaireDraft(session: number, draft: QuestionnaireDraft): void {
    write(this.storage, this.sessionKey(session, "questionnaire"), draft);
  }

  clearQuestionnaireDraft(session: number): void {
    remove(this.storage, this.sessionKey(session, "questionnaire"));
  }

  // The crisis text shown after today's questionnaire, so a reload shows it again.
  crisisText(session: number): string | null {
    return read<string>(this.storage, this.sessionKey(session, "crisis"));
  }

  rememberCrisis(session: number, text: string): void {
    write(this.storage, this.sessionKey(session, "crisis"), text);
  }

  // Drops what was kept for other sessions of this episode (a draft from last week is no
  // longer today's); the outbox is kept, since its answers still belong to their sessions.
  prune(keepSession: number): void {
    const keep = `${this.prefix}${keepSession}.`;
    const stale: string[] = [];
    try {
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key && key.startsWith(this.prefix) && key !== this.queueKey && !key.startsWith(keep)) stale.push(key);
      }
    } catch {
      return;
    }
    stale.forEach((key) => remove(this.storage, key));
  }
}

// The responses array the server takes: one entry per item, null where none was given.
export function responsesOf(draft: QuestionnaireDraft, itemCount: number): (number | null)[] {
  return Array.from({ length: itemCount }, (_, i) => {
    const value = draft.answers[i];
    return typeof value === "number" ? value : null;
  });
}

// How many items have an answer (not left out, not unreached).
export function answeredCount(draft: QuestionnaireDraft, itemCount: number): number {
  return responsesOf(draft, itemCount).filter((v) => v !== null).length;
}

// Worth trying again later: no connection (status 0), signed out (401, kept for after
// sign-in), too many requests, or the server busy. Anything else will not get better.
export function isRetryable(status: number): boolean {
  return status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;
}

export interface FlushResult {
  sent: { action: PendingAction; result: unknown }[];
  failed: { action: PendingAction; error: unknown }[];
  pending: number; // still in the outbox
  waiting: boolean; // stopped on a retryable failure
}

export type Send = (action: PendingAction) => Promise<unknown>;
export type StatusOf = (error: unknown) => number;

// Sends the outbox in order, one at a time. A retryable failure stops the run and keeps that
// answer and everything after it; any other failure drops the answer and reports it.
export async function flushOnce(store: CheckInStore, send: Send, statusOf: StatusOf): Promise<FlushResult> {
  const result: FlushResult = { sent: [], failed: [], pending: 0, waiting: false };
  for (const action of store.queue()) {
    try {
      const answer = await send(action);
      store.dequeue(action.id);
      result.sent.push({ action, result: answer });
    } catch (error) {
      if (isRetryable(statusOf(error))) {
        result.waiting = true;
        break;
      }
      store.dequeue(action.id);
      result.failed.push({ action, error });
    }
  }
  result.pending = store.queue().length;
  return result;
}

// The outbox the page uses: save() keeps an answer and sends what is waiting; runs never
// overlap (a save during a run is sent by the run queued after it).
export class Outbox {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: CheckInStore,
    private readonly send: Send,
    private readonly statusOf: StatusOf,
  ) {}

  save(action: NewAction): Promise<FlushResult> {
    this.store.enqueue(action);
    return this.flush();
  }

  flush(): Promise<FlushResult> {
    const run = this.tail.then(() => flushOnce(this.store, this.send, this.statusOf));
    this.tail = run.catch(() => undefined);
    return run;
  }

  pending(): number {
    return this.store.queue().length;
  }
}

// A plain in-memory store with the Web Storage shape (tests; a fallback when the browser
// refuses localStorage).
export class MemoryStore implements KeyValueStore {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}
