import { z } from "zod";
import { fieldError } from "../io/yaml.js";
import { Alert, type Condition, type Workflow } from "../schema/index.js";
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
      const value = alertValueProblem(c);
      if (value) fail([...at, value.key], value.message);
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
  const r = resolveAlertPath(path);
  return "problem" in r ? r.problem : undefined;
}

/**
 * A test an alert field's values can never pass: a value outside an enumerated field's options
 * (`alert: severity, in: [p1]`; severity is one of informational … critical), or a number
 * comparison on a text field. The evaluator compares text case aside and numbers as numbers
 * (src/workflow/conditions.ts), so such a test never holds, and its not_ form always does.
 */
function alertValueProblem(c: Condition): { key: keyof Condition; message: string } | undefined {
  const r = resolveAlertPath(c.alert!);
  if ("problem" in r || r.schema === undefined) return undefined;
  let s = r.schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  const text = s instanceof z.ZodString || s instanceof z.ZodEnum;
  for (const key of ["gte", "lte"] as const)
    if (text && c[key] !== undefined)
      return { key, message: `alert ${c.alert} is text: ${key} compares numbers, so it never holds` };
  if (!(s instanceof z.ZodEnum)) return undefined;
  const options = (s.options as string[]).map(String);
  const known = new Set(options.map((o) => o.toLowerCase()));
  for (const key of ["equals", "not_equals", "in", "not_in"] as const) {
    const given = c[key];
    if (given === undefined) continue;
    const bad = (Array.isArray(given) ? given : [given]).find(
      (v) => typeof v !== "string" || !known.has(v.toLowerCase()),
    );
    if (bad !== undefined)
      return {
        key,
        message: `alert ${c.alert} is one of ${options.join(", ")}; ${JSON.stringify(bad)} is none of them, so ${key.startsWith("not_") ? "the test always holds" : "it never matches"}`,
      };
  }
  return undefined;
}

/** The schema at an alert path, undefined below a free-form part (raw), or why the path names nothing. */
function resolveAlertPath(path: string): { schema: z.ZodType | undefined } | { problem: string } {
  let s: z.ZodType = Alert;
  let at = "";
  for (const part of path.split(".")) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodUnknown || s instanceof z.ZodAny || s instanceof z.ZodRecord) return { schema: undefined };
    if (s instanceof z.ZodObject) {
      const shape = s.shape as Record<string, z.ZodType>;
      const next = shape[part];
      if (!next) {
        const fields = Object.keys(shape).join(", ");
        return {
          problem: at
            ? `${at} has no field "${part}" (fields: ${fields})`
            : `the alert has no field "${part}" (fields: ${fields}; any path below raw)`,
        };
      }
      s = next;
    } else if (s instanceof z.ZodArray) {
      if (!/^\d+$/.test(part))
        return { problem: `${at} is a list: give an index (${at}.0.${part}) or test the list as a whole` };
      s = s.element as z.ZodType;
    } else return { problem: `${at} is a single value and has no field "${part}"` };
    at = at ? `${at}.${part}` : part;
  }
  return { schema: s };
}
