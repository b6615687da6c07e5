import { fieldError } from "../io/yaml.js";
import type { Case, Workflow } from "../schema/index.js";
import { entityKey } from "../tools/entity-key.js";

type Filter = {
  step: number;
  param: string;
  tool: string;
  source: string;
  /** the alert entity type the step passes */
  from: string;
  /** the record entity type the tool's parameter matches it against */
  entity: string;
  /** cases where the alert has the value and the source has records */
  tried: number;
  matched: number;
  /** one alert value and the record values of the entity type beside it, from a case that did not match */
  example?: { alert: string; records: string[] };
};

/**
 * Playbook steps whose entity filter matches no record. The playbook passes the alert's value, and
 * the sandbox keeps the records holding an entity of the parameter's type with that very value
 * (as the sandbox compares it: tools/entity-key.ts): when alerts spell a value one way and the records another (`CORP\jdoe` and
 * `jdoe@corp.example`, a short host name and an FQDN), the step returns nothing on every case while
 * the records sit there. A case whose records concern other hosts is normal, so only a step that
 * matched in none of the cases where it had something to match is said.
 */
export class PlaybookFilterCounter {
  private readonly filters: Filter[] = [];

  constructor(private readonly wf: Workflow) {
    wf.playbook.forEach((s, step) => {
      const tool = wf.tools.find((t) => t.name === s.tool);
      if (!tool) return;
      for (const [param, from] of Object.entries(s.input)) {
        const entity = tool.input[param]?.entity;
        if (!from.startsWith("=") && entity !== undefined)
          this.filters.push({ step, param, tool: tool.name, source: tool.source, from, entity, tried: 0, matched: 0 });
      }
    });
  }

  add(c: Case): void {
    if (c.workflow !== this.wf.id) return;
    for (const f of this.filters) {
      if (f.matched > 0) continue;
      const value = c.alert.entities.find((e) => e.type === f.from)?.value;
      const records = c.evidence.filter((e) => e.source === f.source);
      if (value === undefined || records.length === 0 || c.unavailable.includes(f.source)) continue;
      f.tried++;
      const want = entityKey(f.entity, value);
      const values = records.flatMap((r) => r.entities.filter((e) => e.type === f.entity).map((e) => e.value));
      if (values.some((v) => v === value || entityKey(f.entity, v) === want)) f.matched++;
      else f.example ??= { alert: value, records: [...new Set(values)].slice(0, 3) };
    }
  }

  warnings(workflowFile: string, dataset: string): string[] {
    return this.filters
      .filter((f) => f.tried > 0 && f.matched === 0)
      .map((f) => {
        const where = fieldError(workflowFile, ["playbook", f.step, "input", f.param], "").message.replace(/: $/, "");
        const ex = f.example;
        const seen = ex?.records.length
          ? `e.g. the alert's ${JSON.stringify(ex.alert)} beside ${ex.records.map((v) => JSON.stringify(v)).join(", ")}`
          : `its records carry no entity of type ${f.entity}`;
        return (
          `${where}: in none of the ${f.tried} cases with records of ${f.source} in ${dataset} does one hold the alert's ` +
          `${f.from} as an entity of type ${f.entity} (${seen}), so the playbook's ${f.tool} call returns nothing on every case (warning)`
        );
      });
  }
}
