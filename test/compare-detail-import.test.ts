import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompareDoc } from "../src/analytics/compare-schema.js";
import { query, soceval } from "./helpers/cli.js";

/**
 * An imported transcript may hold steps that retrieve nothing (a tool the workflow does not declare,
 * the agent's own `submit_triage`) yet list evidence ids. The "Why" must not name such a step as
 * where a required record was gathered, nor give a step for one the scorer says was not gathered.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cmp-import-"));
const db = join(dir, "c.duckdb");
const workflow = resolve("suites/phishing-triage/workflow.yaml");
const dataset = resolve("datasets/phishing-triage/cases.jsonl");

type Step = { type: string; tool?: string; status?: string; evidence_ids?: string[] };
type Line = { case_id: string; agent: string; steps: Step[]; output: { verdict: string } | null };

describe("compare's required evidence on imported transcripts", () => {
  let doc: CompareDoc;
  const required = new Map<string, string[]>();
  beforeAll(async () => {
    for (const l of readFileSync(dataset, "utf8").split("\n").slice(0, 40))
      if (l) {
        const c = JSON.parse(l) as { id: string; label: { required_evidence: string[] } };
        required.set(c.id, c.label.required_evidence);
      }
    const run = await soceval(
      ["run", resolve("suites/phishing-triage/shadow.suite.yaml"), "--db", db, "--limit", "40", "--quiet"],
      dir,
    );
    expect(run.status, run.stderr).toBe(0);
    const out = join(dir, "pb.jsonl");
    expect((await soceval(["export", "--run", "latest", "--db", db, "--out", out], dir)).status).toBe(0);
    const flip = (v: string) => (v === "true_positive" ? "false_positive" : "true_positive");
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const t = JSON.parse(l) as Line;
        const req = required.get(t.case_id)!;
        t.agent = "vendor-x";
        if (!t.output || req.length === 0) return t;
        t.output.verdict = flip(t.output.verdict);
        const first = req[0]!;
        // a made-up tool "returns" the first required id before the workflow's own tool does
        t.steps.unshift({ type: "tool_call", tool: "made_up_tool", status: "ok", evidence_ids: [first] });
        // the second is dropped from every real call, and only the agent's answer step lists it
        const second = req[1];
        if (second) {
          for (const s of t.steps)
            if (s.tool !== "made_up_tool") s.evidence_ids = s.evidence_ids?.filter((id) => id !== second);
          t.steps.push({ type: "tool_call", tool: "submit_triage", status: "ok", evidence_ids: [second] });
        }
        return t;
      });
    const vx = join(dir, "vx.jsonl");
    writeFileSync(vx, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const sc = await soceval(
      ["score", "--workflow", workflow, "--dataset", dataset, "--transcripts", vx, "--agent", "vendor-x", "--db", db],
      dir,
    );
    expect(sc.status, sc.stderr).toBe(0);
    const runs = (await query<{ run_id: string }>(db, "SELECT run_id FROM runs ORDER BY started_at, run_id")).map(
      (r) => r.run_id,
    );
    const json = join(dir, "c.json");
    const cmp = await soceval(["compare", "--db", db, "--runs", ...runs, "--out", json], dir);
    expect(cmp.status, cmp.stderr).toBe(0);
    doc = JSON.parse(readFileSync(json, "utf8"));
  }, 120_000);

  it("names the workflow tool's call, never a step that retrieves nothing", () => {
    let checked = 0;
    for (const row of doc.disagreements) {
      const side = row.detail.answers[1]!;
      for (const q of side.required_evidence) {
        if (!q.gathered) {
          expect(q.step, `${row.case_id} ${q.id}`).toBeNull();
          continue;
        }
        const s = side.steps[q.step!]!;
        expect(s.tool, `${row.case_id} ${q.id}`).not.toMatch(/^(made_up_tool|submit_triage)$/);
        expect(s.evidence_ids).toContain(q.id);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    const made = doc.disagreements.flatMap((r) => r.detail.answers[1]!.steps.filter((s) => s.tool === "made_up_tool"));
    expect(made.length).toBeGreaterThan(0);
  });
});
