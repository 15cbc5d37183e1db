// Small facts about episodes and sessions the therapist's pages share: which episode to
// show, the next session's number, today's date where the therapist is, the join link.
import type { Episode, Session } from "../../types";
import { formatDate } from "../../texts";
import { closeReasonLabels } from "./words";

// The open episode, else the one opened last.
export function defaultEpisode(episodes: Episode[]): Episode | null {
  const open = episodes.find((e) => e.status === "open");
  if (open) return open;
  return [...episodes].sort((a, b) => b.opened.localeCompare(a.opened) || b.id - a.id)[0] ?? null;
}

export function episodeLabel(episode: Episode): string {
  const instrument = episode.instrument.toUpperCase();
  if (episode.status === "open") return `Opened ${formatDate(episode.opened)}, open (${instrument})`;
  const reason = episode.close_reason ? `: ${closeReasonLabels[episode.close_reason] ?? episode.close_reason}` : "";
  return `${formatDate(episode.opened)} to ${formatDate(episode.closed)}, closed${reason} (${instrument})`;
}

export function nextSessionNumber(sessions: Pick<Session, "number">[]): number {
  return sessions.reduce((max, s) => Math.max(max, s.number), 0) + 1;
}

// YYYY-MM-DD of the day it is where the browser is (not in UTC).
export function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// The last session dated `today`, if the check-in or an earlier visit already made one.
export function sessionOn<T extends Pick<Session, "date" | "number">>(sessions: T[], today: string): T | null {
  return [...sessions].filter((s) => s.date === today).sort((a, b) => b.number - a.number)[0] ?? null;
}

// The one-time link a client opens to make their account; the token stays in the fragment.
export function joinLink(origin: string, token: string): string {
  return `${origin}/join#${token}`;
}
