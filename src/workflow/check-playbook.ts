import { fieldError } from "../io/yaml.js";
import type { Workflow } from "../schema/index.js";
import { parseInstant } from "../tools/time-bound.js";
import { declaredEntityTypes } from "./named.js";

/** The entity types a playbook input may name: the declared ones, or a rule action's target_entity. */
function entityTypes(wf: Workflow): Set<string> {
  const types = declaredEntityTypes(wf);
  for (const r of [...wf.decision_rules, wf.default_decision]) for (const a of r.actions) types.add(a.target_entity);
  return types;
}

/**
 * A playbook step must be a call the sandbox would answer. The playbook agent passes each input as
 * text: a literal written `=…`, or the value of the alert's entity of the named type
 * (providers/playbook.ts). So a step may not call a respond tool (never executed in shadow mode),
 * name a parameter its tool does not take, feed a number parameter, give a time bound that is not an
 * ISO-8601 time, leave a required one out, or name an entity type the workflow never uses (a typo:
 * the input would be silently missing).
 */
export function checkPlaybook(wf: Workflow, file: string): void {
  const tools = new Map(wf.tools.map((t) => [t.name, t]));
  const types = entityTypes(wf);
  const known = [...types].sort().join(", ") || "none";
  wf.playbook.forEach((step, i) => {
    const at = ["playbook", i];
    const tool = tools.get(step.tool)!;
    if (tool.scope === "respond")
      throw fieldError(
        file,
        [...at, "tool"],
        `${tool.name} is a respond tool: shadow mode never executes it, so this step would be denied on every case`,
      );
    const params = Object.keys(tool.input);
    for (const [param, from] of Object.entries(step.input)) {
      const where = [...at, "input", param];
      const p = tool.input[param];
      if (!p)
        throw fieldError(
          file,
          where,
          `${tool.name} has no parameter "${param}" (it has: ${params.join(", ") || "none"})`,
        );
      if (p.type === "number")
        throw fieldError(
          file,
          where,
          `${tool.name}'s "${param}" is a number, but the playbook passes every input as text: the sandbox would refuse the call`,
        );
      if (from.startsWith("=")) {
        if (from === "=" && p.required)
          throw fieldError(file, where, `"=" passes an empty value, and ${tool.name} requires "${param}"`);
        if (p.time && from !== "=" && parseInstant(from.slice(1)) === null)
          throw fieldError(
            file,
            where,
            `"${from.slice(1)}" is not an ISO-8601 time (e.g. "=2026-03-01T00:00:00Z"): the sandbox would refuse every call, as a query API refuses a bound it cannot read`,
          );
      } else if (!types.has(from))
        throw fieldError(
          file,
          where,
          `"${from}" is neither a literal ("=${from}") nor an entity type this workflow uses (${known})`,
        );
    }
    const left = params.filter((name) => tool.input[name]!.required && !Object.hasOwn(step.input, name));
    if (left.length > 0)
      throw fieldError(
        file,
        [...at, "input"],
        `${tool.name} requires ${left.map((n) => `"${n}"`).join(", ")}, which this step does not give: the sandbox would refuse every call`,
      );
  });
}
