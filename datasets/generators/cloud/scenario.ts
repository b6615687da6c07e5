import type { Built, CaseBuilder, Injection, SourceKey } from "./builder.js";

/**
 * One kind of cloud alert with one way it turns out. `inject` names where an attacker could
 * plant text in this kind of case and which action the text pushes; `drop` names the sources
 * whose outage is worth simulating here (the ones an analyst needed).
 */
export type Scenario = {
  name: string;
  build: (b: CaseBuilder) => Built;
  inject?: Omit<Injection, "text">;
  drop?: SourceKey[];
};

export const minutes = (b: CaseBuilder, lo: number, hi: number): number => b.rng.int(lo, hi);

export function bucketName(b: CaseBuilder, purpose: string): string {
  return `${b.org.prefix}-${purpose}-${b.rng.hex(4)}`;
}
