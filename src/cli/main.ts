import { Command, Help } from "commander";
import { registerCommands } from "./commands.js";
import { exitOnError, hintOnUsageError } from "./exit.js";
import { stdoutReaderGone } from "./stdout-reader.js";

const base = new Help(); // commander's own wording, which the override only extends
const program = new Command("soceval")
  .description("Replay labeled SOC history through AI agents in shadow mode and measure them")
  .version("0.1.0")
  // an option a command cannot run without says so in --help (commander leaves it unmarked)
  .configureHelp({
    optionDescription: (o) => `${base.optionDescription(o)}${o.mandatory ? " (required)" : ""}`,
  })
  .exitOverride((err) => {
    // commander usage errors are bad input: exit 2, not commander's default 1
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
    process.exit(2);
  });

// `soceval report --format json | head` closes the pipe early: that is the reader's choice, not a failure
// (stdout-reader.ts: a command that stores or judges finishes anyway). Any other write error (a full
// disk behind `>`) is a runtime failure: one line and exit 3, not a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") return stdoutReaderGone();
  exitOnError(e);
});
// stderr carries progress and warnings only: a reader that went away from it (`soceval run … 2>&1 | head`)
// must not stop a run half-way (the write error would end the process with exit 1 and a stopped run).
// What is left to say is dropped; the command finishes and exits with its own code.
process.stderr.on("error", () => {
  process.stderr.write = () => true;
});

await registerCommands(program, process.argv.slice(2));
hintOnUsageError(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  exitOnError(e);
}
