import { fieldError } from "../io/yaml.js";
import type { Case, Workflow } from "../schema/index.js";

type Input = { step: number; param: string; tool: string; entity: string; lacking: number };

/**
 * Playbook inputs no alert of the dataset can fill. The playbook agent takes a step's input from the
 * alert's entity of the named type (providers/playbook.ts); where the alert has none, a required
 * input is left out and the sandbox refuses the call as a tool error. An alert without a hash is a
 * case where a hash look-up cannot run, but when no alert has the type at all, the data names it
 * otherwise (`hostname` for `host`) and the step fails on every case: only that is said.
 */
export class PlaybookInputCounter {
  private readonly inputs: Input[] = [];
  private cases = 0;

  constructor(private readonly wf: Workflow) {
    wf.playbook.forEach((s, step) => {
      const tool = wf.tools.find((t) => t.name === s.tool);
      for (const [param, from] of Object.entries(s.input))
        if (!from.startsWith("=") && tool?.input[param]?.required)
          this.inputs.push({ step, param, tool: s.tool, entity: from, lacking: 0 });
    });
  }

  add(c: Case): void {
    if (c.workflow !== this.wf.id) return;
    this.cases++;
    for (const i of this.inputs) if (!c.alert.entities.some((e) => e.type === i.entity)) i.lacking++;
  }

  warnings(workflowFile: string, dataset: string): string[] {
    return this.inputs
      .filter((i) => this.cases > 0 && i.lacking === this.cases)
      .map((i) => {
        const where = fieldError(workflowFile, ["playbook", i.step, "input", i.param], "").message.replace(/: $/, "");
        return (
          `${where}: no alert in ${dataset} has an entity of type ${i.entity}, so the playbook calls ${i.tool} without its ` +
          `required ${i.param} and the sandbox refuses it on every case (warning)`
        );
      });
  }
}
