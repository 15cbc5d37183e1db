// The client's pages.
import type { RouteDef } from "../../routes";

export const clientRoutes: RouteDef[] = [];
