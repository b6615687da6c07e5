import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompareDoc } from "../src/analytics/compare-schema.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import type { GateVerdict } from "../src/gate/verdict-schema.js";
import { jsonLines, scoreTranscripts, soceval } from "./helpers/cli.js";

/**
 * An answer that failed the triage schema and no answer at all are both stored with a null verdict:
 * every machine-readable list of cases says which (`output_status`), or a CI job that parses it
 * reads an agent's malformed answer as a provider outage, or the other way round.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-output-status-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "o.duckdb");
const cases = readFileSync(join(dir, "cases.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map(
    (l) => JSON.parse(l) as { id: string; label: { verdict: string; escalate: boolean; required_evidence: string[] } },
  );

const answer = (verdict: string, escalate: boolean, evidence: string[] = []) => ({
  verdict,
  confidence: 0.8,
  escalate,
  summary: "Decided from the sign-ins and the address's reputation.",
  hypotheses: [{ kind: verdict === "true_positive" ? "malicious" : "benign", explanation: "As gathered.", evidence }],
  recommended_actions: [],
  evidence,
  missing_sources: [],
  human_only: false,
});
/** Steps that gather the analyst's required evidence, each id from the tool of its source. */
const gathering = (ids: string[], at: number) =>
  ids.map((id, i) => ({
    type: "tool_call",
    tool: id.startsWith("t-") ? "get_ip_reputation" : "get_signins",
    input: {},
    status: "ok",
    evidence_ids: [id],
    time: new Date(at + i * 1000).toISOString(),
    latency_ms: 10,
  }));
/** Every case investigated and answered as the analyst did, but where `odd` says otherwise. */
const agentFile = (agent: string, odd: Record<string, { output: unknown; error?: string }>) =>
  cases.map((c) => {
    const ids = c.label.required_evidence;
    const o = odd[c.id];
    return {
      case_id: c.id,
      agent,
      epoch: 0,
      steps: o?.error ? [] : gathering(ids, Date.parse("2026-03-01T11:00:00Z")),
      output: o ? o.output : answer(c.label.verdict, c.label.escalate, ids),
      error: o?.error ?? null,
    };
  });

// analyst benign_positive, no escalation, on mini-001, -002, -003 and -005
const WRONG = "mini-001"; // the candidate answers validly, and wrongly
const INVALID = "mini-002"; // the candidate's answer fails the schema
const NONE = "mini-005"; // the candidate's provider failed: no answer at all
const BASE_INVALID = "mini-003"; // the baseline's answer failed the schema, the candidate's is right
const notAVerdict = { ...answer("benign_positive", false), verdict: "maybe" };

let base = "";
let cand = "";
beforeAll(async () => {
  base = await scoreTranscripts(dir, db, "base", agentFile("base", { [BASE_INVALID]: { output: notAVerdict } }));
  cand = await scoreTranscripts(
    dir,
    db,
    "cand",
    agentFile("cand", {
      [WRONG]: { output: answer("true_positive", false) },
      [INVALID]: { output: notAVerdict },
      [NONE]: { output: null, error: "provider: 500 upstream is down" },
    }),
  );
}, 120_000);

describe("output_status: an invalid answer told apart from none", () => {
  it("soceval cases --format jsonl says it per row, beside the fields it had", async () => {
    const rows = jsonLines<Record<string, unknown>>(
      await soceval(["cases", "--run", cand, "--rate", "verdict_agreement", "--format", "jsonl", "--db", db], dir),
    );
    const byId = new Map(rows.map((r) => [r.case_id, r]));
    expect([...byId.keys()].sort()).toEqual([WRONG, INVALID, NONE]);
    expect(byId.get(WRONG)).toMatchObject({ verdict: "true_positive", output_status: "valid" });
    expect(byId.get(INVALID)).toMatchObject({ verdict: null, output_status: "invalid" });
    expect(byId.get(NONE)).toMatchObject({ verdict: null, output_status: "none" });
    const baseRows = jsonLines<Record<string, unknown>>(
      await soceval(["cases", "--run", base, "--rate", "schema_invalid_rate", "--format", "jsonl", "--db", db], dir),
    );
    expect(baseRows).toEqual([expect.objectContaining({ case_id: BASE_INVALID, output_status: "invalid" })]);
    // additive: the row's earlier fields are all still there
    for (const k of ["run_id", "agent", "epoch", "label_verdict", "escalate", "title"])
      expect(byId.get(NONE), k).toHaveProperty(k);
  });

  it("the gate's --json says it per side of each listed case and per judged case; the summary and JUnit name each", async () => {
    const r = await soceval(
      [
        "gate",
        "--baseline-run",
        base,
        "--candidate-run",
        cand,
        "--json",
        "v.json",
        "--summary",
        "s.md",
        "--junit",
        "j.xml",
        "--db",
        db,
      ],
      dir,
    );
    expect(r.status, r.stderr).toBe(1);
    const v = JSON.parse(readFileSync(join(dir, "v.json"), "utf8")) as GateVerdict;
    const regressed = new Map(v.regressed.map((x) => [x.case_id, x]));
    expect([...regressed.keys()].sort()).toEqual([WRONG, INVALID, NONE]);
    expect(regressed.get(WRONG)).toMatchObject({
      candidate_verdict: "true_positive",
      candidate_output_status: "valid",
      baseline_output_status: "valid",
    });
    expect(regressed.get(INVALID)).toMatchObject({ candidate_verdict: null, candidate_output_status: "invalid" });
    expect(regressed.get(NONE)).toMatchObject({ candidate_verdict: null, candidate_output_status: "none" });
    expect(v.improved).toEqual([
      expect.objectContaining({
        case_id: BASE_INVALID,
        baseline_verdict: null,
        baseline_output_status: "invalid",
        candidate_output_status: "valid",
      }),
    ]);
    const outcome = new Map(v.cases.map((c) => [c.case_id, c]));
    expect(outcome.get(WRONG)).toMatchObject({ outcome: "regressed", output_status: "valid" });
    expect(outcome.get(INVALID)).toMatchObject({ outcome: "regressed", output_status: "invalid" });
    expect(outcome.get(NONE)).toMatchObject({ outcome: "failed", output_status: "none" });
    expect(outcome.get("mini-000")).toMatchObject({ outcome: "ok", output_status: "valid" });
    // the baseline's answer that failed the schema was "no output" in the pull-request comment
    const md = readFileSync(join(dir, "s.md"), "utf8");
    expect(md).toMatch(new RegExp(`\`${BASE_INVALID}\`.*: analyst benign_positive, invalid output → benign_positive`));
    expect(md).toMatch(new RegExp(`\`${INVALID}\`.*: analyst benign_positive, benign_positive → invalid output`));
    expect(md).toMatch(new RegExp(`\`${NONE}\`.*: analyst benign_positive, benign_positive → no output`));
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(join(dir, "j.xml"), "utf8"),
    );
    const tests = xml.testsuites.testsuite[1].testcase as { name: string; failure?: { message: string } }[];
    const message = (id: string) => tests.find((t) => t.name.startsWith(`${id} `))?.failure?.message;
    expect(message(INVALID)).toBe(
      "regressed: analyst benign_positive; baseline benign_positive → candidate invalid output",
    );
    expect(message(WRONG)).toBe(
      "regressed: analyst benign_positive; baseline benign_positive → candidate true_positive",
    );
  });

  it("a gate that cannot judge for an outage still lists an answer that failed the schema as the agent's, not the outage's", async () => {
    const down = ["mini-004", "mini-005", "mini-006", "mini-007", "mini-008"];
    const run = await scoreTranscripts(
      dir,
      db,
      "down",
      agentFile("down", {
        [INVALID]: { output: notAVerdict },
        ...Object.fromEntries(down.map((id) => [id, { output: null, error: "provider: 503 overloaded" }])),
      }),
    );
    const r = await soceval(
      [
        "gate",
        "--baseline-run",
        base,
        "--candidate-run",
        run,
        "--baseline-agent",
        "base",
        "--json",
        "d.json",
        "--db",
        db,
      ],
      dir,
    );
    expect(r.status, r.stderr).toBe(3);
    const v = JSON.parse(readFileSync(join(dir, "d.json"), "utf8")) as GateVerdict;
    expect(v.regressed.filter((x) => x.candidate_output_status === "none").map((x) => x.case_id)).toEqual(down);
    expect(r.stdout).toContain("**Right → wrong, where the candidate answered** (1)");
    expect(r.stdout).toMatch(
      new RegExp(`- \`${INVALID}\`.*: analyst benign_positive, benign_positive → invalid output`),
    );
    expect(r.stdout).toContain(`**Right → no answer** (${down.length}): not listed; the failures above are why.`);
  });

  it("the report's JSON worst cases say it for the epoch shown", async () => {
    const out = join(dir, "r.json");
    const r = await soceval(["report", "--run", cand, "--format", "json", "--out", out, "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as ReportDoc;
    const worst = new Map(doc.agents.cand!.worst_cases.map((w) => [w.case_id, w]));
    expect(worst.get(WRONG)).toMatchObject({ verdict: "true_positive", output_status: "valid" });
    expect(worst.get(INVALID)).toMatchObject({ verdict: null, output_status: "invalid" });
    expect(worst.get(NONE)).toMatchObject({ verdict: null, output_status: "none" });
  });

  it("compare's JSON disagreements say it per side, in the row and in its detail", async () => {
    const out = join(dir, "c.json");
    const r = await soceval(["compare", "--runs", base, cand, "--format", "json", "--out", out, "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as CompareDoc;
    const row = (id: string) => doc.disagreements.find((d) => d.case_id === id)!;
    const statuses = (id: string) => row(id).answers.map((a) => a.output_status);
    expect(statuses(WRONG)).toEqual(["valid", "valid"]);
    expect(statuses(INVALID)).toEqual(["valid", "invalid"]);
    expect(statuses(NONE)).toEqual(["valid", "none"]);
    expect(statuses(BASE_INVALID)).toEqual(["invalid", "valid"]);
    for (const id of [WRONG, INVALID, NONE, BASE_INVALID])
      expect(
        row(id).detail.answers.map((a) => a.output_status),
        id,
      ).toEqual(statuses(id));
  });
});
