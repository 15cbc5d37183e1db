// The check-in's screens, in order: each goal, the questionnaire when one is due (or was
// answered today), a moment that mattered, how the session felt, and the thank-you. Which
// are done, and where "Continue" takes someone who has answered part of it. Pure.
import type { CheckIn, Goal } from "../../types";

export type Step =
  | { kind: "goal"; goal: Goal }
  | { kind: "questionnaire" }
  | { kind: "moment" }
  | { kind: "feel" }
  | { kind: "thanks" };

export function buildSteps(checkIn: Pick<CheckIn, "goals" | "questionnaire" | "answered">): Step[] {
  const steps: Step[] = checkIn.goals.map((goal) => ({ kind: "goal" as const, goal }));
  if (checkIn.questionnaire || checkIn.answered.questionnaire) steps.push({ kind: "questionnaire" });
  steps.push({ kind: "moment" }, { kind: "feel" }, { kind: "thanks" });
  return steps;
}

// What has been answered so far on this device and at the server, together.
export interface Progress {
  goals: Record<string, number>;
  questionnaire: "due" | "sent" | "waiting"; // waiting: kept on the device until it can be sent
  moments: number;
  alliance: number | null;
  feltHard: boolean;
}

export function isDone(step: Step, progress: Progress): boolean {
  switch (step.kind) {
    case "goal":
      return progress.goals[step.goal.key] !== undefined;
    case "questionnaire":
      return progress.questionnaire !== "due";
    case "moment":
      return progress.moments > 0;
    case "feel":
      return progress.alliance !== null;
    case "thanks":
      return false;
  }
}

export function anyDone(steps: Step[], progress: Progress): boolean {
  return steps.some((step) => isDone(step, progress));
}

// Where "Continue" goes: the first goal, questionnaire or feeling not yet answered (the
// moment is optional, so it is skipped over once the rest is done), else the thank-you.
export function resumeAt(steps: Step[], progress: Progress): number {
  const open = steps.findIndex((step) => step.kind !== "thanks" && step.kind !== "moment" && !isDone(step, progress));
  return open >= 0 ? open : steps.length - 1;
}

export function stepTitle(step: Step, questionnaireName?: string): string {
  switch (step.kind) {
    case "goal":
      return step.goal.text;
    case "questionnaire":
      return questionnaireName ?? "Questionnaire";
    case "moment":
      return "A moment that mattered";
    case "feel":
      return "How did today's session feel?";
    case "thanks":
      return "Thank you";
  }
}

export function stepLabel(index: number, count: number): string {
  return `Step ${index + 1} of ${count}`;
}
