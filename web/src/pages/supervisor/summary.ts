// What the supervision pages say about a supervisee's caseload and reflection log, as plain
// data: signal counts, the clients worth talking about, and which reflections wait for a
// comment. Pure functions (tested in summary.test.ts).
import { label, signalLabels } from "../../texts";
import type { Caseload, CaseloadEntry } from "../../types";
import type { ReflectionItem, Supervisee } from "./types";

// texts.ts speaks to the therapist ("You see it differently"); the supervisor reads the same
// signal about someone else's room.
const supervisorWording: Record<string, string> = {
  "perception-gap": "Client and therapist see it differently",
};

export function signalLabel(type: string): string {
  return supervisorWording[type] ?? label(signalLabels, type);
}

export type Tone = "alert" | "warm" | "ok";

// A safety answer asks for action; coming back after a hard session is good news; the rest
// are prompts for a conversation.
export function signalTone(type: string): Tone {
  if (type === "crisis") return "alert";
  if (type === "returned-after-hard-session") return "ok";
  return "warm";
}

export interface SignalCount {
  type: string;
  label: string;
  clients: number;
}

// How many clients carry each kind of signal, in the order texts.ts lists them (most
// pressing first); kinds the app does not know yet come last, by name.
export function signalCounts(caseload: Caseload): SignalCount[] {
  const counts = new Map<string, number>();
  for (const entry of caseload.clients) {
    for (const type of new Set(entry.signals.map((s) => s.type))) {
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  }
  const known = Object.keys(signalLabels);
  const rank = (type: string) => {
    const at = known.indexOf(type);
    return at < 0 ? known.length : at;
  };
  return [...counts.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([type, clients]) => ({ type, label: signalLabel(type), clients }));
}

// The clients with at least one signal, in the server's order (most pressing first).
export function clientsWithSignals(caseload: Caseload): CaseloadEntry[] {
  return caseload.clients.filter((entry) => entry.signals.length > 0);
}

// "10 clients: 9 seeing them now, 1 finished."
export function caseloadSentence(caseload: Caseload): string {
  const total = caseload.clients.length;
  if (total === 0) return "No clients on the caseload yet.";
  const finished = caseload.clients.filter((c) => c.ended).length;
  const current = total - finished;
  const parts = [`${current} seeing them now`];
  if (finished > 0) parts.push(`${finished} finished`);
  return `${total} ${total === 1 ? "client" : "clients"}: ${parts.join(", ")}.`;
}

// "5 reflections, 2 waiting for your comment."
export function reflectionSentence(s: Pick<Supervisee, "reflections" | "reflections_awaiting_comment">): string {
  if (s.reflections === 0) return "No reflections written yet.";
  const written = `${s.reflections} ${s.reflections === 1 ? "reflection" : "reflections"}`;
  if (s.reflections_awaiting_comment === 0) return `${written}, each with a comment.`;
  return `${written}, ${s.reflections_awaiting_comment} waiting for your comment.`;
}

export interface EpisodeClient {
  client: number;
  name: string;
}

// Which client an episode belongs to, from the caseload (its latest and its open episode).
export function episodeClients(caseload: Caseload): Map<number, EpisodeClient> {
  const map = new Map<number, EpisodeClient>();
  for (const entry of caseload.clients) {
    const who = { client: entry.client, name: entry.display_name };
    map.set(entry.episode, who);
    if (entry.open_episode !== null) map.set(entry.open_episode, who);
  }
  return map;
}

export function awaitingComment(reflection: ReflectionItem): boolean {
  return reflection.comments.length === 0;
}

export interface ReflectionGroups {
  waiting: ReflectionItem[];
  discussed: ReflectionItem[];
}

// The reflections that were waiting for a comment when they were loaded (`waiting`, ids), and
// the rest; each group in the order written. A reflection commented on during the visit stays
// where the reader found it.
export function groupReflections(reflections: ReflectionItem[], waiting: ReadonlySet<number>): ReflectionGroups {
  const byTime = [...reflections].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
  return {
    waiting: byTime.filter((r) => waiting.has(r.id)),
    discussed: byTime.filter((r) => !waiting.has(r.id)),
  };
}

// Only supervisors comment: the reader's own comments are "You".
export function commentAuthor(author: number, me: number): string {
  return author === me ? "You" : "Another supervisor";
}

// Adds one page of reflections to those already shown, without showing any twice.
export function mergePage(shown: ReflectionItem[], page: ReflectionItem[]): ReflectionItem[] {
  const seen = new Set(shown.map((r) => r.id));
  return [...shown, ...page.filter((r) => !seen.has(r.id))];
}
