import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandNames, registerCommands } from "./commands.js";

const registered = async (args: string[]) => {
  const program = new Command("soceval");
  await registerCommands(program, args);
  return program.commands.map((c) => c.name());
};

describe("registerCommands", () => {
  it("each module registers the command it is listed under, in the table's order", async () => {
    expect(await registered([])).toEqual(commandNames);
    for (const name of commandNames) expect(await registered([name])).toEqual([name]);
  });

  it("loads only the command being run, so `run` does not carry every other command's dependencies", async () => {
    expect(await registered(["run", "suite.yaml", "--workers", "0"])).toEqual(["run"]);
    expect(await registered(["dataset", "import", "csv", "x.csv"])).toEqual(["dataset"]);
  });

  it.each([[["--help"]], [["help", "run"]], [["rnu"]], [["-V"]], [["constructor"]]])(
    "%j names no command: every command is registered, for the help list and commander's suggestions",
    async (args) => {
      expect(await registered(args)).toEqual(commandNames);
    },
  );
});
