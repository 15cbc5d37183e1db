// Shapes the therapist's pages read that src/types.ts does not carry (yet), as the server
// answers them (docs/openapi.yaml, src/api/routes_care.cpp).
import type { Goal, Invitation, Rater, Session } from "../../types";

export interface Created {
  id: number;
}

export interface InvitationCreated {
  id: number;
  token: string;
  expires_at: string;
}

export interface StaffInvitation extends Invitation {
  created_by: number;
}

export interface InstrumentOption {
  value: number;
  label: string;
}

// GET /instruments: an instrument's definition (wording the service may show).
export interface Instrument {
  id: string;
  name: string;
  version?: string;
  preamble: string;
  min_total: number;
  max_total: number;
  options: InstrumentOption[];
  items: { id: string; text: string; options?: InstrumentOption[] }[];
}

// GET /episodes/{e}/sessions: the session row with its episode (notes only for staff).
export interface SessionRow extends Session {
  episode: number;
}

// GET /episodes/{e}/moments: `session` is the session's id (not its number).
export interface MomentRow {
  id: number;
  session: number | null;
  tag: string;
  text: string;
  by: Rater;
  at?: string;
}

// GET /episodes/{e}/goal-ratings: `session` is the session's id.
export interface GoalRatingRow {
  id: number;
  session: number;
  goal_key: string;
  rater: Rater;
  value: number;
  at?: string;
}

// A reworded goal as the definitions list reports it (src/types.ts has strings here).
export interface Reworded {
  key: string;
  before: string;
  after: string;
}

export interface VersionChanges {
  fields: string[];
  goals_added: string[];
  goals_removed: string[];
  goals_retuned: string[];
  goals_reworded: Reworded[];
}

// One version of the co-defined progress (GET /episodes/{e}/definitions).
export interface DefinitionVersion {
  version: number;
  hopes: string;
  better_looks_like: string;
  small_shifts: string;
  change_note: string;
  goals: Goal[];
  changed_at: string;
  changed_by: number;
  changes: VersionChanges;
  client_agreed_at: string | null;
  therapist_agreed_at: string | null;
  revised_at_session: number | null;
}

// POST /episodes/{e}/definitions
export interface DefinitionRequest {
  hopes: string;
  better_looks_like: string;
  small_shifts: string;
  change_note: string;
  goals: { key: string; text: string; scale: "gbo" | "gas"; gas_levels?: string[] }[];
}
