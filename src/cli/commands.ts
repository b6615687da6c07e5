import type { Command } from "commander";

/**
 * Every command lives in its own file under src/cli/ and exports `register(program)`.
 * Add the module here; the list is the CLI's table of contents.
 */
const modules = [] as const;

export function registerCommands(program: Command): void {
  for (const m of modules) (m as { register: (p: Command) => void }).register(program);
}
