import seedrandom from "seedrandom";

export type Rng = () => number;

/** A reproducible uniform [0, 1) generator: the same seed text gives the same report. */
export function seededRng(seed: string): Rng {
  return seedrandom(seed);
}
