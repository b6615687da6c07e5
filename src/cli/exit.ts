import type { Command } from "commander";
import { InputError, ReaderGone, RuntimeFailure } from "../io/errors.js";
import { printable } from "../io/printable.js";

export const EXIT = { ok: 0, notMet: 1, badInput: 2, runtime: 3 } as const;

/** One clear line, no stack trace, and the exit code of DESIGN.md. */
export function exitOnError(e: unknown): never {
  if (e instanceof ReaderGone) process.exit(EXIT.ok);
  // a message quotes what it refuses (a case id, a transcript's value, a provider's error text), which
  // an attacker or a model may have written: its escapes are shown, not obeyed
  if (e instanceof InputError) {
    process.stderr.write(`soceval: ${printable(e.message)}\n`);
    process.exit(EXIT.badInput);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`soceval: ${e instanceof RuntimeFailure ? "" : "runtime failure: "}${printable(msg)}\n`);
  if (process.env.SOCEVAL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(EXIT.runtime);
}

/** Wrap a command action so thrown errors become exit codes. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | undefined>) {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (e) {
      exitOnError(e);
    }
  };
}

/**
 * A usage error (missing argument, unknown option or command) prints commander's one error line and a
 * hint naming the command's own help, e.g. `see: soceval baseline bless --help`, instead of the whole
 * help text, which scrolled the error away. Call after every command is registered: it walks them all.
 */
export function hintOnUsageError(cmd: Command, parents: string[] = []): void {
  const path = [...parents, cmd.name()];
  cmd.showHelpAfterError(`see: ${path.join(" ")} --help`);
  for (const sub of cmd.commands) hintOnUsageError(sub, path);
}
