import { fieldError } from "../io/yaml.js";
import type { Workflow } from "../schema/index.js";
import { declaredAt } from "./check-names.js";

type Path = (string | number)[];

/**
 * Decision rules are the playbook agent's alone (providers/playbook.ts), and it applies them to
 * what its steps gathered: a condition or a `cite` on a source no step gathers never sees a record
 * (a `missing` test included: only a step's failure marks a source missing). Such a rule never
 * fires, or always does under `none`, and the baseline's figures move without a word. A rule's
 * action must also be aimed at the entity type the catalogue says the action applies to.
 */
export function checkRuleSources(wf: Workflow, file: string): void {
  const tools = new Map(wf.tools.map((t) => [t.name, t]));
  const gathered = new Set(wf.playbook.map((s) => tools.get(s.tool)!.source));
  const readers = (source: string) =>
    wf.tools
      .filter((t) => t.scope === "read" && t.source === source)
      .map((t) => t.name)
      .join(", ");
  const fail = (path: Path, source: string, what: string): never => {
    throw fieldError(
      file,
      path,
      `no playbook step gathers ${source} (read by ${readers(source)}, which no step calls): the playbook agent applies decision rules to what its steps gathered, so ${what}; add a step, or use a gathered source (${[...gathered].join(", ")})`,
    );
  };
  wf.decision_rules.forEach((r, i) => {
    for (const list of ["all", "any", "none"] as const)
      r.when[list]?.forEach((c, j) => {
        if (c.source !== undefined && !gathered.has(c.source))
          fail(["decision_rules", i, "when", list, j, "source"], c.source, "this test never sees a record of it");
      });
  });
  const rules: [Path, Workflow["default_decision"]][] = [
    ...wf.decision_rules.map((r, i): [Path, Workflow["default_decision"]] => [["decision_rules", i], r]),
    [["default_decision"], wf.default_decision],
  ];
  for (const [at, r] of rules)
    r.cite.forEach((s, j) => {
      if (!gathered.has(s)) fail([...at, "cite", j], s, "this cites nothing");
    });
  // a rule that closes a case rests on what it cites, plus the records its all/any source tests
  // matched (providers/playbook.ts): with neither, every case it closes is an unsupported
  // suppression, and the baseline's violation rate measures the rule file, not the playbook
  for (const [at, r] of rules) {
    const closes = r.verdict !== "true_positive" && !r.escalate;
    const when = "when" in r ? (r as Workflow["decision_rules"][number]).when : undefined;
    const sourced = [...(when?.all ?? []), ...(when?.any ?? [])].some(
      (c) => c.source !== undefined && c.missing === undefined,
    );
    if (closes && r.cite.length === 0 && !sourced)
      throw fieldError(
        file,
        [...at, "cite"],
        `this rule closes cases as ${r.verdict} without escalating but cites nothing (no cite, no source test under all or any): every case it closes would be an unsupported_suppression finding; list the sources it rests on under cite`,
      );
  }
  // the catalogue says what an action applies to; a rule aiming it at another entity type would
  // have the baseline recommend, say, blocking an account as if it were a domain
  const catalogue = new Map(wf.actions.map((a, i) => [a.id, { target: a.target, i }]));
  for (const [at, r] of rules)
    r.actions.forEach((ra, j) => {
      const entry = catalogue.get(ra.action);
      if (entry?.target !== undefined && entry.target !== ra.target_entity)
        throw fieldError(
          file,
          [...at, "actions", j, "target_entity"],
          `${ra.action} applies to ${entry.target} entities (${declaredAt(file, ["actions", entry.i, "target"])}): this rule would recommend it on the alert's ${ra.target_entity}`,
        );
    });
}
