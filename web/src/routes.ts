// A page of the app: where it lives, who may open it, and what it shows.
import type { VNode } from "preact";
import type { Role } from "./types";

export interface RouteDef {
  pattern: string; // "/clients/:id"
  roles: Role[]; // who may open it (the server checks again on every request)
  view: (params: Record<string, string>) => VNode;
}
