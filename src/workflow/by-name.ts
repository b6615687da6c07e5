import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { bundledPath } from "../io/bundled-path.js";
import { InputError } from "../io/errors.js";
import type { Workflow } from "../schema/index.js";
import { loadWorkflow } from "./load.js";

/**
 * A `--workflow` value: a workflow YAML file, or the id of a bundled workflow
 * (`endpoint-investigation` for suites/endpoint-investigation/workflow.yaml), as the importers'
 * `--workflow` takes ids.
 */
export function workflowArg(given: string): { workflow: Workflow; file: string } {
  if (existsSync(given) && statSync(given).isFile()) return { workflow: loadWorkflow(given), file: given };
  const bundled = bundledPath(join("suites", given, "workflow.yaml"));
  if (/^[A-Za-z0-9._-]+$/.test(given) && existsSync(bundled)) return { workflow: loadWorkflow(bundled), file: bundled };
  // a suite's folder given for its workflow: "no such file" would send the user looking for a typo
  if (existsSync(given) && statSync(given).isDirectory()) {
    const inside = join(given, "workflow.yaml");
    throw new InputError(
      `--workflow ${given}: is a directory; name a workflow file${existsSync(inside) ? ` (${inside}?)` : ""}`,
    );
  }
  const suites = bundledPath("suites");
  const ids = existsSync(suites)
    ? readdirSync(suites)
        .filter((d) => existsSync(join(suites, d, "workflow.yaml")))
        .sort()
    : [];
  throw new InputError(
    `--workflow ${given}: no such file, nor a bundled workflow id${ids.length ? ` (${ids.join(", ")})` : ""}`,
  );
}
