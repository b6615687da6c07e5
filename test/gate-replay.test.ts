import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";
import { SMALL_SUITE_GATE } from "./helpers/small-gate.js";
import { startResponder } from "./servers/responder.js";

/**
 * The CI path of the README: record a model agent once against a server, then gate its replay
 * agent with the server gone. A request the recordings do not hold (the prompt changed) is no
 * regression and no outage: the gate refuses it (exit 2), naming the cases (or, when none is held,
 * stopping after the first few) and how to record them.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-gate-replay-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const run = (args: string[]) => soceval(args, dir);
const db = join(dir, "ci.duckdb");
const rec = join(dir, "recordings.jsonl");

/** Reads the sign-ins first, then closes the case as benign. */
function investigate(messages: { role: string; content?: unknown }[]) {
  if (!messages.some((m) => m.role === "tool")) {
    const user = JSON.stringify(messages).match(/user\d+@corp\.example/)?.[0] ?? "nobody@corp.example";
    return { type: "tool_calls" as const, calls: [{ name: "get_signins", arguments: { user } }] };
  }
  return {
    type: "submit" as const,
    output: {
      verdict: "benign_positive",
      confidence: 0.8,
      escalate: false,
      summary: "Sign-ins look ordinary.",
      hypotheses: [],
      recommended_actions: [],
      missing_sources: [],
      human_only: false,
    },
  };
}

const gate = (extra: string[] = []) =>
  run(["gate", "suite.yaml", "--baseline", "main", "--agent", "gpt-replay", "--db", db, "--quiet", ...extra]);

beforeAll(async () => {
  const server = await startResponder(investigate);
  const gpt = readFileSync(join(dir, "agents/gpt.yaml"), "utf8").replace("http://127.0.0.1:9/v1", server.url);
  writeFileSync(join(dir, "agents/gpt.yaml"), gpt);
  const replay = gpt
    .replace("name: gpt-test", "name: gpt-replay")
    .replace("provider: openai-compatible", "provider: replay")
    .replace(/base_url: .*\n/, "");
  writeFileSync(join(dir, "agents/gpt-replay.yaml"), `${replay}recordings: ../recordings.jsonl\n`);
  writeFileSync(
    join(dir, "suite.yaml"),
    readFileSync(join(dir, "suite.yaml"), "utf8").replace(
      "agents/gpt.yaml,",
      "agents/gpt.yaml, agents/gpt-replay.yaml,",
    ) + SMALL_SUITE_GATE,
  );
  const live = await run(["run", "suite.yaml", "--agent", "gpt-test", "--record", rec, "--db", db, "--quiet"]);
  expect(live.status, live.stderr).toBe(0);
  await server.close(); // from here on, nothing answers: CI has no model
  const base = await run(["run", "suite.yaml", "--agent", "gpt-replay", "--db", db, "--quiet"]);
  expect(base.status, base.stderr).toBe(0);
  const bless = await run(["baseline", "bless", "--run", "latest", "--name", "main", "--db", db]);
  expect(bless.status, bless.stderr).toBe(0);
});

describe("gate on a replay agent", () => {
  it("passes the unchanged agent from its recordings, with no model server (exit 0)", async () => {
    const r = await gate();
    expect(r.status, r.stderr).toBe(0);
  });

  it("refuses a changed prompt whose requests were never recorded (exit 2), naming the cases and the fix", async () => {
    const prompt = join(dir, "prompt.hbs");
    const before = readFileSync(prompt, "utf8");
    appendFileSync(prompt, "Be concise.\n");
    try {
      // every request misses: the candidate's run stops after its first cases, as for a refused key,
      // and stores nothing, instead of replaying 40 cases to fail them all
      const runs = async () => (await run(["runs", "list", "--db", db])).stdout.split("\n").length;
      const before = await runs();
      const r = await gate(["--junit", "r.xml", "--summary", "s.md"]);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toMatch(
        /agent "gpt-replay" has no recorded answer for its requests: the first \d+ cases all found none in /,
      );
      expect(r.stderr).toMatch(/prompt template, tools, model/);
      // which part changed, against the recording of the same case's opening request
      expect(r.stderr).toContain(
        "in the first case, what changed: the system prompt (the prompt template, or the workflow or alert it shows))",
      );
      expect(r.stderr).toContain("Nothing was stored.");
      expect(r.stderr).toContain(`--agent <live agent> --record ${rec}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack
      expect(await runs()).toBe(before);
      // a plain run says the same
      const plain = await run(["run", "suite.yaml", "--agent", "gpt-replay", "--db", db, "--quiet"]);
      expect(plain.status).toBe(2);
      expect(plain.stderr).toMatch(/has no recorded answer for its requests/);
      expect(await runs()).toBe(before);
    } finally {
      writeFileSync(prompt, before);
    }
  });

  it("refuses an epoch the recordings do not hold, and asks to record as many epochs", async () => {
    // a baseline of two epochs (the playbook's); the model was recorded in one
    const base = await run(["run", "suite.yaml", "--epochs", "2", "--db", db, "--quiet"]);
    expect(base.status, base.stderr).toBe(0);
    const bless = await run(["baseline", "bless", "--run", "latest", "--name", "two", "--db", db]);
    expect(bless.status, bless.stderr).toBe(0);
    const r = await run([
      "gate",
      "suite.yaml",
      "--baseline",
      "two",
      "--agent",
      "gpt-replay",
      "--epochs",
      "2",
      "--db",
      db,
      "--quiet",
    ]);
    expect(r.status, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/or an epoch was never recorded/);
    expect(r.stderr).toContain(`--agent <live agent> --epochs 2 --record ${rec}`);
  });

  it("does not count a few unrecorded requests as regressions of the agent", async () => {
    const all = readFileSync(rec, "utf8");
    // mini-000's requests name user0 (its first request) or its evidence id s-000a (its second)
    const kept = all
      .split("\n")
      .filter((l) => l !== "")
      .filter((_, i) => i !== 0 && i !== 1);
    writeFileSync(rec, `${kept.join("\n")}\n`);
    try {
      const r = await gate(["--json", "partial.json"]);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toMatch(/of 40 investigations of the candidate gpt-replay .* no recorded response/);
      expect(r.stdout).not.toMatch(/FAIL/);
    } finally {
      writeFileSync(rec, all);
    }
  });
  it("refuses a suite whose default_agents name several agents (exit 2), rather than judge only the first", async () => {
    writeFileSync(
      join(dir, "suite-both.yaml"),
      readFileSync(join(dir, "suite.yaml"), "utf8").replace(
        "default_agents: [playbook]",
        "default_agents: [playbook, gpt-replay]",
      ),
    );
    const both = await run(["run", "suite-both.yaml", "--db", db, "--quiet"]);
    expect(both.status, both.stderr).toBe(0);
    const bless = await run(["baseline", "bless", "--run", "latest", "--name", "both", "--db", db]);
    expect(bless.status, bless.stderr).toBe(0);
    // a prompt change only the model agent sees: the playbook's verdict alone passed it (exit 0)
    const prompt = join(dir, "prompt.hbs");
    const before = readFileSync(prompt, "utf8");
    appendFileSync(prompt, "Be concise.\n");
    try {
      const gateBoth = (extra: string[] = []) =>
        run(["gate", "suite-both.yaml", "--baseline", "both", "--db", db, "--quiet", ...extra]);
      const r = await gateBoth(["--json", "both.json"]);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toMatch(
        /suite-both\.yaml:\d+: default_agents: names 2 agents \(playbook, gpt-replay\) and the gate judges one: name it with --agent, one gate per agent\n$/,
      );
      expect(JSON.parse(readFileSync(join(dir, "both.json"), "utf8")).status).toBe("not_judged");
      // one gate per agent judges each: the model agent's changed prompt is refused, the playbook passes
      const model = await gateBoth(["--agent", "gpt-replay"]);
      expect(model.status, model.stdout).toBe(2);
      expect(model.stderr).toMatch(/has no recorded answer for its requests/);
      const playbook = await gateBoth(["--agent", "playbook"]);
      expect(playbook.status, playbook.stderr).toBe(0);
    } finally {
      writeFileSync(prompt, before);
    }
  });
  it("blessing one agent's run under a name keeps the name's other agents, so each agent's gate compares with its own", async () => {
    // on main: the model agent's replay and the playbook's run, each blessed as "split" in turn
    for (const agent of ["gpt-replay", "playbook"]) {
      const r = await run(["run", "suite.yaml", "--agent", agent, "--db", db, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
      const bless = await run(["baseline", "bless", "--run", "latest", "--name", "split", "--db", db]);
      expect(bless.status, bless.stderr).toBe(0);
    }
    const list = await run(["baseline", "list", "--db", db]);
    expect(
      list.stdout
        .split("\n")
        .filter((l) => l.startsWith("split\t"))
        .map((l) => l.split("\t")[1]),
    ).toEqual(["gpt-replay", "playbook"]);
    // the model's gate was judged against the playbook, the name's only agent left, and failed (exit 1)
    const split = await run([
      "gate",
      "suite.yaml",
      "--baseline",
      "split",
      "--agent",
      "gpt-replay",
      "--db",
      db,
      "--quiet",
    ]);
    expect(split.status, split.stdout).toBe(0);
    expect(split.stdout).toMatch(/vs baseline \*\*split\*\* `gpt-replay`/);
  });
});
