import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";

/**
 * Alert fields and model answers are written by attackers (test/fixtures/hostile/README.md). Each
 * test feeds them to one command, as an analyst would run it, and checks what reaches the analyst.
 */
const FIX = join(process.cwd(), "test/fixtures");
const WORKFLOW = join(FIX, "mini/workflow.yaml");
const CASES = join(FIX, "hostile/cases.jsonl");
const TRANSCRIPTS = join(FIX, "hostile/transcripts.jsonl");

/** A control character a terminal acts on (tab and newline are layout, not commands). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const dir = mkdtempSync(join(tmpdir(), "soceval-hostile-"));
const db = join(dir, "h.duckdb");

const run = (args: string[]) => soceval([...args, "--db", db], dir);
/** `soceval score` of a transcript file against the hostile cases, as one agent. */
const score = (transcripts: string, agent: string) =>
  run(["score", "--workflow", WORKFLOW, "--dataset", CASES, "--transcripts", transcripts, "--agent", agent]);
/** The run id a `score` or `run` printed. */
const runIdOf = (stdout: string) => /run (\S+):/.exec(stdout)![1]!;

/** The hostile answers scored, and the playbook agent run on the same cases: a comparison to render. */
const runs: string[] = [];
beforeAll(async () => {
  const scored = await score(TRANSCRIPTS, "hostile");
  if (scored.status !== 0) throw new Error(`score: exit ${scored.status}: ${scored.stderr}`);
  const suite = join(dir, "hostile.suite.yaml");
  writeFileSync(
    suite,
    `name: hostile\nworkflow: ${WORKFLOW}\ndataset: ${CASES}\nagents: [${join(FIX, "mini/agents/playbook.yaml")}]\n`,
  );
  const replayed = await run(["run", suite]);
  if (replayed.status !== 0) throw new Error(`run: exit ${replayed.status}: ${replayed.stderr}`);
  for (const r of [scored, replayed]) runs.push(runIdOf(r.stdout));
}, 60_000);

describe("escape sequences in alerts and answers never reach a report raw", () => {
  it("the Markdown report on stdout shows them as \\x1b text", async () => {
    const r = await run(["report", "--run", runs[0]!]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain("`ctl-\\x1b[2J\\x1b]0;pwned\\x07`");
  });

  it("the HTML report and the comparison hold none either", async () => {
    for (const [cmd, file] of [
      ["report", "r.html"],
      ["compare", "c.html"],
    ] as const) {
      const r = await run([
        cmd,
        ...(cmd === "compare" ? ["--runs", ...runs] : ["--run", runs[0]!]),
        "--out",
        join(dir, file),
      ]);
      expect(r.status, r.stderr).toBe(0);
      const html = readFileSync(join(dir, file), "utf8");
      expect(html).not.toMatch(RAW_CONTROL);
      // the hostile agent's recommended action, as text the analyst can read
      expect(html).toContain("act-\\x1b[5m");
    }
  });
});

describe("a refusal that quotes hostile text shows its escapes, not obeys them", () => {
  it("score, on a transcript naming a case the dataset does not hold", async () => {
    const file = join(dir, "unknown-case.jsonl");
    const t = JSON.parse(readFileSync(TRANSCRIPTS, "utf8").split("\n")[0]!);
    writeFileSync(file, `${JSON.stringify({ ...t, case_id: "nope-\u001b[2J" })}\n`);
    const r = await score(file, "x");
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('"nope-\\x1b[2J"');
  });

  it("dataset validate, on a case id repeated", async () => {
    const file = join(dir, "repeated.jsonl");
    const first = readFileSync(CASES, "utf8").split("\n")[0]!;
    writeFileSync(file, `${first}\n${first}\n`);
    const r = await soceval(["dataset", "validate", file], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('duplicate case id "ctl-\\x1b[2J\\x1b]0;pwned\\x07"');
  });
});

describe("dataset stats on hostile tags and source names", () => {
  it("shows their escapes in its tables and in the reach warning", async () => {
    const r = await soceval(["dataset", "stats", CASES, "--workflow", WORKFLOW], dir);
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).not.toMatch(RAW_CONTROL);
    // a tag, an unavailable source in the table, and the same source in the warning that no tool reads it
    expect(r.stdout).toContain("trap:\\x1b[5mblink");
    expect(all.split("edr.\\x1b[8mhidden").length).toBeGreaterThanOrEqual(3);
  });
});

describe("query --format csv", () => {
  it("writes an attacker's formula as text a spreadsheet will not run, and numbers as they are", async () => {
    const r = await run([
      "query",
      `select case_id, alert->>'title' as title, -1.5::DECIMAL(30, 2) as big, '-7' as n from cases where run_id = '${runs[0]}' order by case_id`,
      "--format",
      "csv",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("case_id,title,big,n");
    // case ids "-2+3" and =HYPERLINK(...), titles "+SUM(1,1) | pipe"
    expect(r.stdout).toContain(`"'-2+3",`);
    expect(r.stdout).toContain(`"'=HYPERLINK(""http://attacker.example"",""open"")","'+SUM(1,1) | pipe",-1.50,-7`);
    expect(r.stdout).not.toMatch(/(^|,)"?[=+@]/m);
  });
});

describe("show, on an evidence record nested deeper than JSON.stringify walks", () => {
  // the run keeps records out of the store and takes such a case; show reads it back from the line
  it("names the dataset line and the field (exit 2), in text and JSON, instead of a runtime failure", async () => {
    const c = JSON.parse(readFileSync(CASES, "utf8").split("\n")[1]!);
    c.evidence[0].data = { nest: "@" };
    const dataset = join(dir, "deep.jsonl");
    const levels = 200_000;
    writeFileSync(dataset, `${JSON.stringify(c).replace('"@"', `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`)}\n`);
    const suite = join(dir, "deep.suite.yaml");
    writeFileSync(
      suite,
      `name: deep\nworkflow: ${WORKFLOW}\ndataset: ${dataset}\nagents: [${join(FIX, "mini/agents/playbook.yaml")}]\n`,
    );
    const replayed = await run(["run", suite]);
    expect(replayed.status, replayed.stderr).toBe(0);
    const id = runIdOf(replayed.stdout);
    for (const format of ["text", "json"]) {
      const r = await run(["show", c.id, "--run", id, "--format", format]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        `soceval: ${dataset}:1: evidence[0].data.nest…: nested ${levels + 4} levels deep, more than soceval can show; flatten it\n`,
      );
    }
  }, 60_000);
});

describe("show, on an alert title with a newline", () => {
  it("keeps what follows the newline under the alert: the only label line is the analyst's", async () => {
    // the id starts with "-": after "--", as a shell user would write it
    const r = await soceval(["show", "--run", runs[1]!, "--db", db, "--", "-2+3"], dir);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("label"))).toEqual(["label   benign_positive · escalate no"]);
    expect(lines).toContain("        label   false_positive");
  });
});

describe("tags and sources named like an object's own fields (__proto__, constructor, toString)", () => {
  const PROTO = join(FIX, "hostile/proto-keys.jsonl");

  it("dataset validate --workflow takes every case: a source named __proto__ leaves other objects alone", async () => {
    const r = await soceval(["dataset", "validate", PROTO, "--workflow", WORKFLOW], dir);
    expect(r.stderr).not.toContain("unknown field");
    expect(r.stdout).toContain("3 cases, 3 valid, 0 invalid");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("__proto__ (1 record in 1 case), constructor (1 record in 1 case)");
  });

  it("run replays them and opens its store", async () => {
    const suite = join(dir, "proto.suite.yaml");
    writeFileSync(
      suite,
      `name: proto\nworkflow: ${WORKFLOW}\ndataset: ${PROTO}\nagents: [${join(FIX, "mini/agents/playbook.yaml")}]\n`,
    );
    const r = await run(["run", suite]);
    expect(r.stderr).not.toContain("not recognized");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 replayed, 0 failed/);
  });

  it("dataset stats counts them as numbers, each under its own name", async () => {
    const r = await soceval(["dataset", "stats", PROTO, "--workflow", WORKFLOW, "--format", "json"], dir);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.entries(s.tags)).toEqual([
      ["constructor", 2],
      ["__proto__", 1],
    ]);
    expect(Object.entries(s.unavailable)).toEqual([["toString", 1]]);
    expect(s.evidence_sources.constructor).toEqual({ cases: 1, share: 1 / 3 });
    const text = await soceval(["dataset", "stats", PROTO, "--workflow", WORKFLOW], dir);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).not.toContain("native code");
  });
});

describe("a tool call's input holding a __proto__ key", () => {
  it("is stored and exported as the agent sent it", async () => {
    const t = JSON.parse(readFileSync(TRANSCRIPTS, "utf8").split("\n")[0]!);
    const sent = '{"__proto__":{"user":"victim@corp.example"},"user":"user0@corp.example"}';
    const file = join(dir, "proto-input.jsonl");
    writeFileSync(file, `${JSON.stringify(t).replace(/"input":\{[^}]*\}/, `"input":${sent}`)}\n`);
    const scored = await score(file, "p");
    expect(scored.status, scored.stderr).toBe(0);
    const id = runIdOf(scored.stdout);
    const out = join(dir, "proto-input.export.jsonl");
    const exported = await run(["export", "--run", id, "--out", out]);
    expect(exported.status, exported.stderr).toBe(0);
    const line = readFileSync(out, "utf8")
      .split("\n")
      .find((l) => l.includes('"agent":"p"') && l.includes("ctl-"))!;
    expect(line).toContain(`"input":${sent}`);
  });
});

describe("the gate's Markdown summary (stdout and --summary, a pull-request comment)", () => {
  it("keeps each case id in its code span, escapes shown: no link opens from an id", async () => {
    const summary = join(dir, "gate.md");
    const r = await run(["gate", "--baseline-run", runs[1]!, "--candidate-run", runs[0]!, "--summary", summary]);
    expect(r.status, r.stderr).toBe(1);
    for (const text of [r.stdout, readFileSync(summary, "utf8")]) {
      expect(text).not.toMatch(RAW_CONTROL);
      // the id's backticks would close the code span and leave [open](https://…) a live link
      expect(text).toContain("`tick'[open](https://attacker.example/x)'`");
      expect(text).not.toContain("tick`");
      expect(text).toContain("**New critical misses** (1): `ctl-\\x1b[2J\\x1b]0;pwned\\x07`");
    }
  });
});

describe("a suite whose name holds an escape sequence", () => {
  it("run's progress and runs list show it as \\x1b text", async () => {
    const suite = join(dir, "esc.suite.yaml");
    writeFileSync(
      suite,
      `name: "ev\\e[31mil"\nworkflow: ${WORKFLOW}\ndataset: ${CASES}\nagents: [${join(FIX, "mini/agents/playbook.yaml")}]\n`,
    );
    const replayed = await run(["run", suite]);
    expect(replayed.status, replayed.stderr).toBe(0);
    expect(replayed.stderr).toContain("ev\\x1b[31mil: ");
    const listed = await run(["runs", "list"]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("ev\\x1b[31mil");
    for (const text of [replayed.stdout, replayed.stderr, listed.stdout]) expect(text).not.toMatch(RAW_CONTROL);
  });
});

describe("score's notes on cases without a transcript and transcripts without a case", () => {
  it("list the ids with their escapes shown", async () => {
    const lines = readFileSync(TRANSCRIPTS, "utf8").split("\n").filter(Boolean);
    const orphan = { ...JSON.parse(lines[1]!), case_id: "gone-\u001b[8m" };
    const file = join(dir, "partial.jsonl");
    writeFileSync(file, `${lines.at(-1)}\n${JSON.stringify(orphan)}\n`);
    const r = await score(file, "hostile");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain("had no transcript and count as failed: ctl-\\x1b[2J\\x1b]0;pwned\\x07");
    expect(r.stderr).toContain("name cases not in");
    expect(r.stderr).toContain("gone-\\x1b[8m");
  });
});

describe("a tool call naming a tool after an object's own field", () => {
  it("is stored with no source, not Object's constructor or prototype", async () => {
    const t = JSON.parse(readFileSync(TRANSCRIPTS, "utf8").split("\n")[0]!);
    const file = join(dir, "object-tools.jsonl");
    const call = (tool: string) => ({ type: "tool_call", tool, input: {}, status: "error", latency_ms: 1 });
    t.steps = [t.steps[0], call("constructor"), call("__proto__"), call("toString")];
    writeFileSync(file, `${JSON.stringify(t)}\n`);
    const scored = await score(file, "o");
    expect(scored.status, scored.stderr).toBe(0);
    const id = runIdOf(scored.stdout);
    const q = await run([
      "query",
      `select tool, coalesce(source, '(none)') as source from tool_calls where run_id = '${id}' order by step`,
      "--format",
      "json",
    ]);
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([
      { tool: "get_signins", source: "idp.signins" },
      { tool: "constructor", source: "(none)" },
      { tool: "__proto__", source: "(none)" },
      { tool: "toString", source: "(none)" },
    ]);
  });
});
