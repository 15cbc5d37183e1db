// The therapist's pages.
import type { RouteDef } from "../../routes";

export const therapistRoutes: RouteDef[] = [];
