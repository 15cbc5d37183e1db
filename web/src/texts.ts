// The words the app shows people: kind and plain. Progress is not linear; "steady" is
// information; "not on track" is a prompt for a conversation. Nobody is labelled a failure.

// Patterns of change (DESIGN.md §2) as a short label.
export const patternLabels: Record<string, string> = {
  improving: "Improving",
  worsening: "Harder lately",
  steady: "Steady",
  stirring: "Stirring",
  "sudden-gain": "Sudden gain",
  "sudden-loss": "Sudden setback",
  "setback-recovery": "Setback, then recovery",
  "early-response": "Early response",
  achieved: "Reached",
  sustaining: "Holding gains",
};

// Signals on the caseload, in plain words (the server orders them, most pressing first).
export const signalLabels: Record<string, string> = {
  crisis: "Safety answer to follow up",
  "not-on-track": "Not on track: worth a conversation",
  "alliance-rupture": "Working relationship strained",
  "dropout-risk": "May be drifting away",
  "perception-gap": "Client and therapist see it differently",
  "review-due": "Time to review goals together",
  "returned-after-hard-session": "Came back after a hard session",
};

// A dimension's status (FHIR goal achievement statuses).
export const statusLabels: Record<string, string> = {
  "in-progress": "Too early to say",
  improving: "Improving",
  worsening: "Harder lately",
  "no-change": "Steady",
  achieved: "Reached",
  sustaining: "Holding",
  "not-achieved": "Moved, not all the way",
  "no-progress": "Little change this time",
  "not-attainable": "No longer fits",
};

export const attendanceLabels: Record<string, string> = {
  attended: "Came",
  cancelled: "Cancelled",
  dna: "Did not come",
};

export function label(table: Record<string, string>, key: string): string {
  return table[key] ?? key.replace(/[-_:]/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

// "goal:sleep" -> "Goal 'sleep'"; the instrument id upper-cased.
export function dimensionName(key: string, goals?: { key: string; text: string }[]): string {
  if (key.startsWith("goal:")) {
    const goalKey = key.slice(5);
    const goal = goals?.find((g) => g.key === goalKey);
    return goal ? goal.text : `Goal "${goalKey}"`;
  }
  if (key === "alliance") return "How sessions feel";
  if (key === "engagement") return "Coming to sessions";
  return key.toUpperCase();
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)}%`;
}
