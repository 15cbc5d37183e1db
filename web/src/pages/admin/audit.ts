// The audit page's filters as the query GET /api/v1/audit takes, and the shown rows as CSV.
// Pure functions (tested in audit.test.ts): dates are read in the browser's own time zone.
import type { AuditEntry } from "../../types";

// What the admin typed, as typed.
export interface AuditFilters {
  actor: string;
  action: string;
  record_type: string;
  record_id: string;
  from: string; // "YYYY-MM-DD" from <input type="date">, or ""
  to: string;
}

export const noFilters: AuditFilters = { actor: "", action: "", record_type: "", record_id: "", from: "", to: "" };

export type AuditParams = Record<string, string | number>;

export interface FilterProblem {
  field: keyof AuditFilters;
  message: string;
}

// Midnight at the start of a calendar day in the browser's time zone, in ms since 1970.
export function startOfDay(date: string): number | null {
  const m = date.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(year, month - 1, day);
  if (at.getFullYear() !== year || at.getMonth() !== month - 1 || at.getDate() !== day) return null;
  return at.getTime();
}

// The last millisecond of a calendar day, so "to" includes the whole day.
export function endOfDay(date: string): number | null {
  const start = startOfDay(date);
  if (start === null) return null;
  const at = new Date(start);
  return new Date(at.getFullYear(), at.getMonth(), at.getDate() + 1).getTime() - 1;
}

function positiveId(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value >= 1 ? value : null;
}

// The query parameters for the filters (empty ones left out), or what is wrong with them.
export function auditParams(filters: AuditFilters): { params: AuditParams; problems: FilterProblem[] } {
  const params: AuditParams = {};
  const problems: FilterProblem[] = [];
  for (const field of ["actor", "record_id"] as const) {
    const text = filters[field].trim();
    if (!text) continue;
    const id = positiveId(text);
    if (id === null) problems.push({ field, message: "Use a whole number from 1 up." });
    else params[field] = id;
  }
  const action = filters.action.trim();
  if (action) {
    if (/\s/.test(action)) problems.push({ field: "action", message: "An action has no spaces, e.g. episode.create or episode." });
    else params.action = action;
  }
  const recordType = filters.record_type.trim();
  if (recordType) params.record_type = recordType;
  const from = filters.from ? startOfDay(filters.from) : null;
  const to = filters.to ? endOfDay(filters.to) : null;
  if (filters.from && from === null) problems.push({ field: "from", message: "Use a date like 2026-11-26." });
  if (filters.to && to === null) problems.push({ field: "to", message: "Use a date like 2026-11-26." });
  // The API takes positive times only.
  if (from !== null && from >= 1) params.from = from;
  if (to !== null && to >= 1) params.to = to;
  if (from !== null && to !== null && to < from) problems.push({ field: "to", message: "The end date is before the start date." });
  return { params, problems };
}

// "?action=episode.&limit=100&after=40" for one page of the search.
export function auditQuery(params: AuditParams, limit: number, after: number | null): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) search.set(key, String(value));
  search.set("limit", String(limit));
  if (after !== null) search.set("after", String(after));
  return `?${search.toString()}`;
}

// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; a leading
// = + - @ (or tab / carriage return) is prefixed with ' so a spreadsheet shows it as text
// rather than running it as a formula.
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvColumns = ["id", "at", "actor", "actor_name", "action", "record_type", "record_id", "outcome"] as const;

// The rows shown, as CSV with a header line and CRLF line ends; actor names from `names`.
export function auditCsv(rows: AuditEntry[], names: ReadonlyMap<number, string>): string {
  const lines = [csvColumns.join(",")];
  for (const row of rows) {
    const actorName = row.actor === null ? "Tandem" : names.get(row.actor) ?? "";
    lines.push(
      [row.id, row.at, row.actor, actorName, row.action, row.record_type, row.record_id, row.outcome].map(csvCell).join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

// "tandem-audit-2026-11-26.csv" for the day it was made (local date).
export function csvFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `tandem-audit-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
