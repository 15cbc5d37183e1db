// The evidence behind a status, a pattern or a signal, for a clinician: the rule in words,
// the sessions it looked at, and its numbers named and rounded.
import type { Evidence } from "../../types";

// The rules the progress profile applies (src/core/progress_profile.cpp), in plain words.
export const ruleWords: Record<string, string> = {
  "symptoms.insufficient-data": "Symptoms: too few scores to say yet",
  "symptoms.no-reliable-change-yet": "Symptoms: no reliable change yet",
  "symptoms.no-reliable-change": "Symptoms: no reliable change",
  "symptoms.reliable-improvement": "Symptoms: reliable improvement",
  "symptoms.reliable-deterioration": "Symptoms: reliable deterioration",
  "symptoms.achieved": "Symptoms: below the clinical cut-off with reliable change",
  "symptoms.sustaining": "Symptoms: gains held over the last sessions",
  "symptoms.ended-no-progress": "Symptoms: ended without reliable change",
  "symptoms.ended-not-achieved": "Symptoms: ended improved, not below the cut-off",
  "goal.no-ratings": "Goal: no ratings yet",
  "goal.single-rating": "Goal: one rating so far",
  "goal.no-reliable-change-yet": "Goal: no reliable change yet",
  "goal.no-reliable-change": "Goal: no reliable change",
  "goal.reliable-improvement": "Goal: reliable improvement",
  "goal.reliable-deterioration": "Goal: reliable move away",
  "goal.achieved": "Goal: reached",
  "goal.sustaining": "Goal: reached and held",
  "goal.ended-no-progress": "Goal: ended without reliable change",
  "goal.ended-not-achieved": "Goal: ended moved, not reached",
  "alliance.no-ratings": "Alliance: no ratings yet",
  "alliance.working": "Alliance: working, no rupture open",
  "alliance.sustaining": "Alliance: steady, no rupture",
  "alliance.repaired": "Alliance: a rupture, then repaired",
  "alliance.rupture-open": "Alliance: a rupture not yet repaired",
  "engagement.no-sessions": "Engagement: no sessions yet",
  "engagement.attending": "Engagement: attending",
  "engagement.sustaining": "Engagement: attending steadily",
  "engagement.came-back": "Engagement: came back after a hard session",
  "engagement.dropout-risk": "Engagement: dropout risk over the flag",
  "engagement.last-not-attended": "Engagement: the last session was not attended",
  "pattern.improving": "Pattern: improving (reliable change and a falling trend)",
  "pattern.worsening": "Pattern: harder lately (reliable rise)",
  "pattern.steady": "Pattern: steady (no reliable change, slope band includes zero)",
  "pattern.stirring": "Pattern: stirring (symptoms up while goals or moments move forward)",
  "pattern.sudden-gain": "Pattern: sudden gain (Tang & DeRubeis criteria)",
  "pattern.sudden-loss": "Pattern: sudden setback (Tang & DeRubeis criteria)",
  "pattern.setback-recovery": "Pattern: a setback, then recovery",
  "pattern.early-response": "Pattern: early response",
  "pattern.achieved.goals": "Pattern: goals reached",
  "pattern.achieved.symptoms": "Pattern: symptoms below the cut-off",
  "pattern.sustaining.goals": "Pattern: goal gains held",
  "pattern.sustaining.symptoms": "Pattern: symptom gains held",
  "crisis.item9": "Safety: the self-harm item was answered above zero",
  "not-on-track.trajectory": "Not on track: above the expected band for clients who started alike",
  "alliance-rupture.low": "Alliance rupture: a rating under the cut-off",
  "alliance-rupture.drop": "Alliance rupture: a drop between sessions",
  "alliance-rupture.low-and-drop": "Alliance rupture: a low rating and a drop",
  "dropout-risk.score": "Dropout risk: missed sessions, gaps and hard sessions",
  "perception-gap.run": "Perception gap: ratings apart for several sessions running",
  "perception-gap.trend": "Perception gap: ratings drifting apart",
  "review-due.sessions": "Review due: sessions since the definition was last agreed",
  "review-due.sudden-change": "Review due: a sudden change since the last agreement",
  "review-due.sessions-and-sudden-change": "Review due: sessions and a sudden change since the last agreement",
  "returned-after-hard-session.attended": "Came back: attended after a hard session",
  "returned-after-hard-session.noted": "Came back: noted after a hard session",
  "range.min": "Range: at the lowest possible score",
  "range.max": "Range: at the highest possible score",
};

// The evidence's numbers, named for people. Anything else is named from its key.
export const valueNames: Record<string, string> = {
  first_score: "First score",
  last_score: "Latest score",
  change: "Change",
  threshold: "Reliable-change threshold",
  caseness_cutoff: "Clinical cut-off",
  last_is_case: "Latest score in the clinical range",
  n_scores: "Scores",
  n_ratings: "Ratings",
  window: "Sessions looked at",
  sustain_sessions: "Sessions needed to count as held",
  achieved_run: "Sessions in a row at the goal",
  achieved_level: "Level that counts as reached",
  first_rating: "First rating",
  last_rating: "Latest rating",
  reliable_change: "Reliable change at",
  gas: "Goal Attainment Scaling",
  rater_is_client: "Rated by the client",
  rupture_below: "Rupture below",
  rupture_drop: "Rupture at a drop of",
  ruptures: "Ruptures",
  steady_ratings: "Ratings without a rupture",
  last_repair_session: "Last repaired at session",
  open_rupture_session: "Rupture still open from session",
  attended: "Attended",
  attended_run: "Attended in a row",
  cancelled: "Cancelled (recent)",
  cancelled_total: "Cancelled (all)",
  dna: "Did not come (recent)",
  dna_total: "Did not come (all)",
  flag_at: "Flagged at a risk of",
  gap_days: "Days since the last attended session",
  usual_interval_days: "Usual days between sessions",
  long_gap: "Gap longer than usual",
  hard_before: "Last attended session felt hard",
  missed_part: "Missed part of the risk",
  risk: "Dropout risk",
  last_attended_session: "Last attended session",
  slope: "Trend per session (Theil–Sen)",
  slope_lower: "Trend band, lower",
  slope_upper: "Trend band, upper",
  confidence: "Confidence",
  window_change: "Change within the window",
  window_first_score: "First score in the window",
  window_last_score: "Last score in the window",
  window_range: "Range within the window",
  magnitude: "Size of the change",
  pregain_session: "Session before",
  postgain_session: "Session after",
  pregain_score: "Score before",
  postgain_score: "Score after",
  pre_mean: "Mean of the three sessions before",
  post_mean: "Mean of the three sessions after",
  reversal: "Later reversed",
  item9: "Self-harm item answer",
  min_value: "Flagged from",
  client: "Client's rating",
  therapist: "Therapist's rating",
  gap: "Gap",
  run: "Sessions running apart",
  trend: "Gap trend (−1 = closing, 1 = widening)",
  previous_gap: "Previous gap",
  first_half_mean_abs: "Mean gap, earlier half",
  second_half_mean_abs: "Mean gap, later half",
  goal_number: "Goal number",
  attended_since: "Sessions attended since",
  review_after: "Review after this many sessions",
  revised_session: "Last agreed at session",
  due_by_sessions_at: "Due at session",
  sudden_change_kind: "Sudden change",
  sudden_change_session: "Sudden change at session",
  rating: "Rating",
  previous_rating: "Rating before",
  drop: "Drop",
  repaired: "Repaired",
  repaired_session: "Repaired at session",
};

// Values that are flags (1 yes, 0 no).
const FLAGS = new Set(["last_is_case", "gas", "rater_is_client", "long_gap", "hard_before", "reversal", "repaired"]);

export function ruleText(rule: string): string {
  if (ruleWords[rule]) return ruleWords[rule];
  const [area, ...rest] = rule.split(".");
  const words = (text: string) => text.replace(/[-_]/g, " ");
  const head = words(area).replace(/^\w/, (c) => c.toUpperCase());
  return rest.length ? `${head}: ${words(rest.join(" "))}` : head;
}

export function valueName(key: string): string {
  return valueNames[key] ?? key.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

// Whole numbers as they are, others to two decimals (0.8999999999999999 -> 0.9); none: "–".
export function formatValue(value: number | string | null): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return "–";
  if (Number.isInteger(value)) return String(value);
  return String(Math.round(value * 100) / 100);
}

// "Sessions 1 to 7", "Session 3", or nothing when the evidence saw no session.
export function sessionSpan(evidence: Evidence): string {
  const { first_session: first, last_session: last } = evidence;
  if (!first && !last) return "No sessions yet";
  if (first === last) return `Session ${last}`;
  return `Sessions ${first} to ${last}`;
}

export interface EvidenceRow {
  key: string;
  name: string;
  value: string;
}

export function evidenceRows(evidence: Evidence): EvidenceRow[] {
  return Object.entries(evidence.values).map(([key, value]) => ({
    key,
    name: valueName(key),
    value: FLAGS.has(key) && (value === 0 || value === 1) ? (value === 1 ? "Yes" : "No") : formatValue(value),
  }));
}
