// The therapist's pages. "/clients/new" comes before "/clients/:id" (the first match wins).
import type { RouteDef } from "../../routes";
import { caseloadView, clientView, newClientView, progressView, reflectionsView, sessionView } from "./views";

export const therapistRoutes: RouteDef[] = [
  { pattern: "/caseload", roles: ["therapist"], view: caseloadView },
  { pattern: "/clients/new", roles: ["therapist"], view: newClientView },
  { pattern: "/clients/:id", roles: ["therapist", "supervisor"], view: clientView },
  { pattern: "/clients/:id/progress", roles: ["therapist"], view: progressView },
  { pattern: "/clients/:id/session", roles: ["therapist"], view: sessionView },
  { pattern: "/reflections", roles: ["therapist"], view: reflectionsView },
];
