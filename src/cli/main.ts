import { Command, Help } from "commander";
import { registerCommands } from "./commands.js";
import { exitOnError, hintOnUsageError } from "./exit.js";

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

// `soceval report --format json | head` closes the pipe early: that is the reader's choice, not a failure.
// Any other write error (a full disk behind `>`) is a runtime failure: one line and exit 3, not a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  exitOnError(e);
});

registerCommands(program);
hintOnUsageError(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  exitOnError(e);
}
