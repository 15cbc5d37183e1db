// Shapes the client's pages use that the shared types.ts does not carry (yet): what the
// server answers when a record is made, today's opened session, and the definition's
// `changes` as the server really sends them (a rewording is {key, before, after}).
import type { Definition } from "../../types";

export interface Created {
  id: number;
}

export interface OpenedSession {
  session: { id: number; number: number; date: string };
}

export interface GoalRewording {
  key: string;
  before: string;
  after: string;
}

export interface VersionChanges {
  fields: string[];
  goals_added: string[];
  goals_removed: string[];
  goals_retuned: string[];
  goals_reworded: GoalRewording[];
}

// A definition version as GET /episodes/{id}/definitions sends it.
export type DefinitionVersion = Omit<Definition, "changes" | "revised_at_session"> & {
  changes: VersionChanges;
  revised_at_session: number | null;
};
