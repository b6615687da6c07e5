import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { printable } from "./printable.js";
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

  it("writes an id holding escape sequences or bidi controls as $'…', which bash turns back into it", () => {
    const id = "ctl-\u001b[2J\u001b]0;it's\u0007 \\ \u202Egnp.exe\u0085";
    const word = shellWord(id);
    expect(word).toBe("$'ctl-\\x1b[2J\\x1b]0;it\\'s\\x07 \\\\ \\u202egnp.exe\\u0085'");
    // nothing in the printed command is a control character a terminal acts on
    expect(printable(word)).toBe(word);
    const args = JSON.parse(
      execFileSync("bash", ["-c", `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${word}`], {
        encoding: "utf8",
      }),
    );
    expect(args).toEqual([id]);
  });

  it("puts an id that looks like an option after --", () => {
    expect(showCommand("--db=/x", "--run r")).toBe("soceval show --run r -- --db=/x");
    expect(showCommand("phish 1", "--run r")).toBe("soceval show 'phish 1' --run r");
  });
});
