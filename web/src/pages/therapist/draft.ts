// The progress conversation's editor as plain data: a draft made from the current version
// (or empty), goal keys as short slugs, the checks the server makes (src/core/record.cpp
// validate(ProgressDefinition)) said before sending, and the request body.
import type { DefinitionRequest, DefinitionVersion } from "./types";

export interface GoalDraft {
  key: string;
  text: string;
  scale: "gbo" | "gas";
  gasLevels: string[]; // always five, -2..+2
  isNew: boolean; // a goal of the current version keeps its key, so its history stays with it
  keyTyped: boolean; // the therapist chose the key; otherwise it follows the goal's words
}

export interface DefinitionDraft {
  hopes: string;
  better_looks_like: string;
  small_shifts: string;
  change_note: string;
  goals: GoalDraft[];
}

export interface DraftProblem {
  field: string; // "hopes", "goals", "goals[1].text", "goals[0].gas_levels[2]"
  message: string;
}

export const KEY_MAX = 24;
export const KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// Words that say little about which goal it is.
const STOP_WORDS = new Set(
  "a an the to of and or in on at for with by from my me i i'm im be is am are get go going back again more less some my own our your their them it its not no so than that this".split(
    " ",
  ),
);

// "Go back to choir on Thursdays" -> "choir-thursdays"; unique among `taken`.
export function slugify(text: string, taken: string[] = []): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  let base = (meaningful.length ? meaningful : words).slice(0, 2).join("-").slice(0, KEY_MAX).replace(/-+$/, "");
  if (!base) base = "goal";
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, KEY_MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

export function emptyGoal(): GoalDraft {
  return { key: "", text: "", scale: "gbo", gasLevels: ["", "", "", "", ""], isNew: true, keyTyped: false };
}

function fiveLevels(levels: string[] | undefined): string[] {
  return [0, 1, 2, 3, 4].map((i) => levels?.[i] ?? "");
}

// The editor starts from the current version, or from one empty goal.
export function draftFrom(current: DefinitionVersion | null): DefinitionDraft {
  if (!current) return { hopes: "", better_looks_like: "", small_shifts: "", change_note: "", goals: [emptyGoal()] };
  return {
    hopes: current.hopes,
    better_looks_like: current.better_looks_like,
    small_shifts: current.small_shifts,
    change_note: "",
    goals: current.goals.map((g) => ({ key: g.key, text: g.text, scale: g.scale, gasLevels: fiveLevels(g.gas_levels), isNew: false, keyTyped: true })),
  };
}

// A new goal's key follows its words until the therapist types one of their own.
export function withSuggestedKeys(draft: DefinitionDraft): DefinitionDraft {
  const fixed = (g: GoalDraft) => !g.isNew || g.keyTyped;
  const taken = draft.goals.filter(fixed).map((g) => g.key.trim());
  const goals = draft.goals.map((goal) => {
    if (fixed(goal)) return goal;
    const key = goal.text.trim() ? slugify(goal.text, taken) : "";
    if (key) taken.push(key);
    return { ...goal, key };
  });
  return { ...draft, goals };
}

const blank = (text: string) => text.trim() === "";

// Everything the server would refuse, plus the slug rule for new keys, in the editor's order.
export function checkDraft(draft: DefinitionDraft): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (blank(draft.hopes)) problems.push({ field: "hopes", message: "Write what they hope for, in their words." });
  if (draft.goals.length === 0) problems.push({ field: "goals", message: "Name at least one goal." });
  const seen = new Set<string>();
  draft.goals.forEach((goal, i) => {
    const where = `goals[${i}]`;
    const key = goal.key.trim();
    if (blank(goal.text)) problems.push({ field: `${where}.text`, message: `Goal ${i + 1}: say the goal in the client's words.` });
    if (!key) {
      // A new goal's key comes from its words: asking for both at once would say it twice.
      if (!(goal.isNew && !goal.keyTyped && blank(goal.text))) {
        problems.push({ field: `${where}.key`, message: `Goal ${i + 1}: give it a short name (key).` });
      }
    } else if (goal.isNew && (!KEY_PATTERN.test(key) || key.length > KEY_MAX)) {
      problems.push({
        field: `${where}.key`,
        message: `Goal ${i + 1}: the short name uses lower-case letters, digits and hyphens, up to ${KEY_MAX} characters (like “sleep” or “see-friends”).`,
      });
    } else if (seen.has(key)) problems.push({ field: `${where}.key`, message: `Goal ${i + 1}: the short name “${key}” is used twice.` });
    seen.add(key);
    if (goal.scale === "gas") {
      goal.gasLevels.forEach((level, l) => {
        if (blank(level)) {
          problems.push({
            field: `${where}.gas_levels[${l}]`,
            message: `Goal ${i + 1}: describe what level ${l - 2 > 0 ? "+" : ""}${l - 2} looks like (all five levels are needed).`,
          });
        }
      });
    }
  });
  return problems;
}

export function draftToRequest(draft: DefinitionDraft): DefinitionRequest {
  return {
    hopes: draft.hopes.trim(),
    better_looks_like: draft.better_looks_like.trim(),
    small_shifts: draft.small_shifts.trim(),
    change_note: draft.change_note.trim(),
    goals: draft.goals.map((g) =>
      g.scale === "gas"
        ? { key: g.key.trim(), text: g.text.trim(), scale: "gas", gas_levels: g.gasLevels.map((l) => l.trim()) }
        : { key: g.key.trim(), text: g.text.trim(), scale: "gbo" },
    ),
  };
}

// Whether saving the draft would say anything new (the change note alone is not a change).
export function draftChanges(draft: DefinitionDraft, current: DefinitionVersion | null): boolean {
  if (!current) return true;
  const body = draftToRequest(draft);
  if (body.hopes !== current.hopes || body.better_looks_like !== current.better_looks_like || body.small_shifts !== current.small_shifts) {
    return true;
  }
  if (body.goals.length !== current.goals.length) return true;
  return body.goals.some((g, i) => {
    const old = current.goals[i];
    if (g.key !== old.key || g.text !== old.text || g.scale !== old.scale) return true;
    return g.scale === "gas" && (g.gas_levels ?? []).some((level, l) => level !== (old.gas_levels?.[l] ?? ""));
  });
}
