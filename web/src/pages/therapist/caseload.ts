// The caseload's filter: by name, by whether there is something to look at, by kind of
// signal, and open or ended. The server's order (most pressing first) is kept.
import type { CaseloadEntry } from "../../types";

export interface CaseloadFilter {
  query: string;
  onlySignals: boolean;
  signalTypes: string[]; // empty: any kind
  showOpen: boolean;
  showEnded: boolean;
}

export const noFilter: CaseloadFilter = { query: "", onlySignals: false, signalTypes: [], showOpen: true, showEnded: true };

// Lower-case, accents taken off, so "zoe" finds "Zoë".
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

export function isOpen(entry: CaseloadEntry): boolean {
  return !entry.ended && entry.open_episode !== null;
}

export function filterCaseload(entries: CaseloadEntry[], filter: CaseloadFilter): CaseloadEntry[] {
  const words = fold(filter.query).split(/\s+/).filter(Boolean);
  return entries.filter((entry) => {
    const name = fold(entry.display_name);
    if (!words.every((word) => name.includes(word))) return false;
    const open = isOpen(entry);
    if (open && !filter.showOpen) return false;
    if (!open && !filter.showEnded) return false;
    if (filter.onlySignals && entry.signals.length === 0) return false;
    if (filter.signalTypes.length > 0 && !entry.signals.some((s) => filter.signalTypes.includes(s.type))) return false;
    return true;
  });
}

// Each kind of signal on the caseload with how many clients carry it, in the order the
// server puts them first.
export function signalCounts(entries: CaseloadEntry[]): { type: string; clients: number }[] {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    for (const type of new Set(entry.signals.map((s) => s.type))) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, clients]) => ({ type, clients }));
}

export function isFiltered(filter: CaseloadFilter): boolean {
  return (
    filter.query.trim() !== "" ||
    filter.onlySignals ||
    filter.signalTypes.length > 0 ||
    !filter.showOpen ||
    !filter.showEnded
  );
}

// "12 clients, 9 with something to look at".
export function caseloadSummary(entries: CaseloadEntry[]): string {
  const withSignals = entries.filter((e) => e.signals.length > 0).length;
  const open = entries.filter(isOpen).length;
  const clients = `${entries.length} ${entries.length === 1 ? "client" : "clients"}`;
  return `${clients} (${open} open), ${withSignals} with something to look at`;
}
