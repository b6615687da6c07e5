import type { Condition, When, Workflow } from "../schema/index.js";

type Path = (string | number)[];

/** Every condition of a workflow (decision rules, human-only conditions, approval raises), with its path. */
export function conditionsOf(wf: Workflow): [Path, Condition][] {
  const whens: [Path, When][] = [
    ...wf.decision_rules.map((r, i): [Path, When] => [["decision_rules", i, "when"], r.when]),
    ...wf.negative_playbook.human_only.map((h, i): [Path, When] => [
      ["negative_playbook", "human_only", i, "when"],
      h.when,
    ]),
    ...wf.approval_policy.raise.flatMap((r, i): [Path, When][] =>
      r.when ? [[["approval_policy", "raise", i, "when"], r.when]] : [],
    ),
  ];
  return whens.flatMap(([at, w]) =>
    (["all", "any", "none"] as const).flatMap((list) =>
      (w[list] ?? []).map((c, i): [Path, Condition] => [[...at, list, i], c]),
    ),
  );
}

/**
 * The entity types a workflow declares where it reads the alert: a tool parameter's `entity`, a
 * catalogue action's `target`, a condition's `entity`. Alert entity types are an open set in the
 * case format, so a type named elsewhere (a playbook input, a rule's target_entity) is held to these
 * on load, to catch a typo that would otherwise leave an input or a target silently empty.
 */
export function declaredEntityTypes(wf: Workflow): Set<string> {
  const types = new Set<string>();
  for (const t of wf.tools) for (const p of Object.values(t.input)) if (p.entity) types.add(p.entity);
  for (const a of wf.actions) if (a.target) types.add(a.target);
  for (const [, c] of conditionsOf(wf)) if (c.entity !== undefined) types.add(c.entity);
  return types;
}
