import seedrandom from "seedrandom";

/** A seeded random source with the few draws generators need; same seed, same bytes. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: string | number) {
    this.next = seedrandom(String(seed));
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Pick by weight: [[value, weight], …]. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1]![0];
  }
  sample<T>(xs: readonly T[], n: number): T[] {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
  hex(len: number): string {
    let s = "";
    for (let i = 0; i < len; i++) s += "0123456789abcdef"[Math.floor(this.next() * 16)];
    return s;
  }
  ipv4Public(): string {
    // documentation and carrier ranges keep generated addresses from naming real hosts
    const nets = ["198.51.100", "203.0.113", "192.0.2", "100.64.12", "100.88.40"];
    return `${this.pick(nets)}.${this.int(2, 254)}`;
  }
  ipv4Internal(): string {
    return `10.${this.int(10, 40)}.${this.int(0, 255)}.${this.int(2, 254)}`;
  }
  /** ISO time between start and start+spanMinutes. */
  timeAfter(startIso: string, minMinutes: number, maxMinutes: number): string {
    const t = Date.parse(startIso) + this.int(minMinutes * 60, maxMinutes * 60) * 1000;
    return new Date(t).toISOString().replace(".000Z", "Z");
  }
}

export type Generator = {
  workflow: string;
  /** bump when output changes for the same seed */
  version: string;
  defaultCount: number;
  defaultSeed: number;
  generate(rng: Rng, count: number): import("../../src/schema/index.js").Case[];
};
