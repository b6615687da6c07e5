import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { soceval } from "./helpers/cli.js";
import { editedMini } from "./helpers/mini-workflow.js";

// configuration a user writes (suite, agent files) that `soceval run` must refuse when it loads:
// exit 2 with file:line: field, before any store is made
const dir = mkdtempSync(join(tmpdir(), "soceval-config-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const SUITE = readFileSync(join(dir, "suite.yaml"), "utf8");
const GPT = readFileSync(join(dir, "agents/gpt.yaml"), "utf8");

let n = 0;
/** The mini suite with one edit, run into a fresh --db that must not come to exist. */
async function refused(edit: { suite?: (s: string) => string; gpt?: (s: string) => string }, args: string[] = []) {
  const k = ++n;
  writeFileSync(join(dir, `agents/gpt-${k}.yaml`), (edit.gpt ?? ((s) => s))(GPT));
  const suite = (edit.suite ?? ((s) => s))(SUITE).replace("agents/gpt.yaml", `agents/gpt-${k}.yaml`);
  writeFileSync(join(dir, `s${k}.suite.yaml`), suite);
  const db = join(dir, `s${k}.duckdb`);
  const r = await soceval(["run", `s${k}.suite.yaml`, "--db", db, "--quiet", ...args], dir);
  expect(r.status, r.stderr).toBe(2);
  expect(existsSync(db), "a refused run leaves no store").toBe(false);
  return { stderr: r.stderr, suite: `s${k}.suite.yaml`, agent: `gpt-${k}.yaml` };
}

describe("soceval run refuses a configuration that would not mean what it says", () => {
  it("a path written from the current folder, not the suite's or agent file's, with the path to write", async () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "sub/s.suite.yaml"), SUITE);
    const db = join(dir, "sub.duckdb");
    const r = await soceval(["run", "sub/s.suite.yaml", "--db", db, "--quiet"], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `soceval: sub/s.suite.yaml:2: workflow: cannot read ${join(dir, "sub/workflow.yaml")} (ENOENT); paths in a suite ` +
        "are relative to its folder, and workflow.yaml is a file from the current folder: write ../workflow.yaml\n",
    );
    expect(existsSync(db)).toBe(false);
    // an agent's prompt written from the suite's folder (the current one here), not the agent file's
    const r2 = await refused({ gpt: (g) => g.replace("prompt: ../prompt.hbs", "prompt: prompt.hbs") }, [
      "--agent",
      "gpt-test",
    ]);
    expect(r2.stderr).toContain(
      `prompt: cannot read ${join(dir, "agents/prompt.hbs")}; paths in an agent file are relative to its folder, ` +
        "and prompt.hbs is a file from the current folder: write ../prompt.hbs\n",
    );
  });

  it("an empty default_agents list, at its line", async () => {
    const r = await refused({ suite: (s) => s.replace("default_agents: [playbook]", "default_agents: []") });
    expect(r.stderr).toMatch(new RegExp(`${r.suite}:5: default_agents: list at least one agent`));
  });

  it("a default agent the suite does not have, at the default_agents line", async () => {
    const r = await refused({ suite: (s) => s.replace("default_agents: [playbook]", "default_agents: [plybook]") });
    expect(r.stderr).toMatch(new RegExp(`${r.suite}:5: default_agents\\[0\\]: no agent named "plybook"`));
  });

  it("an unknown --agent or default agent, or an unset API key, before any warning says the run goes on", async () => {
    // a workflow whose rule tests a field no record has: the run warns of it at the start
    const wf = editedMini(["field: device_known, equals: false", "field: device_knwn, equals: false"]);
    const suite = (s: string) => s.replace("workflow: workflow.yaml", `workflow: ${wf}`);
    const r = await refused({ suite }, ["--agent", "playbok"]);
    expect(r.stderr).toMatch(/^soceval: --agent: no agent named "playbok" in .*\n$/);
    const d = await refused({
      suite: (s) => suite(s).replace("default_agents: [playbook]", "default_agents: [plybook]"),
    });
    expect(d.stderr).toMatch(
      new RegExp(`^soceval: ${d.suite}:5: default_agents\\[0\\]: no agent named "plybook"[^\\n]*\\n$`),
    );
    // a model agent whose API key is unset, as well
    const k = await refused({ suite, gpt: (g) => `${g}api_key_env: SOCEVAL_TEST_KEY_NEVER_SET\n` }, [
      "--agent",
      "gpt-test",
    ]);
    expect(k.stderr).toMatch(
      /^soceval: .*api_key_env: environment variable SOCEVAL_TEST_KEY_NEVER_SET is not set[^\n]*\n$/,
    );
    // flags the chosen agents cannot take, as well
    const rec = await refused({ suite }, ["--record", join(dir, "never.jsonl")]);
    expect(rec.stderr).toBe("soceval: --record: the playbook agent calls no model, so there is nothing to record\n");
    const retry = await refused({ suite }, ["--retry-failed"]);
    expect(retry.stderr).toMatch(/^soceval: --retry-failed: only with --resume[^\n]*\n$/);
    const w = await refused({ suite }, ["--agent", "gpt-test", "--workers", "2"]);
    expect(w.stderr).toMatch(/^soceval: --workers: worker threads replay the playbook agent only[^\n]*\n$/);
  });

  it('a model agent without a model name (it would have sent "playbook" to the server)', async () => {
    const r = await refused({ gpt: (s) => s.replace("model: test-model\n", "") }, ["--agent", "gpt-test"]);
    expect(r.stderr).toMatch(new RegExp(`${r.agent}:1: model: required for provider openai-compatible`));
  });

  it("a model agent without a price, for the playbook's run too (its cost would read $0, and max_cost_usd never stop it)", async () => {
    const noPrice = (s: string) => s.replace(/price: .*\n/, "");
    const r = await refused({ gpt: noPrice }, ["--agent", "gpt-test"]);
    expect(r.stderr).toMatch(
      new RegExp(`${r.agent}:1: price: required for provider openai-compatible: USD per million`),
    );
    const p = await refused({ gpt: noPrice });
    expect(p.stderr).toContain(`${p.agent}:1: price: required`);
  });

  it("a base_url that is not an http(s) URL, and the same in OPENAI_BASE_URL", async () => {
    const r = await refused({ gpt: (s) => s.replace("http://127.0.0.1:9/v1", "127.0.0.1:9/v1") }, [
      "--agent",
      "gpt-test",
    ]);
    expect(r.stderr).toMatch(new RegExp(`${r.agent}:4: base_url: expected an http\\(s\\) URL`));
    const db = join(dir, "env-url.duckdb");
    const e = await soceval(["run", "suite.yaml", "--db", db, "--quiet", "--agent", "gpt-test"], dir, {
      OPENAI_BASE_URL: "localhost:11434",
    });
    expect(e.status, e.stderr).toBe(2);
    expect(e.stderr).toContain(
      'OPENAI_BASE_URL: expected an http(s) URL, e.g. http://localhost:11434/v1 (it is "localhost:11434")',
    );
    expect(existsSync(db)).toBe(false);
  });

  it("epochs in an agent file, which one run cannot honour per agent", async () => {
    const r = await refused({ gpt: (s) => `${s}epochs: 3\n` });
    expect(r.stderr).toMatch(new RegExp(`${r.agent}:8: epochs: epochs are set per suite`));
  });

  it("mutate on a model agent, and an empty tool scope", async () => {
    const m = await refused({ gpt: (s) => `${s}mutate: { skip_tools: [] }\n` });
    expect(m.stderr).toMatch(new RegExp(`${m.agent}:8: mutate: only the playbook agent can be mutated`));
    const t = await refused({ gpt: (s) => `${s}tools: []\n` });
    expect(t.stderr).toMatch(new RegExp(`${t.agent}:8: tools: an agent needs at least one tool`));
    const w = await refused({ gpt: (s) => `${s}tools: get_signins\n` });
    expect(w.stderr).toMatch(new RegExp(`${w.agent}:8: tools: expected "all" or a list of tool names`));
  });

  it("a rate criterion written as a percentage", async () => {
    const r = await refused({
      suite: (s) =>
        `${s}exit_criteria:\n  shadow:\n    - { metric: verdict_agreement, op: ">=", threshold: 85, bound: lower }\n`,
    });
    expect(r.stderr).toMatch(
      new RegExp(
        `${r.suite}:\\d+: exit_criteria\\.shadow\\[0\\]\\.threshold: verdict_agreement is a rate from 0 to 1 \\(it is 85; 0\\.85\\?\\)`,
      ),
    );
  });

  it("a seed or epoch count beyond 32 bits, which the store would keep wrapped and resume would then refuse", async () => {
    const s = await refused({ suite: (x) => x.replace("seed: 3", "seed: 20250106123") });
    expect(s.stderr).toMatch(new RegExp(`${s.suite}:6: seed: expected a seed from -2147483648 to 2147483647`));
    const e = await refused({ suite: (x) => `${x}epochs: 3000000000\n` });
    expect(e.stderr).toMatch(new RegExp(`${e.suite}:\\d+: epochs: .*2147483647`));
    const f = await refused({}, ["--epochs", "3000000000"]);
    expect(f.stderr).toContain('--epochs: expected at most 2147483647, got "3000000000"');
  });

  it("a workflow, agent file or dataset that is not there, at the suite line that names it", async () => {
    const w = await refused({ suite: (s) => s.replace("workflow: workflow.yaml", "workflow: nope.yaml") });
    expect(w.stderr).toMatch(new RegExp(`${w.suite}:2: workflow: cannot read .*nope\\.yaml \\(ENOENT\\)`));
    const d = await refused({ suite: (s) => s.replace("dataset: cases.jsonl", "dataset: agents") });
    expect(d.stderr).toMatch(new RegExp(`${d.suite}:3: dataset: cannot read .*agents \\(not a file\\)`));
    const a = await refused({ suite: (s) => s.replace("agents/playbook.yaml", "agents/nope.yaml") });
    expect(a.stderr).toMatch(new RegExp(`${a.suite}:4: agents\\[0\\]: cannot read .*nope\\.yaml`));
  });
});
