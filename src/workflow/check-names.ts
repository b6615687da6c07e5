import { formatPath } from "../io/errors.js";
import { fieldError } from "../io/yaml.js";
import type { Fault, Workflow } from "../schema/index.js";

type Path = (string | number)[];

/** `tools[0], line 17`: where something was first declared, for a message about a second one. */
export function declaredAt(file: string, path: Path): string {
  const { line } = fieldError(file, path, "");
  return line ? `${formatPath(path)}, line ${line}` : formatPath(path);
}

/**
 * Refuse the second of two entries with one key. `entries` are [path of the key, key] in file
 * order; the message names the first declaration, with its line.
 */
function refuseDuplicates(file: string, entries: [Path, string][], what: string): void {
  const first = new Map<string, Path>();
  for (const [path, key] of entries) {
    const earlier = first.get(key);
    if (earlier)
      throw fieldError(file, path, `"${key}" is already ${what} (${declaredAt(file, earlier.slice(0, -1))})`);
    first.set(key, path);
  }
}

/**
 * Every list in a workflow that is keyed by a name or an id holds each key once. A second tool of
 * one name is not harmless: the sandbox answers with the last declaration and the playbook walks
 * the first, so the two would disagree on scope, inputs and fallback. A second action, rule or
 * human-only condition of one id makes every finding and report that names it ambiguous.
 */
export function checkNames(wf: Workflow, file: string): void {
  const keyed = <T>(list: T[], at: Path, field: string, key: (x: T) => string): [Path, string][] =>
    list.map((x, i) => [[...at, i, field], key(x)]);
  refuseDuplicates(
    file,
    keyed(wf.tools, ["tools"], "name", (t) => t.name),
    "declared",
  );
  refuseDuplicates(
    file,
    keyed(wf.actions, ["actions"], "id", (a) => a.id),
    "declared",
  );
  // default_decision is the rule taken when none matches: its id is reported the same way
  refuseDuplicates(
    file,
    [
      ...keyed(wf.decision_rules, ["decision_rules"], "id", (r) => r.id),
      [["default_decision", "id"], wf.default_decision.id],
    ],
    "declared",
  );
  const neg = wf.negative_playbook;
  refuseDuplicates(
    file,
    keyed(neg.human_only, ["negative_playbook", "human_only"], "id", (h) => h.id),
    "declared",
  );
  refuseDuplicates(
    file,
    keyed(neg.forbidden_actions, ["negative_playbook", "forbidden_actions"], "action", (f) => f.action),
    "listed",
  );
  refuseDuplicates(
    file,
    keyed(neg.insufficient_alone, ["negative_playbook", "insufficient_alone"], "source", (s) => s.source),
    "listed",
  );
}

/**
 * A suite's faults, once each tool is known to exist. Two faults of one kind on one tool draw the
 * same number on each call (tools/faults.ts), so together they fail as often as the larger rate,
 * not the sum; and a fault on a respond tool never fires, because respond tools are never called.
 * The kinds on one tool share its calls, so their rates add up to at most 1.
 */
export function checkFaults(faults: Fault[], wf: Workflow, file: string): void {
  const first = new Map<string, number>();
  const share = new Map<string, number>();
  faults.forEach((f, i) => {
    if (wf.tools.find((t) => t.name === f.tool)?.scope === "respond")
      throw fieldError(
        file,
        ["faults", i, "tool"],
        `${f.tool} is a respond tool: never executed in shadow mode, so the fault can never fire`,
      );
    const key = `${f.tool}\u0000${f.kind}`;
    const earlier = first.get(key);
    if (earlier !== undefined)
      throw fieldError(
        file,
        ["faults", i],
        `a second ${f.kind} fault on ${f.tool} (${declaredAt(file, ["faults", earlier])}): the two draw the same numbers, so only the larger rate would count; write one fault with the rate meant`,
      );
    first.set(key, i);
    const total = (share.get(f.tool) ?? 0) + f.rate;
    if (total > 1 + 1e-9)
      throw fieldError(
        file,
        ["faults", i, "rate"],
        `the faults on ${f.tool} add up to a rate of ${+total.toFixed(6)}: one call fails one way at most, so the rates of its kinds add up to 1 at most`,
      );
    share.set(f.tool, total);
  });
}
