// The supervisor's pages: the supervisees at a glance, and each one's reflection log.
import type { RouteDef } from "../../routes";
import { Reflections } from "./Reflections";
import { Supervision } from "./Supervision";

export const supervisorRoutes: RouteDef[] = [
  { pattern: "/supervision", roles: ["supervisor"], view: () => <Supervision /> },
  {
    pattern: "/supervision/:therapistId/reflections",
    roles: ["supervisor"],
    view: (params) => <Reflections therapistId={params.therapistId} />,
  },
];
