import { fieldError } from "../io/yaml.js";
import { gatherPlaybook, pickRule } from "../providers/playbook.js";
import type { Case, Workflow } from "../schema/index.js";
import { ToolSandbox } from "../tools/sandbox.js";
import { whenHolds } from "../workflow/conditions.js";

type Tally = { matched: number; first: number; shadowedBy: Map<string, number> };

/**
 * Decision rules the data shows never decide a case. The playbook agent takes the first rule that
 * holds (providers/playbook.ts), so a rule that matches only cases an earlier rule already takes
 * is dead configuration that reads as if it decided them, and a rule that matches no case decides
 * nothing. Each case is held as the agent sees it: its full playbook, with no injected faults.
 */
export class RuleOrderCounter {
  private readonly tallies: Tally[];
  private cases = 0;

  constructor(private readonly wf: Workflow) {
    this.tallies = wf.decision_rules.map(() => ({ matched: 0, first: 0, shadowedBy: new Map() }));
  }

  add(c: Case): void {
    if (c.workflow !== this.wf.id) return;
    this.cases++;
    const sandbox = new ToolSandbox(c, this.wf, { scope: "all", faults: [], seed: 0 });
    const { facts } = gatherPlaybook(c, this.wf, { tools: "all" }, sandbox);
    const decided = pickRule(this.wf, facts);
    this.wf.decision_rules.forEach((r, i) => {
      if (!whenHolds(r.when, facts)) return;
      const t = this.tallies[i]!;
      t.matched++;
      if (decided === r) t.first++;
      else t.shadowedBy.set(decided.id, (t.shadowedBy.get(decided.id) ?? 0) + 1);
    });
  }

  warnings(workflowFile: string, dataset: string, whole = true): string[] {
    if (this.cases === 0) return [];
    const out: string[] = [];
    this.wf.decision_rules.forEach((r, i) => {
      const t = this.tallies[i]!;
      if (t.first > 0) return;
      const where = fieldError(workflowFile, ["decision_rules", i], "").message.replace(/: $/, "");
      if (t.matched === 0) {
        // a rule for a rare scenario may simply have no case among a sample's first few hundred
        if (whole) out.push(`${where}: rule ${r.id} matches no case in ${dataset}, so it decides none (warning)`);
        return;
      }
      const by = [...t.shadowedBy].map(([id, n]) => `rule ${id} on ${n} case${n === 1 ? "" : "s"}`).join(", ");
      out.push(
        `${where}: rule ${r.id} matches ${t.matched} case${t.matched === 1 ? "" : "s"} in ${dataset} but decides none: ` +
          `decision rules are first-match and it is shadowed by ${by} (warning)`,
      );
    });
    return out;
  }
}
