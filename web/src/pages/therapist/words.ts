// The therapist's pages' own words, beside src/texts.ts: moment tags, how an episode ended,
// the GAS levels, the parts of a progress definition. Kind and plain, like texts.ts.

// The well-known moment tags (src/core/episode.hpp); any other short tag is allowed too.
export const momentLabels: Record<string, string> = {
  laughed: "Laughed",
  "responded-not-reacted": "Responded instead of reacting",
  honest: "Said something honest",
  "returned-after-hard-session": "Came back after a hard session",
  "more-breathing-space": "More breathing space",
};

// Why an episode closed (POST /episodes/{e}/close reasons).
export const closeReasonLabels: Record<string, string> = {
  completed: "We finished the work together",
  "dropped-out": "They stopped coming before the planned end",
  transferred: "They moved to another service or therapist",
};

// Goal Attainment Scaling levels -2..+2, in the order of gas_levels.
export const gasLevelNames = [
  "−2: much less than hoped",
  "−1: a little less than hoped",
  "0: the hoped-for level",
  "+1: a little more than hoped",
  "+2: much more than hoped",
];

export const scaleLabels: Record<string, string> = {
  gbo: "0 to 10: how close am I (Goal-Based Outcome)",
  gas: "Five described levels, −2 to +2 (Goal Attainment Scaling)",
};

export const scaleShort: Record<string, string> = {
  gbo: "0 to 10",
  gas: "five levels",
};

// The parts of a progress definition, as the conversation asks about them.
export const definitionFieldLabels: Record<string, string> = {
  hopes: "What they hope for",
  better_looks_like: "What “better” looks like in their world",
  small_shifts: "Small shifts that would feel meaningful",
  goals: "Goals",
};

export function signedLevel(value: number): string {
  return value > 0 ? `+${value}` : value < 0 ? `−${Math.abs(value)}` : "0";
}

// How likely it is that someone will not come back, in words, from 0.5 up.
export function dropoutWords(risk: number): string | null {
  if (!(risk >= 0.5)) return null;
  return risk >= 0.8 ? "A real chance they will not come back: worth reaching out" : "Some chance they will not come back";
}
