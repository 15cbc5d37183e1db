// The service admin's pages: the service overview, people, questionnaires and the audit log.
import type { RouteDef } from "../../routes";
import { Audit } from "./Audit";
import { Instruments } from "./Instruments";
import { People } from "./People";
import { ServiceOverview } from "./Service";

export const adminRoutes: RouteDef[] = [
  { pattern: "/admin", roles: ["admin"], view: () => <ServiceOverview /> },
  { pattern: "/admin/users", roles: ["admin"], view: () => <People /> },
  { pattern: "/admin/instruments", roles: ["admin"], view: () => <Instruments /> },
  { pattern: "/admin/audit", roles: ["admin"], view: () => <Audit /> },
];
