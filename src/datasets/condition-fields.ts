import { fieldError } from "../io/yaml.js";
import type { Case, Workflow } from "../schema/index.js";
import { conditionsOf } from "../workflow/named.js";

type Path = (string | number)[];

/** One condition that reads a value by path: a record field of a source, or an alert path below raw. */
type Target = {
  at: Path;
  key: "field" | "alert";
  source?: string;
  path: string;
  found: boolean;
  /** records of the source (or cases, for the alert) the path was looked for in */
  looked: number;
  /** keys of the object at the longest part of the path that was there: what was probably meant */
  near: Set<string>;
};

const NEAR_MAX = 12;

/**
 * The object at the longest leading part of `path` that `root` has, and whether the whole path is
 * there; read as the condition evaluator reads it (src/workflow/conditions.ts getPath).
 */
function walk(root: unknown, parts: string[]): { found: boolean; at: unknown } {
  let cur = root;
  for (const part of parts) {
    if (cur === null || typeof cur !== "object") return { found: false, at: undefined };
    const next = (cur as Record<string, unknown>)[part];
    if (next === undefined) return { found: false, at: cur };
    cur = next;
  }
  return { found: true, at: undefined };
}

/**
 * Conditions whose field no record of the dataset has. The rule language gives an absent field no
 * value, so a misspelt field (`resigend`) makes an equals test never hold, and a not_equals test
 * always hold, on every case, without a word; only the data can tell, so this is held against a
 * dataset, not checked when the workflow loads. Paths below the alert's `raw` are free-form too.
 */
export class ConditionFieldCounter {
  private readonly targets: Target[] = [];

  constructor(private readonly wf: Workflow) {
    for (const [at, c] of conditionsOf(wf)) {
      if (c.missing !== undefined || c.sensitivity !== undefined) continue;
      if (c.source !== undefined && c.field !== undefined)
        this.targets.push({
          at,
          key: "field",
          source: c.source,
          path: c.field,
          found: false,
          looked: 0,
          near: new Set(),
        });
      else if (c.alert?.startsWith("raw."))
        this.targets.push({ at, key: "alert", path: c.alert, found: false, looked: 0, near: new Set() });
    }
  }

  add(c: Case): void {
    if (c.workflow !== this.wf.id) return;
    for (const t of this.targets) {
      if (t.found) continue;
      const roots =
        t.source === undefined ? [c.alert] : c.evidence.filter((e) => e.source === t.source).map((e) => e.data);
      const parts = t.path.split(".");
      for (const root of roots) {
        t.looked++;
        const w = walk(root, parts);
        if (w.found) {
          t.found = true;
          break;
        }
        if (w.at && typeof w.at === "object" && !Array.isArray(w.at))
          for (const k of Object.keys(w.at)) if (t.near.size < NEAR_MAX) t.near.add(k);
      }
    }
  }

  /** One warning per condition whose path no record (or alert) had, naming the workflow file's line. */
  warnings(workflowFile: string, dataset: string): string[] {
    return this.targets
      .filter((t) => !t.found && t.looked > 0)
      .map((t) => {
        const where = fieldError(workflowFile, [...t.at, t.key], "").message.replace(/: $/, "");
        const whose =
          t.source === undefined ? `no alert in ${dataset} has` : `no record of ${t.source} in ${dataset} has a field`;
        const near = t.near.size ? ` (there: ${[...t.near].join(", ")}${t.near.size >= NEAR_MAX ? ", …" : ""})` : "";
        return `${where}: ${whose} "${t.path}"${near}: the test sees no value on any case (warning)`;
      });
  }
}
