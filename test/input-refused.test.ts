import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";

// bad input that `soceval run` must refuse up front: exit 2, file:line: field, and no run stored
const dir = mkdtempSync(join(tmpdir(), "soceval-refused-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const run = (args: string[]) => soceval(args, dir);

const SUITE_HEAD = "name: x\nworkflow: workflow.yaml\ndataset: cases.jsonl\nagents: [agents/playbook.yaml]\n";

/** Nothing half-made is left behind: no run row and no transcript (a missing file is fine too). */
async function nothingStored(db: string): Promise<void> {
  if (!existsSync(db)) return;
  const [row] = await query<{ runs: number; t: number }>(
    db,
    "SELECT (SELECT count(*) FROM runs) runs, (SELECT count(*) FROM transcripts) t",
  );
  expect(row).toEqual({ runs: 0, t: 0 });
}

describe("soceval run refuses what it cannot honestly replay", () => {
  it("a case for another workflow, naming its line and field", async () => {
    const lines = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n");
    lines[2] = lines[2]!.replace('"workflow": "mini"', '"workflow": "phishing-triage"');
    expect(lines[2]).toContain('"phishing-triage"');
    writeFileSync(join(dir, "other-workflow.jsonl"), lines.join("\n"));
    writeFileSync(
      join(dir, "other.suite.yaml"),
      SUITE_HEAD.replace("dataset: cases.jsonl", "dataset: other-workflow.jsonl"),
    );
    const db = join(dir, "other-workflow.duckdb");
    const r = await run(["run", "other.suite.yaml", "--db", db, "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /other-workflow\.jsonl:3: workflow: case mini-002 is for workflow "phishing-triage", the suite replays "mini"/,
    );
    await nothingStored(db);
  });

  it("a case whose required_evidence names an id its evidence lacks, as dataset validate does", async () => {
    const lines = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n");
    lines[4] = lines[4]!.replace(/"required_evidence": \["([^"]+)"/, '"required_evidence": ["$1", "nope-1"');
    expect(lines[4]).toContain('"nope-1"');
    writeFileSync(join(dir, "unknown-required.jsonl"), lines.join("\n"));
    writeFileSync(
      join(dir, "required.suite.yaml"),
      SUITE_HEAD.replace("dataset: cases.jsonl", "dataset: unknown-required.jsonl"),
    );
    const validate = await run(["dataset", "validate", "unknown-required.jsonl"]);
    expect(validate.status).toBe(2);
    const message = 'unknown-required.jsonl:5: label.required_evidence[1]: "nope-1" is not an evidence id of this case';
    expect(validate.stdout + validate.stderr).toContain(message);
    // in worker threads and in the main thread alike
    for (const workers of ["2", "0"]) {
      const db = join(dir, `required-${workers}.duckdb`);
      const r = await run(["run", "required.suite.yaml", "--db", db, "--quiet", "--workers", workers]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      await nothingStored(db);
    }
  });

  it("a case with two evidence records of one id, with dataset validate's message", async () => {
    const lines = readFileSync(join(dir, "cases.jsonl"), "utf8").split("\n");
    lines[1] = lines[1]!.replace(/"id": "(s-001)b"/, '"id": "$1a"');
    expect(lines[1]).not.toContain('"s-001b"');
    writeFileSync(join(dir, "duplicate-evidence.jsonl"), lines.join("\n"));
    writeFileSync(
      join(dir, "duplicate.suite.yaml"),
      SUITE_HEAD.replace("dataset: cases.jsonl", "dataset: duplicate-evidence.jsonl"),
    );
    const db = join(dir, "duplicate.duckdb");
    const r = await run(["run", "duplicate.suite.yaml", "--db", db, "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('duplicate-evidence.jsonl:2: evidence[1].id: duplicate evidence id "s-001a"');
    await nothingStored(db);
  });

  it("an agent whose mutate.skip_tools names a tool the workflow does not have", async () => {
    writeFileSync(
      join(dir, "agents/skip-typo.yaml"),
      "name: skip-typo\nprovider: playbook\nmutate:\n  skip_tools:\n    - get_ip_reputation\n    - get_ip_reputaton\n",
    );
    writeFileSync(join(dir, "skip.suite.yaml"), SUITE_HEAD.replace("agents/playbook.yaml", "agents/skip-typo.yaml"));
    const db = join(dir, "skip.duckdb");
    const r = await run(["run", "skip.suite.yaml", "--db", db, "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('agents/skip-typo.yaml:6: mutate.skip_tools[1]: unknown tool "get_ip_reputaton"');
    await nothingStored(db);
  });

  it("a suite whose exit criteria or gate limits name an unknown metric, before any run is stored", async () => {
    writeFileSync(
      join(dir, "criteria.suite.yaml"),
      `${SUITE_HEAD}exit_criteria:\n  shadow:\n` +
        '    - { metric: verdict_agreement, op: ">=", threshold: 0.5 }\n' +
        '    - { metric: halucination_rate, op: "<=", threshold: 0.02 }\n',
    );
    const db = join(dir, "criteria.duckdb");
    const r = await run(["run", "criteria.suite.yaml", "--db", db, "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'criteria.suite.yaml:8: exit_criteria.shadow[1].metric: unknown metric "halucination_rate"',
    );
    await nothingStored(db);
    writeFileSync(
      join(dir, "limits.suite.yaml"),
      `${SUITE_HEAD}gate:\n  limits:\n    - { metric: hallucination_rate, max: 0.02 }\n` +
        "    - { metric: policy_violaton_rate, max: 0.3 }\n  budget: { metric: cost_per_investigation, max_increase_pct: 20 }\n",
    );
    const limits = await run(["run", "limits.suite.yaml", "--db", db, "--quiet"]);
    expect(limits.status, limits.stderr).toBe(2);
    expect(limits.stderr).toContain(
      'limits.suite.yaml:8: gate.limits[1].metric: unknown metric "policy_violaton_rate"',
    );
    await nothingStored(db);
  });

  it("gate refuses a margin on a metric with no paired difference before it replays the candidate", async () => {
    const db = join(dir, "gate.duckdb");
    expect((await run(["run", "suite.yaml", "--db", db, "--quiet"])).status).toBe(0);
    expect((await run(["baseline", "bless", "--run", "latest", "--name", "main", "--db", db])).status).toBe(0);
    writeFileSync(
      join(dir, "margins.suite.yaml"),
      `${SUITE_HEAD}gate:\n  margins:\n    - { metric: verdict_agreement, max_drop: 0.02 }\n` +
        "    - { metric: escalation_recal, max_drop: 0.02 }\n",
    );
    const r = await run(["gate", "margins.suite.yaml", "--baseline", "main", "--db", db, "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'margins.suite.yaml:8: gate.margins[1].metric: "escalation_recal" has no paired difference',
    );
    // only the baseline's run: the candidate was never replayed
    expect(await query(db, "SELECT count(*)::INT AS n FROM runs")).toEqual([{ n: 1 }]);
    // `run` refuses the same suite too
    const refused = await run(["run", "margins.suite.yaml", "--db", db, "--quiet"]);
    expect(refused.status).toBe(2);
    expect(await query(db, "SELECT count(*)::INT AS n FROM runs")).toEqual([{ n: 1 }]);
  });

  it("a gate limit on a metric where more is better is refused at its line: it is a maximum", async () => {
    writeFileSync(
      join(dir, "floor.suite.yaml"),
      `${SUITE_HEAD}gate:\n  limits:\n    - { metric: hallucination_rate, max: 0.02 }\n    - { metric: verdict_agreement, max: 0.8 }\n`,
    );
    const r = await run(["run", "floor.suite.yaml", "--db", join(dir, "floor", "s.duckdb"), "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "soceval: floor.suite.yaml:8: gate.limits[1].metric: verdict_agreement: more is better, and a limit is a maximum the " +
        "candidate may not exceed (a better one would fail); hold it with a margin (gate.margins), or a minimum in exit_criteria " +
        "that soceval report --check judges\n",
    );
  });

  it("a gate budget on a rate is refused at its line: a better candidate would have failed it", async () => {
    writeFileSync(
      join(dir, "budget.suite.yaml"),
      `${SUITE_HEAD}gate:\n  budget: { metric: false_positive_reduction, max_increase_pct: 10 }\n`,
    );
    const r = await run(["run", "budget.suite.yaml", "--db", join(dir, "budget", "s.duckdb"), "--quiet"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^soceval: budget\.suite\.yaml:6: gate\.budget\.metric: false_positive_reduction is not something the agent spends: a budget caps a rise in cost, tokens or time \(cost_per_investigation, tokens_per_investigation, .*\); hold a rate with a margin or a limit\n$/,
    );
    expect(existsSync(join(dir, "budget"))).toBe(false);
  });
});

describe("a refused run or score leaves no store behind at a new --db", () => {
  it("an unknown --agent, an unset API key, --record on the playbook: exit 2 and no file at --db", async () => {
    writeFileSync(
      join(dir, "agents/keyed.yaml"),
      "name: keyed\nprovider: openai\nmodel: m\napi_key_env: SOCEVAL_TEST_KEY_NEVER_SET\nprompt: ../prompt.hbs\nprice: { input_per_mtok: 1, output_per_mtok: 2 }\n",
    );
    writeFileSync(join(dir, "keyed.suite.yaml"), SUITE_HEAD.replace("agents/playbook.yaml", "agents/keyed.yaml"));
    const cases = [
      [["run", "suite.yaml", "--agent", "playbok"], 'no agent named "playbok"'],
      [["run", "keyed.suite.yaml"], "environment variable SOCEVAL_TEST_KEY_NEVER_SET is not set"],
      [["run", "suite.yaml", "--record", "r.jsonl"], "--record: the playbook agent calls no model"],
      [["run", "suite.yaml", "--concurrency", "0"], "--concurrency: expected a positive integer"],
    ] as const;
    for (const [i, [args, message]] of cases.entries()) {
      const db = join(dir, `fresh-${i}`, "s.duckdb");
      const r = await run([...args, "--db", db, "--quiet"]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(db), args.join(" ")).toBe(false);
      expect(existsSync(`${db}.wal`)).toBe(false);
      // nor the folder made for it (`.soceval/` in a fresh checkout)
      expect(existsSync(join(dir, `fresh-${i}`))).toBe(false);
    }
  });

  it("score with a transcript file that does not exist: exit 2 and no file at --db", async () => {
    const db = join(dir, "fresh-score.duckdb");
    const r = await run([
      ...["score", "--workflow", "workflow.yaml", "--dataset", "cases.jsonl"],
      ...["--transcripts", "nope.jsonl", "--agent", "x", "--db", db],
    ]);
    expect(r.status, r.stderr).toBe(2);
    expect(existsSync(db)).toBe(false);
  });

  it("a store that was there before is kept, runs and all", async () => {
    const db = join(dir, "kept.duckdb");
    expect((await run(["run", "suite.yaml", "--db", db, "--quiet"])).status).toBe(0);
    const r = await run(["run", "suite.yaml", "--agent", "playbok", "--db", db, "--quiet"]);
    expect(r.status).toBe(2);
    expect(await query(db, "SELECT count(*)::INT AS n FROM runs")).toEqual([{ n: 1 }]);
  });
});
