import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellWord, showCommand } from "./shell.js";

/** What a POSIX shell passes as arguments for the text given. */
const argsOf = (text: string): string[] =>
  JSON.parse(
    execFileSync("sh", ["-c", `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${text}`], {
      encoding: "utf8",
    }),
  );

describe("shell words in printed commands", () => {
  it("passes any value through a shell unchanged, as one argument, running nothing", () => {
    for (const v of [
      "phish-0017",
      "my store.duckdb",
      "phish 0017 $(touch /nonexistent/x)",
      "it's",
      "a`b`",
      "x;y",
      "\\",
      "",
    ])
      expect(argsOf(shellWord(v)), v).toEqual([v]);
    expect(shellWord("stores/a.duckdb")).toBe("stores/a.duckdb");
  });

  it("puts an id that looks like an option after --", () => {
    expect(showCommand("--db=/x", "--run r")).toBe("soceval show --run r -- --db=/x");
    expect(showCommand("phish 1", "--run r")).toBe("soceval show 'phish 1' --run r");
  });
});
