import { z } from "zod";
import { fieldError } from "../io/yaml.js";
import { Alert, type Workflow } from "../schema/index.js";
import { conditionsOf, declaredEntityTypes } from "./named.js";

type Path = (string | number)[];

/**
 * Names a workflow uses that zod cannot check: a condition's source, `cite` and
 * `insufficient_alone` must be a source some read tool returns records of, an `alert:` path must
 * name a field of the alert, and a rule action's `target_entity` an entity type the workflow uses
 * somewhere else. A typo in any of them made a rule never fire (or never cite) without a word.
 */
export function checkReferences(wf: Workflow, file: string): void {
  const fail = (path: Path, msg: string): never => {
    throw fieldError(file, path, msg);
  };
  const readSources = [...new Set(wf.tools.filter((t) => t.scope === "read").map((t) => t.source))];
  const sources = new Set(readSources);
  const byName = new Map(wf.tools.map((t) => [t.name, t]));
  const checkSource = (path: Path, source: string) => {
    if (sources.has(source)) return;
    // conditions, cites and insufficient_alone name the evidence source, not the tool that reads it
    const tool = byName.get(source);
    if (tool?.scope === "read")
      fail(path, `"${source}" is a tool, not an evidence source: name the source it reads, "${tool.source}"`);
    fail(path, `no tool reads source "${source}" (sources: ${readSources.join(", ")})`);
  };

  for (const [at, c] of conditionsOf(wf)) {
    if (c.source !== undefined) checkSource([...at, "source"], c.source);
    if (c.alert !== undefined) {
      const problem = alertPathProblem(c.alert);
      if (problem) fail([...at, "alert"], problem);
    }
  }

  const rules: [Path, Workflow["default_decision"]][] = [
    ...wf.decision_rules.map((r, i): [Path, Workflow["default_decision"]] => [["decision_rules", i], r]),
    [["default_decision"], wf.default_decision],
  ];
  for (const [at, r] of rules)
    r.cite.forEach((s, j) => {
      checkSource([...at, "cite", j], s);
    });
  wf.negative_playbook.insufficient_alone.forEach((x, i) => {
    checkSource(["negative_playbook", "insufficient_alone", i, "source"], x.source);
  });

  // only a type nothing else in the workflow names is refused: the declared ones, or a playbook input
  const entities = declaredEntityTypes(wf);
  for (const s of wf.playbook) for (const v of Object.values(s.input)) if (!v.startsWith("=")) entities.add(v);
  if (entities.size > 0)
    for (const [at, r] of rules)
      r.actions.forEach((a, j) => {
        if (!entities.has(a.target_entity))
          fail(
            [...at, "actions", j, "target_entity"],
            `no tool input, catalogue target, playbook step or condition uses entity type "${a.target_entity}" (entity types: ${[...entities].join(", ")})`,
          );
      });
}

/** Why `path` names no field of an alert, or undefined if it does (anything goes below raw). */
export function alertPathProblem(path: string): string | undefined {
  let s: z.ZodType = Alert;
  let at = "";
  for (const part of path.split(".")) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodUnknown || s instanceof z.ZodAny || s instanceof z.ZodRecord) return undefined;
    if (s instanceof z.ZodObject) {
      const shape = s.shape as Record<string, z.ZodType>;
      const next = shape[part];
      if (!next) {
        const fields = Object.keys(shape).join(", ");
        return at
          ? `${at} has no field "${part}" (fields: ${fields})`
          : `the alert has no field "${part}" (fields: ${fields}; any path below raw)`;
      }
      s = next;
    } else if (s instanceof z.ZodArray) {
      if (!/^\d+$/.test(part)) return `${at} is a list: give an index (${at}.0.${part}) or test the list as a whole`;
      s = s.element as z.ZodType;
    } else return `${at} is a single value and has no field "${part}"`;
    at = at ? `${at}.${part}` : part;
  }
  return undefined;
}
