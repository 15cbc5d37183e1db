// The supervisor's pages.
import type { RouteDef } from "../../routes";

export const supervisorRoutes: RouteDef[] = [];
