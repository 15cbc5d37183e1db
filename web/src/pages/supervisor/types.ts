// Shapes the supervisor's pages read, as `tandem serve` answers them (src/api/routes_care.cpp).
// src/types.ts has Reflection with a required episode; a reflection may be written without one.
import type { Caseload, User } from "../../types";

export interface ReflectionComment {
  id: number;
  author: number;
  at: string;
  text: string;
}

// GET /reflections?author=: one reflection and the comments on it.
export interface ReflectionItem {
  id: number;
  author: number;
  episode: number | null;
  at: string;
  tried_to_fix: string;
  sat_with: string;
  comments: ReflectionComment[];
}

// GET /supervision: one supervisee with their caseload and how their reflection log stands.
export interface Supervisee {
  therapist: User;
  caseload: Caseload;
  reflections: number;
  reflections_awaiting_comment: number;
}

export interface Created {
  id: number;
}
