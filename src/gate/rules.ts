import { InputError } from "../io/errors.js";
import type { GateRules } from "../schema/index.js";

/** Paired metrics the comparison computes; a margin on anything else is a configuration error. */
export function checkRules(rules: GateRules, paired: Set<string>, single: Set<string>, where: string): void {
  for (const m of rules.margins)
    if (!paired.has(m.metric))
      throw new InputError(
        `${where}: gate.margins: "${m.metric}" has no paired difference (use one of ${[...paired].join(", ")})`,
      );
  for (const l of rules.limits)
    if (!single.has(l.metric)) throw new InputError(`${where}: gate.limits: unknown metric "${l.metric}"`);
  if (rules.budget && !single.has(rules.budget.metric))
    throw new InputError(`${where}: gate.budget: unknown metric "${rules.budget.metric}"`);
}
