import type { Command } from "commander";
import * as exportCmd from "./export.js";
import * as run from "./run.js";
import * as runs from "./runs.js";

/**
 * Every command lives in its own file under src/cli/ and exports `register(program)`.
 * Add the module here; the list is the CLI's table of contents.
 */
const modules = [run, runs, exportCmd] as const;

export function registerCommands(program: Command): void {
  for (const m of modules) (m as { register: (p: Command) => void }).register(program);
}
