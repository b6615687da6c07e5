import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import { renderReport } from "../src/report/render.js";
import { Store } from "../src/store/db.js";
import { query, scoreTranscripts, soceval } from "./helpers/cli.js";

/**
 * An answer that fails the triage schema is stored with no verdict, as no answer at all is: the
 * cases table must still tell them apart, or `--rate schema_invalid_rate` (a share of produced
 * outputs) lists every one of its rows as "no output".
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-cases-invalid-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "i.duckdb");
let first = "";
let second = "";

beforeAll(async () => {
  const output = {
    verdict: "true_positive",
    confidence: 0.9,
    escalate: true,
    summary: "Unknown device.",
    hypotheses: [{ kind: "malicious", explanation: "Unknown device.", evidence: ["s-000a"] }],
    recommended_actions: [],
    missing_sources: [],
    human_only: false,
  };
  const step = {
    type: "tool_call",
    tool: "get_signins",
    input: {},
    status: "ok",
    evidence_ids: ["s-000a"],
    latency_ms: 10,
  };
  const lines = [
    {
      case_id: "mini-000",
      agent: "vendor",
      epoch: 0,
      steps: [step],
      output: { ...output, verdict: "maybe" },
      error: null,
    },
    { case_id: "mini-001", agent: "vendor", epoch: 0, steps: [], output: null, error: "provider 500" },
  ];
  first = await scoreTranscripts(dir, db, "vendor", lines, "t.jsonl");
  // a second platform that answers both cases validly, to compare against
  const other = ["mini-000", "mini-001"].map((c) => ({
    case_id: c,
    agent: "other",
    epoch: 0,
    steps: [step],
    output,
    error: null,
  }));
  second = await scoreTranscripts(dir, db, "other", other, "o.jsonl");
}, 60_000);

describe("soceval cases, an output that failed the schema", () => {
  it("shows it as an invalid output, and an investigation with no answer as no output", async () => {
    const invalid = await soceval(["cases", "--run", first, "--rate", "schema_invalid_rate", "--db", db], dir);
    expect(invalid.status, invalid.stderr).toBe(0);
    expect(invalid.stdout).toMatch(/mini-000\W+vendor\W+0\W+\w+\W+invalid output\W/);
    expect(invalid.stdout).not.toContain("no output");
    const all = await soceval(["cases", "--run", first, "--rate", "verdict_agreement", "--db", db], dir);
    expect(all.stdout).toMatch(/mini-000\W+vendor\W+0\W+\w+\W+invalid output\W/);
    expect(all.stdout).toMatch(/mini-001\W+vendor\W+0\W+\w+\W+no output\W/);
    // jsonl keeps its fields as they were, the verdict null (output_status beside it says which; test/output-status-cli.test.ts)
    const jsonl = await soceval(
      ["cases", "--run", first, "--rate", "schema_invalid_rate", "--format", "jsonl", "--db", db],
      dir,
    );
    const row = JSON.parse(jsonl.stdout.trim().split("\n")[0]!);
    expect(row).toMatchObject({ case_id: "mini-000", verdict: null });
    expect(row).not.toHaveProperty("failed");
  });

  it("shows it in the report's worst cases as an invalid output beside the answer, not as no output", async () => {
    const store = await Store.open(db);
    const doc = await buildReport(store, first, { worst: 50 });
    store.close();
    const html = await renderReport(doc, "html");
    const article = (id: string) => {
      const at = html.indexOf(`<code class="id">${id}</code> — `);
      expect(at, id).toBeGreaterThan(-1);
      return html.slice(at, html.indexOf("</article>", at));
    };
    expect(article("mini-000")).toMatch(/<th scope="row">Agent<\/th><td class="text">invalid output, escalate/);
    expect(article("mini-000")).toContain("maybe");
    // the confusion matrix's last column holds both, and says so
    expect(html).toContain('<th scope="col" class="num">no valid verdict</th>');
    expect(doc.agents.vendor!.confusion.agent.at(-1)).toBe("no_output");
    const noVerdict = doc.agents.vendor!.confusion.counts.reduce((n, row) => n + row.at(-1)!, 0);
    expect(noVerdict).toBe(
      doc.agents.vendor!.metrics.failed_rate!.x! + doc.agents.vendor!.metrics.schema_invalid_rate!.x!,
    );
    expect(article("mini-001")).toMatch(/<th scope="row">Agent<\/th><td class="text">no output, escalate/);
  });

  it("gives as the worst cases' reason what the Agent column says, never a verdict that disagrees", async () => {
    const store = await Store.open(db);
    const doc = await buildReport(store, first, { worst: 50 });
    store.close();
    const reasons = (id: string) => doc.agents.vendor!.worst_cases.find((w) => w.case_id === id)?.reasons;
    expect(reasons("mini-000")).toContain("invalid output");
    expect(reasons("mini-000")).not.toContain("verdict disagrees with the analyst");
    expect(reasons("mini-001")).toEqual(expect.arrayContaining(["no output"]));
    expect(reasons("mini-001")).not.toContain("verdict disagrees with the analyst");
    // the Markdown's row: the agent's answer and the reason in the same words
    const vendor = doc.agents.vendor!;
    const one = { ...vendor, worst_cases: vendor.worst_cases.filter((w) => w.case_id === "mini-000") };
    const md = await renderReport({ ...doc, agents: { vendor: one } }, "md");
    const row = md.split("\n").find((l) => l.startsWith("| `mini-000`"));
    expect(row).toMatch(/\| invalid output \| [^|]*\binvalid output\b/);
  });

  it("shows it in compare's disagreements as an invalid output, and its Why as one", async () => {
    const out = join(dir, "c.html");
    const r = await soceval(["compare", "--runs", second, first, "--out", out, "--db", db], dir);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    const row = (id: string) =>
      html.slice(
        html.indexOf(`<code class="id">${id}</code>`),
        html.indexOf("</details>", html.indexOf(`<code class="id">${id}</code>`)),
      );
    expect(row("mini-000")).toContain("invalid output");
    expect(row("mini-000")).not.toContain("no output");
    expect(row("mini-001")).toContain("no output");
    expect(row("mini-001")).not.toContain("invalid output");
  });
});

describe("show --format json, an output that failed the schema", () => {
  it("says invalid or none beside the null verdict, as cases --format jsonl does", async () => {
    const status = async (id: string) => {
      const r = await soceval(["show", id, "--run", first, "--format", "json", "--db", db], dir);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).transcripts.map((t: { output_status: string }) => t.output_status);
    };
    expect(await status("mini-000")).toEqual(["invalid"]);
    expect(await status("mini-001")).toEqual(["none"]);
    expect(await status("mini-002")).toEqual(["none"]);
    const valid = await soceval(["show", "mini-000", "--run", second, "--format", "json", "--db", db], dir);
    expect(JSON.parse(valid.stdout).transcripts[0].output_status).toBe("valid");
    // the terminal's answer line says so first, as the report's Agent field does
    const text = await soceval(["show", "mini-000", "--run", first, "--db", db], dir);
    expect(text.stdout).toMatch(/^output {2}invalid output \(verdict maybe\) · escalate/m);
    const other = await soceval(["show", "mini-000", "--run", second, "--db", db], dir);
    expect(other.stdout).toMatch(/^output {2}true_positive · escalate/m);
  }, 30_000);
});

describe("report --format json, the cases behind a rate", () => {
  it("gives each listed case the output status `cases --format jsonl` gives its row", async () => {
    const json = await soceval(["report", "--run", first, "--format", "json", "--db", db], dir);
    expect(json.status, json.stderr).toBe(0);
    const behind = JSON.parse(json.stdout).agents.vendor.cases_behind as {
      metric: string;
      listed: { case_id: string; output_status: string }[];
      query: string;
    }[];
    let compared = 0;
    // the rates with cases listed (a CLI run each: the rest list nothing to compare)
    for (const b of behind.filter((x) => x.listed.length > 0)) {
      const rows = await soceval(
        ["cases", "--run", first, "--rate", b.metric, "--agent", "vendor", "--format", "jsonl", "--db", db],
        dir,
      );
      expect(rows.status, rows.stderr).toBe(0);
      const fromCases = rows.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .map((r) => ({ case_id: r.case_id, output_status: r.output_status }));
      expect(
        b.listed.map((c) => ({ case_id: c.case_id, output_status: c.output_status })),
        b.metric,
      ).toEqual(fromCases);
      compared += fromCases.length;
      // the SQL the report gives for the rate says it per row too (one epoch: a row is a case)
      if (!b.metric.startsWith("violation_rate.")) {
        const sql = await query<{ case_id: string; output_status: string }>(db, b.query);
        expect(
          sql.map((r) => ({ case_id: r.case_id, output_status: r.output_status })),
          b.metric,
        ).toEqual(fromCases);
      }
    }
    expect(compared).toBeGreaterThan(0);
    const agreement = behind.find((b) => b.metric === "verdict_agreement")!.listed;
    expect(agreement).toContainEqual(expect.objectContaining({ case_id: "mini-000", output_status: "invalid" }));
    expect(agreement).toContainEqual(expect.objectContaining({ case_id: "mini-001", output_status: "none" }));
  }, 60_000);

  it("says beside a listed case of the HTML why it has no verdict, in the worst cases' words", async () => {
    const store = await Store.open(db);
    const doc = await buildReport(store, first, { worst: 50 });
    store.close();
    const html = await renderReport(doc, "html");
    const section = html.slice(html.indexOf("<h3>Cases behind the numbers</h3>"));
    const row = section.slice(
      section.indexOf('-behind-verdict_agreement"'),
      section.indexOf("</tr>", section.indexOf('-behind-verdict_agreement"')),
    );
    const text = row.replace(/<[^>]+>/g, "").replace(/&nbsp;/g, " ");
    // the row's own words name both answers without a verdict that it lists
    expect(text).toContain("or no valid verdict (invalid output or no output)");
    expect(text).toContain("mini-000 invalid output");
    expect(text).toContain("mini-001 no output");
    // the rate of missing answers says it of every case: no note repeats it
    const failed = section.slice(
      section.indexOf('-behind-failed_rate"'),
      section.indexOf("</tr>", section.indexOf('-behind-failed_rate"')),
    );
    expect(failed.replace(/<[^>]+>/g, "")).not.toContain("mini-001 no output");
  });
});
