// The client's pages: today's check-in and "My journey".
import { h } from "preact";
import type { RouteDef } from "../../routes";
import { CheckInPage } from "./CheckIn";
import { JourneyPage } from "./Journey";

export const clientRoutes: RouteDef[] = [
  { pattern: "/check-in", roles: ["client"], view: () => h(CheckInPage, {}) },
  { pattern: "/journey", roles: ["client"], view: () => h(JourneyPage, {}) },
];
