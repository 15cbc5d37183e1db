// The admin's pages.
import type { RouteDef } from "../../routes";

export const adminRoutes: RouteDef[] = [];
