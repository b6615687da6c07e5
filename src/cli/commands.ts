import type { Command } from "commander";
import * as baseline from "./baseline.js";
import * as cases from "./cases.js";
import * as compare from "./compare.js";
import * as dataset from "./dataset.js";
import * as exportCmd from "./export.js";
import * as findings from "./findings.js";
import * as gate from "./gate.js";
import * as query from "./query.js";
import * as readiness from "./readiness.js";
import * as report from "./report.js";
import * as rescore from "./rescore.js";
import * as run from "./run.js";
import * as runs from "./runs.js";
import * as score from "./score.js";
import * as show from "./show.js";
import * as start from "./start.js";

/**
 * Every command lives in its own file under src/cli/ and exports `register(program)`.
 * Add the module here; the list is the CLI's table of contents.
 */
const modules = [
  start,
  run,
  runs,
  exportCmd,
  dataset,
  report,
  compare,
  query,
  baseline,
  gate,
  score,
  rescore,
  findings,
  cases,
  show,
  readiness,
] as const;

export function registerCommands(program: Command): void {
  for (const m of modules) (m as { register: (p: Command) => void }).register(program);
}
