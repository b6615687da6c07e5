import type { Command } from "commander";

type CommandModule = { register: (program: Command) => void };

/**
 * Every command lives in its own file under src/cli/ and exports `register(program)`.
 * Add the module here under the name it registers; the list is the CLI's table of contents.
 * Each is imported only when its command runs: a command's dependencies (the questionnaire's prompt
 * library, the CSV parser, the report's templates and charts) cost start-up time and memory, and
 * `soceval run` should hold what a replay needs, not what every other command does.
 */
const modules: Record<string, () => Promise<CommandModule>> = {
  start: () => import("./start.js"),
  run: () => import("./run.js"),
  runs: () => import("./runs.js"),
  export: () => import("./export.js"),
  dataset: () => import("./dataset.js"),
  report: () => import("./report.js"),
  compare: () => import("./compare.js"),
  query: () => import("./query.js"),
  baseline: () => import("./baseline.js"),
  gate: () => import("./gate.js"),
  score: () => import("./score.js"),
  rescore: () => import("./rescore.js"),
  findings: () => import("./findings.js"),
  cases: () => import("./cases.js"),
  show: () => import("./show.js"),
  readiness: () => import("./readiness.js"),
};

export const commandNames = Object.keys(modules);

/**
 * Registers the command `args` names (process.argv without node and the script), or every command
 * when it names none of them: `--help`, `help`, a typo (commander suggests the nearest name from
 * the full list) or nothing at all.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const first = args[0];
  const wanted = first !== undefined && Object.hasOwn(modules, first) ? [first] : commandNames;
  const loaded = await Promise.all(wanted.map((name) => modules[name]!()));
  for (const m of loaded) m.register(program);
}
