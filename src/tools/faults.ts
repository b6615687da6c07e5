import { createHash } from "node:crypto";
import type { Fault } from "../schema/index.js";

/**
 * Seeded fault injection: whether the nth call of a tool on a case fails is a pure function of
 * (suite seed, case id, epoch, tool, n). Every rerun and every agent sees the same faults, so a
 * comparison between agents is fair and a gate result reproducible; each epoch draws its own, so
 * epochs also show how an agent copes when a different call fails (a deterministic agent's epochs
 * would otherwise only repeat one another). Epoch 0 draws as it did before epochs counted, so
 * single-epoch runs and the baselines blessed from them keep their faults.
 */
export function faultFor(
  faults: readonly Fault[],
  seed: number,
  caseId: string,
  tool: string,
  nth: number,
  epoch = 0,
): Fault | null {
  const ofEpoch = epoch > 0 ? `\u0000${epoch}` : "";
  // each kind's rate is its share of all the tool's calls. A call an earlier kind took cannot fail
  // again, so a later kind draws from the calls left: at rate ÷ left of them, rate of all (two
  // kinds at 0.3 each gave the second 0.21). The first kind draws as it always did.
  let left = 1;
  for (const f of faults) {
    if (f.tool !== tool || f.rate <= 0) continue;
    const h = createHash("sha256")
      .update(`${seed}\u0000${caseId}\u0000${tool}\u0000${nth}\u0000${f.kind}${ofEpoch}`)
      .digest();
    if ((h.readUInt32BE(0) / 0x1_0000_0000) * left < f.rate) return f;
    left -= f.rate;
  }
  return null;
}
