import { createHash } from "node:crypto";
import type { Fault } from "../schema/index.js";

/**
 * Seeded fault injection: whether the nth call of a tool on a case fails is a pure function of
 * (suite seed, case id, tool, n). Every rerun and every agent sees the same faults, so a
 * comparison between agents is fair and a gate result reproducible.
 */
export function faultFor(
  faults: readonly Fault[],
  seed: number,
  caseId: string,
  tool: string,
  nth: number,
): Fault | null {
  for (const f of faults) {
    if (f.tool !== tool || f.rate <= 0) continue;
    const h = createHash("sha256").update(`${seed}\u0000${caseId}\u0000${tool}\u0000${nth}\u0000${f.kind}`).digest();
    if (h.readUInt32BE(0) / 0x1_0000_0000 < f.rate) return f;
  }
  return null;
}
