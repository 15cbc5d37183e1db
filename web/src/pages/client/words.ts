// The client's pages in plain words: which episode to show, the server's client sentences
// with goals named by their own words, what changed between two versions of the agreement,
// the names of the GAS levels and of the moments that matter. Pure; tested in words.test.ts.
import type { Episode, Goal } from "../../types";
import type { DefinitionVersion } from "./types";

// The episode to show: the open one (the latest opened, should there be two), else the
// latest that closed; null when there is none.
export function chooseEpisode(episodes: Episode[]): Episode | null {
  const byRecent = [...episodes].sort((a, b) => (b.closed ?? "9999").localeCompare(a.closed ?? "9999") || b.opened.localeCompare(a.opened) || b.id - a.id);
  return byRecent.find((e) => e.status === "open") ?? byRecent[0] ?? null;
}

// The server's client sentences name a goal by its key ("goal 'sleep'"); the client wrote
// the goal in their own words, so those words are shown instead.
export function withGoalWords(sentence: string, goals: { key: string; text: string }[]): string {
  return sentence.replace(/\b(the |The )?([Gg])oal '([^']+)'/g, (whole, article: string | undefined, g: string, key: string) => {
    const goal = goals.find((x) => x.key === key);
    if (!goal) return whole;
    const capital = article ? article.startsWith("T") : g === "G";
    return `${capital ? "The" : "the"} goal “${goal.text}”`;
  });
}

// The five GAS levels, −2..+2, as the scale calls them; level 0 is the hoped-for outcome.
export const gasLevelNames = ["Much less than hoped", "Less than hoped", "What we hoped for", "More than hoped", "Much more than hoped"];

export function gasLevelNumber(index: number): string {
  const value = index - 2;
  return value > 0 ? `+${value}` : value < 0 ? `−${-value}` : "0";
}

// A GAS level value (−2..+2) in the client's own description, with its number.
export function gasLevelWords(goal: Pick<Goal, "gas_levels">, value: number): string {
  const own = goal.gas_levels?.[value + 2];
  return own ? `${gasLevelNumber(value + 2)}: ${own}` : gasLevelNumber(value + 2);
}

// Moments that matter: the well-known tags (core/episode.hpp) in the client's words. Any
// other non-empty tag is allowed; "something-else" is ours for a moment the client
// describes only in their own words. A tag is stored without encryption (the words are
// encrypted), so the tag is always chosen from this list, never made from the words.
export const momentChoices: { tag: string; label: string }[] = [
  { tag: "laughed", label: "I laughed" },
  { tag: "responded-not-reacted", label: "I responded instead of reacting" },
  { tag: "honest", label: "I said something honest" },
  { tag: "returned-after-hard-session", label: "I came back after a hard session" },
  { tag: "more-breathing-space", label: "I had a bit more breathing space" },
  { tag: "something-else", label: "Something else" },
];

export function momentLabel(tag: string): string {
  const known = momentChoices.find((c) => c.tag === tag);
  if (known) return known.label;
  const words = tag.replace(/[-_]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "A moment";
}

const fieldWords: Record<string, string> = {
  hopes: "What you hope for was rewritten.",
  better_looks_like: "What better looks like was rewritten.",
  small_shifts: "The small shifts that would matter were rewritten.",
};

// What changed in `version` since `previous`, one plain sentence each. Goals are named by
// their words (a removed goal by its words in the previous version).
export function describeChanges(version: DefinitionVersion, previous: DefinitionVersion | undefined): string[] {
  if (!previous) return ["The first version, written together."];
  const textOf = (key: string, from: DefinitionVersion | undefined) => from?.goals.find((g) => g.key === key)?.text ?? key;
  const lines: string[] = [];
  for (const field of version.changes.fields) {
    if (fieldWords[field]) lines.push(fieldWords[field]);
  }
  for (const key of version.changes.goals_added) lines.push(`A goal was added: “${textOf(key, version)}”.`);
  for (const key of version.changes.goals_removed) lines.push(`A goal was set aside: “${textOf(key, previous)}”.`);
  for (const r of version.changes.goals_reworded) lines.push(`A goal was put in new words: “${r.before}” became “${r.after}”.`);
  for (const key of version.changes.goals_retuned) lines.push(`How the goal “${textOf(key, version)}” is rated was adjusted.`);
  if (!lines.length) lines.push("Looked at again together; the words stayed the same.");
  return lines;
}

// The versions newest first, each with its predecessor (the server lists them oldest first).
export function newestFirst(versions: DefinitionVersion[]): { version: DefinitionVersion; previous: DefinitionVersion | undefined }[] {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  return sorted.map((version, i) => ({ version, previous: i > 0 ? sorted[i - 1] : undefined })).reverse();
}

// The order the journey lists the profile's dimensions in: the symptom measure first, then
// the goals as the definition lists them, then how sessions feel and coming to sessions.
export function dimensionOrder(keys: string[], instrument: string, goals: { key: string }[]): string[] {
  const rank = (key: string): number => {
    if (key === instrument) return 0;
    if (key.startsWith("goal:")) {
      const at = goals.findIndex((g) => `goal:${g.key}` === key);
      return 1 + (at < 0 ? goals.length : at) / (goals.length + 1);
    }
    if (key === "alliance") return 3;
    if (key === "engagement") return 4;
    return 5;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// "Patient Health Questionnaire-9 (PHQ-9)" -> "PHQ-9": the short name in brackets, else the
// instrument id in capitals.
export function shortName(name: string, id: string): string {
  const bracket = /\(([^()]+)\)\s*$/.exec(name);
  return bracket ? bracket[1] : id.toUpperCase();
}
