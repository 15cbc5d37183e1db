// The shapes `tandem serve` answers with (docs/openapi.yaml is the contract).

export type Role = "client" | "therapist" | "supervisor" | "admin";
export type Rater = "client" | "therapist";

export interface Me {
  id: number;
  org: number;
  role: Role;
  email: string;
  display_name: string;
  trainee: boolean;
  client_id?: number;
}

export interface LoginResult {
  token: string;
  csrf_token: string;
  expires_at: string;
  user: number;
  role: Role;
}

export interface Page<T> {
  items: T[];
  next_after: number | null;
}

export interface Client {
  id: number;
  display_name: string;
  birth_date: string | null;
  created_at: string;
  consent: { care: boolean; research: boolean };
}

export interface Episode {
  id: number;
  client: number;
  therapist: number;
  instrument: string;
  opened: string;
  closed: string | null;
  close_reason: string | null;
  status: "open" | "closed";
}

export interface Session {
  id: number;
  number: number;
  date: string;
  attendance: string;
  felt_hard_client: boolean;
  felt_hard_therapist: boolean;
  therapist_notes?: string;
}

export interface Signal {
  type: string;
  session: number;
  reason: string;
  subject?: string;
}

export interface CaseloadEntry {
  client: number;
  display_name: string;
  episode: number;
  open_episode: number | null;
  instrument: string;
  sessions: number;
  attended: number;
  last_session: string | null;
  ended: boolean;
  dropout_risk: number;
  patterns: string[];
  signals: Signal[];
}

export interface Caseload {
  clients: CaseloadEntry[];
}

export interface Evidence {
  rule: string;
  first_session: number;
  last_session: number;
  values: Record<string, number | string | null>;
}

export interface TextPair {
  client: string;
  therapist: string;
}

export interface Profile {
  episode: number;
  client: number;
  instrument: string;
  ended: boolean;
  dropout_risk: number;
  dimensions: Record<string, string>;
  patterns: string[];
  signals: (Signal & { evidence: Evidence })[];
  evidence: {
    dimensions: Record<string, Evidence>;
    patterns: Record<string, Evidence>;
  };
  texts: {
    dimensions: Record<string, TextPair>;
    patterns: Record<string, TextPair>;
    signals: (TextPair & { type: string; session: number })[];
  };
  trajectory_available: boolean;
}

export interface Goal {
  key: string;
  text: string;
  scale: "gbo" | "gas";
  gas_levels?: string[];
  weight?: number;
}

export interface DefinitionChanges {
  fields: string[];
  goals_added: string[];
  goals_removed: string[];
  goals_retuned: string[];
  goals_reworded: { key: string; before: string; after: string }[];
}

export interface Definition {
  version: number;
  hopes: string;
  better_looks_like: string;
  small_shifts: string;
  change_note: string;
  goals: Goal[];
  changed_at: string;
  changed_by: number;
  changes: DefinitionChanges;
  client_agreed_at: string | null;
  therapist_agreed_at: string | null;
  revised_at_session: number | null;
}

export interface TimelineSession {
  id: number;
  number: number;
  date: string;
  attendance: string;
  felt_hard_client: boolean;
  felt_hard_therapist: boolean;
}

export interface TimelineScore {
  session: number;
  date: string;
  total: number;
  band: string;
  answered_by: Rater;
  crisis: boolean;
}

export interface TimelineGoal {
  key: string;
  text: string;
  scale: "gbo" | "gas";
  gas_levels: string[];
  ratings: { session: number; rater: Rater; value: number }[];
}

export interface SuddenChange {
  kind: "gain" | "loss";
  pregain_session: number;
  postgain_session: number;
  magnitude: number;
  reversal: boolean;
}

export interface ExpectedPoint {
  session: number;
  p10: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
}

export interface Timeline {
  episode: number;
  client: number;
  status: "open" | "closed";
  instrument: {
    id: string;
    name: string;
    min: number;
    max: number;
    cutoff: number | null;
    reliable_change: number | null;
    lower_is_better: boolean;
  };
  sessions: TimelineSession[];
  scores: TimelineScore[];
  goals: TimelineGoal[];
  alliance: { session: number; value: number }[];
  moments: { session: number; tag: string; text?: string; by: Rater }[];
  sudden_changes: SuddenChange[];
  reliable_change_band: { intake: number; lower: number; upper: number } | null;
  expected: ExpectedPoint[] | null;
}

export interface QuestionnaireOption {
  value: number;
  label: string;
}

export interface CheckIn {
  session: { id: number; number: number; date: string } | null;
  goals: Goal[];
  questionnaire: {
    instrument: string;
    name: string;
    preamble: string;
    options: QuestionnaireOption[];
    items: { id: string; text: string; options?: QuestionnaireOption[] }[];
  } | null;
  answered: {
    goals: Record<string, number>;
    alliance: number | null;
    felt_hard: boolean;
    moments: number;
    questionnaire: boolean;
  };
  crisis_text: string;
}

export interface QuestionnaireResult {
  id: number;
  total: number | null;
  answered?: number;
  missing?: number;
  prorated?: boolean;
  band?: string;
  crisis?: boolean;
  crisis_text?: string | null;
}

export interface Reflection {
  id: number;
  author: number;
  episode: number | null;
  at: string;
  tried_to_fix: string;
  sat_with: string;
  comments: { id: number; author: number; at: string; text: string }[];
}

export interface SupervisionEntry {
  therapist: User;
  caseload: Caseload;
  reflections: number;
  reflections_awaiting_comment: number;
}

export interface Rate {
  numerator: number;
  denominator: number;
  rate: number | null;
}

export interface OutcomeSummary {
  episodes: number;
  finished_treatment: number;
  finished_at_caseness: number;
  finished_not_at_caseness: number;
  missing_paired_scores: number;
  recovery: Rate;
  reliable_improvement: Rate;
  reliable_deterioration: Rate;
  reliable_recovery: Rate;
}

export interface ServiceOutcomes {
  episodes_open: number;
  episodes_closed: number;
  episodes_without_rules: number;
  paired: OutcomeSummary | null;
  single_measure: { instrument: string; summary: OutcomeSummary }[];
  // Every closed episode with rules, by the month it closed ("2026-09"), oldest first.
  by_month: { month: string; summary: OutcomeSummary }[];
}

export interface User {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  trainee: boolean;
  active: boolean;
  client_id: number | null;
  created_at: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: number | null;
  action: string;
  record_type: string;
  record_id: number | null;
  outcome: string;
}

export interface Invitation {
  id: number;
  status: "pending" | "used" | "expired";
  role: Role;
  client: number | null;
  created_by: number;
  trainee?: boolean;
  display_name?: string;
  created_at: string;
  expires_at: string;
}

export interface Organisation {
  id: number;
  name: string;
  crisis_text: string;
}
