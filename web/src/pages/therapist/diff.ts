// What changed between two versions of the co-defined progress, for people: the server's
// `changes` in sentences, and a side-by-side of the old and new words with the words that
// went and came marked (a word-level longest-common-subsequence diff).
import type { Goal } from "../../types";
import type { DefinitionVersion, VersionChanges } from "./types";
import { definitionFieldLabels, gasLevelNames, scaleShort } from "./words";

export interface Segment {
  kind: "same" | "added" | "removed";
  text: string;
}

// Words and the spaces between them, so the pieces put back together give the text.
function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

// Past this many words each side the table would be large; the whole text is then shown
// as replaced, which is still true.
const MAX_TOKENS = 600;

function push(out: Segment[], kind: Segment["kind"], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.kind === kind) last.text += text;
  else out.push({ kind, text });
}

// The old text's and the new text's words: kept, removed and added, in reading order.
export function wordDiff(before: string, after: string): Segment[] {
  const a = tokens(before);
  const b = tokens(after);
  const out: Segment[] = [];
  if (a.length > MAX_TOKENS || b.length > MAX_TOKENS) {
    if (before === after) push(out, "same", before);
    else {
      push(out, "removed", before);
      push(out, "added", after);
    }
    return out;
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push(out, "same", a[i]);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      push(out, "removed", a[i++]);
    } else {
      push(out, "added", b[j++]);
    }
  }
  while (i < a.length) push(out, "removed", a[i++]);
  while (j < b.length) push(out, "added", b[j++]);
  return joinAcrossSpaces(out);
}

// "once a month" -> "most weeks" reads as one change, not "once a"/"most", " ", "month"/"weeks":
// a kept run of only spaces between two changes joins them, and each change shows what
// went before what came.
function joinAcrossSpaces(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  let removed = "";
  let added = "";
  let open = false;
  const flush = () => {
    push(out, "removed", removed);
    push(out, "added", added);
    removed = "";
    added = "";
    open = false;
  };
  segments.forEach((segment, index) => {
    if (segment.kind === "removed") {
      removed += segment.text;
      open = true;
    } else if (segment.kind === "added") {
      added += segment.text;
      open = true;
    } else if (open && /^\s+$/.test(segment.text) && index + 1 < segments.length) {
      removed += segment.text;
      added += segment.text;
    } else {
      if (open) flush();
      push(out, "same", segment.text);
    }
  });
  if (open) flush();
  return out;
}

// The old side (kept + removed) or the new side (kept + added) of a diff.
export function side(segments: Segment[], which: "before" | "after"): Segment[] {
  const drop = which === "before" ? "added" : "removed";
  return segments.filter((s) => s.kind !== drop);
}

function goalText(goals: Goal[] | undefined, key: string): string {
  return goals?.find((g) => g.key === key)?.text ?? key;
}

// The server's list of what changed, as sentences. `before` names goals that were set aside.
export function changeSentences(version: DefinitionVersion, before: DefinitionVersion | null): string[] {
  const changes: VersionChanges = version.changes;
  const out: string[] = [];
  if (version.version === 1 || !before) return ["The first version, written together."];
  for (const field of ["hopes", "better_looks_like", "small_shifts"]) {
    if (changes.fields.includes(field)) out.push(`${definitionFieldLabels[field]}: new words.`);
  }
  for (const key of changes.goals_added) out.push(`Goal added: “${goalText(version.goals, key)}”.`);
  for (const key of changes.goals_removed) out.push(`Goal set aside: “${goalText(before.goals, key)}”.`);
  for (const r of changes.goals_reworded) out.push(`Goal put in new words: “${r.before}” became “${r.after}”.`);
  for (const key of changes.goals_retuned) out.push(`Goal retuned (its scale or levels): “${goalText(version.goals, key)}”.`);
  const goalListChanged =
    changes.goals_added.length + changes.goals_removed.length + changes.goals_reworded.length + changes.goals_retuned.length > 0;
  if (changes.fields.includes("goals") && !goalListChanged) out.push("The goals were put in a new order.");
  if (out.length === 0) out.push("The words stayed the same; this version was written again.");
  return out;
}

export interface TextComparison {
  field: string;
  label: string;
  before: string;
  after: string;
  changed: boolean;
  segments: Segment[];
}

export interface GoalComparison {
  key: string;
  status: "added" | "removed" | "changed" | "same";
  before: Goal | null;
  after: Goal | null;
  text: TextComparison;
  scale: { before: string; after: string; changed: boolean } | null;
  levels: TextComparison[]; // GAS levels, when either side is GAS
}

export interface VersionComparison {
  fields: TextComparison[];
  goals: GoalComparison[];
}

function compareText(field: string, label: string, before: string, after: string): TextComparison {
  return { field, label, before, after, changed: before !== after, segments: wordDiff(before, after) };
}

function compareGoal(before: Goal | null, after: Goal | null): GoalComparison {
  const key = (after ?? before)!.key;
  const text = compareText(`goal:${key}`, "Goal", before?.text ?? "", after?.text ?? "");
  const scaleBefore = before ? scaleShort[before.scale] : "";
  const scaleAfter = after ? scaleShort[after.scale] : "";
  const anyGas = before?.scale === "gas" || after?.scale === "gas";
  const levels = anyGas
    ? gasLevelNames.map((name, i) =>
        compareText(
          `goal:${key}:level${i - 2}`,
          name,
          before?.scale === "gas" ? (before.gas_levels?.[i] ?? "") : "",
          after?.scale === "gas" ? (after.gas_levels?.[i] ?? "") : "",
        ),
      )
    : [];
  const changed = text.changed || scaleBefore !== scaleAfter || levels.some((l) => l.changed);
  return {
    key,
    status: !before ? "added" : !after ? "removed" : changed ? "changed" : "same",
    before,
    after,
    text,
    scale: before && after ? { before: scaleBefore, after: scaleAfter, changed: scaleBefore !== scaleAfter } : null,
    levels,
  };
}

// Side by side: the three texts, then each goal of the new version in its order, then the
// goals set aside.
export function compareVersions(before: DefinitionVersion | null, after: DefinitionVersion): VersionComparison {
  const fields = (["hopes", "better_looks_like", "small_shifts"] as const).map((field) =>
    compareText(field, definitionFieldLabels[field], before ? before[field] : "", after[field]),
  );
  const oldGoals = before?.goals ?? [];
  const goals = after.goals.map((goal) => compareGoal(oldGoals.find((g) => g.key === goal.key) ?? null, goal));
  for (const goal of oldGoals) {
    if (!after.goals.some((g) => g.key === goal.key)) goals.push(compareGoal(goal, null));
  }
  return { fields, goals };
}

// Who has agreed to a version, in words.
export function agreementWords(version: DefinitionVersion): string {
  const client = version.client_agreed_at !== null;
  const therapist = version.therapist_agreed_at !== null;
  if (client && therapist) return "Agreed by both of you";
  if (client) return "The client has agreed; your agreement is still to come";
  if (therapist) return "You have agreed; the client has not yet";
  return "Not agreed yet by either of you";
}
