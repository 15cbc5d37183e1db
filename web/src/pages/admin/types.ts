// Shapes the admin's pages read that src/types.ts does not carry (yet), as `tandem serve`
// answers them (docs/openapi.yaml, src/api/routes_care.cpp, src/api/routes_auth.cpp).
import type { OutcomeSummary, Role } from "../../types";

// GET /service-outcomes: `paired` is null when no closed episode has PHQ-9 and GAD-7 both;
// `by_month` (closed episodes by the month they closed) is newer than some servers.
export interface ServiceOutcomesAnswer {
  episodes_open: number;
  episodes_closed: number;
  episodes_without_rules: number;
  paired: OutcomeSummary | null;
  single_measure: { instrument: string; summary: OutcomeSummary }[];
  by_month?: { month: string; summary: OutcomeSummary }[];
}

// GET /invitations: staff invitations carry the name and trainee flag, client ones the record.
export interface InvitationRow {
  id: number;
  status: "pending" | "used" | "expired";
  role: Role;
  client: number | null;
  display_name?: string;
  trainee?: boolean;
  created_by: number;
  created_at: string;
  expires_at: string;
}

// POST /invitations: the token is shown once, as a link.
export interface InvitationCreated {
  id: number;
  token: string;
  expires_at: string;
}

export interface InstrumentOption {
  value: number;
  label: string;
}

// GET /instruments: a questionnaire's definition as the service holds it.
export interface InstrumentDefinition {
  id: string;
  name: string;
  version?: string;
  preamble: string;
  min_total: number;
  max_total: number;
  options: InstrumentOption[];
  items: { id: string; text: string; options?: InstrumentOption[] }[];
}

export type StaffRole = "therapist" | "supervisor" | "admin";
