import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComparison, resolveSides } from "../src/analytics/compare.js";
import { buildReport } from "../src/analytics/report.js";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { round } from "../src/analytics/round.js";
import { proportion } from "../src/analytics/stats/proportion.js";
import { formatCount, formatIntervalShort } from "../src/report/format.js";
import { renderComparison, renderReport } from "../src/report/render.js";
import { metricView } from "../src/report/report-view.js";
import { render, stylesheet } from "../src/report/templates.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { soceval } from "./helpers/cli.js";

/** The tables of one agent's section (`nth`: 0 playbook, 1 model-x), from `from` up to the next heading `to`. */
function part(html: string, nth: number, from: string, to: string): string {
  const agent = html.split('<section class="agent"')[nth + 1] ?? "";
  const start = agent.indexOf(from);
  expect(start, from).toBeGreaterThan(-1);
  return agent.slice(start, agent.indexOf(to, start + from.length));
}

/** The row of a table whose row header reads `key`. */
function row(table: string, key: string): string {
  return table.split("</tr>").find((r) => r.replace(/<\/?(span|wbr|code)\b[^>]*>/g, "").includes(`>${key}</th>`)) ?? "";
}

/** Every printed rate says what it is over: x/n and the 95% interval beside it, not only in a title. */
describe("rates show their count and interval", () => {
  let store: Store;
  let doc: ReportDoc;
  let html: string;
  let md: string;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await seedFixture(store);
    doc = await buildReport(store, "latest");
    html = await renderReport(doc, "html");
    md = await renderReport(doc, "md");
  });
  afterAll(() => store.close());

  it("the header says a run has no git revision, rather than an empty cell before its seed", async () => {
    expect(html).toContain('<code class="id">0000000</code>, seed');
    const outside = await renderReport({ ...doc, run: { ...doc.run, git_revision: null } }, "html");
    expect(outside).toContain('<code class="id">none (not run in a git checkout)</code>, seed');
  });

  it("x/n only for a measured proportion; a short interval for a cell's second line", () => {
    expect(formatCount({ value: 15 / 87, lower: 0.1, upper: 0.3, n: 87, method: "wilson" })).toBe("15/87");
    expect(formatCount({ value: 0.172414, lower: 0.1, upper: 0.3, n: 87, method: "wilson" })).toBe("15/87");
    expect(formatCount({ value: 0, lower: 0, upper: 0.25, n: 12, method: "rule_of_three" })).toBe("0/12");
    expect(formatCount({ value: 1, lower: 0.9, upper: 1, n: 2577, method: "rule_of_three" })).toBe("2,577/2,577");
    // unmeasured: no "0/0"; a mean, a percentile or kappa is no count of cases
    expect(formatCount({ value: null, lower: null, upper: null, n: 0, method: "wilson" })).toBe("");
    expect(formatCount({ value: 0.835, lower: 0.83, upper: 0.84, n: 320, method: "normal" })).toBe("");
    expect(formatCount({ value: 0.68, lower: 0.59, upper: 0.76, n: 320, method: "bootstrap" })).toBe("");
    expect(formatCount(undefined)).toBe("");
    // past a million the 6-digit value is not enough: the estimate's own x is printed
    const big = round({ e: proportion(120009, 1200000, 20000) }).e;
    expect(big.value! * big.n).not.toBeCloseTo(120009, 0);
    expect(formatCount(big)).toBe("120,009/1,200,000");
    const e = { value: 0.25, lower: 0.00631, upper: 0.80588, n: 4, method: "wilson" as const };
    expect(formatIntervalShort(e, "rate")).toBe("0.6–80.6%");
    expect(formatIntervalShort({ ...e, lower: null }, "rate")).toBe("");
  });

  it("breakdown cells: the rate, then x/n and the interval on a second line; unmeasured stays a dash", () => {
    const severity = part(html, 0, "<h4>By alert severity</h4>", "<h4>");
    // playbook, high severity: 1 critical miss of 4 true positives
    expect(row(severity, "high")).toContain('<td class="num">25.0%<small>1/4 · 4.6–69.9%</small></td>');
    // no true positive among the critical-severity cases: nothing to count, no fake interval
    const critical = row(severity, "critical");
    expect(critical).toContain('<td class="num">—</td>');
    expect(critical).not.toContain("0/0");
    // every table of breakdowns: as many second lines as measured estimates, each x/n as the data says
    const tables: [string, string, keyof ReportDoc["agents"][string]["breakdowns"]][] = [
      ["<h3>Failure modes by trap tag</h3>", "<h3>", "trap_tag"],
      ["<h4>By alert severity</h4>", "<h4>", "alert_severity"],
      ["<h4>By workflow</h4>", "<h4>", "workflow"],
      ["<h4>By evidence source present in the case</h4>", "<h3>", "evidence_source"],
    ];
    for (const [i, agent] of ["playbook", "model-x"].entries())
      for (const [from, to, dim] of tables) {
        const table = part(html, i, from, to);
        const rows = doc.agents[agent]!.breakdowns[dim];
        const measured = rows.flatMap((r) => Object.values(r.metrics).filter((e) => e.value !== null));
        expect(table.match(/<small>/g)?.length ?? 0, `${agent} ${dim}`).toBe(measured.length);
        for (const r of rows)
          for (const e of Object.values(r.metrics))
            if (e.value !== null)
              expect(row(table, r.key), `${agent} ${dim} ${r.key}`).toContain(
                `${Math.round(e.value * e.n)}/${e.n} · ${(100 * e.lower!).toFixed(1)}–`,
              );
      }
  });

  it("exit-criteria tables have an n column: x/n for a rate, n for a mean, a dash when unmeasured", () => {
    const criteria = html.match(/<details\b[^>]*>\s*<summary><span class="badge[\s\S]*?<\/details>/g) ?? [];
    expect(criteria.length).toBe(doc.phases.length);
    for (const t of criteria)
      expect(t).toContain(
        '<th scope="col" class="num">Value</th><th scope="col">95% interval</th><th scope="col" class="num">n</th>',
      );
    const mx = part(html, 1, "<h3>Exit criteria</h3>", "<h3>Quality</h3>");
    // model-x: one investigation of 12 without a rollback
    expect(mx).toMatch(
      /<code>violation_<wbr>rate\.<wbr>missing_<wbr>rollback<\/code><\/td><td class="num">8\.3%<\/td><td class="iv">1\.5% – 35\.4%<\/td><td class="num">1\/12<\/td>/,
    );
    // audit completeness is a mean over investigations: n only
    expect(mx).toMatch(
      /<code>audit_<wbr>completeness<\/code><\/td><td class="num">[\d.]+%<\/td><td class="iv">[^<]*<\/td><td class="num">12<\/td>/,
    );
    // readiness is not measured in this run: no 0/0
    expect(mx).toMatch(
      /<code>readiness_<wbr>score<\/code><\/td><td class="num">—<\/td><td class="iv"><\/td><td class="num">—<\/td>/,
    );
    expect(html).not.toContain("0/0");
  });

  it("an evidence source's failure rate shows failed calls of calls and its interval", () => {
    const sources = part(html, 1, "<h3>Evidence sources and tool failures</h3>", "<h3>");
    expect(row(sources, "url.reputation")).toContain(
      '<td class="num" title="1.5% – 35.4%">8.3%<small>1/12 · 1.5–35.4%</small></td>',
    );
    expect(row(sources, "email.headers")).toContain("0.0%<small>0/12 · 0.0–25.0%</small>");
  });

  it("the Markdown report's metric table says what each value is over", () => {
    expect(md).toMatch(
      /^\| Critical miss rate \| 20\.0% \(3\.6% – 62\.4%\) 1\/5 \| 20\.0% \(3\.6% – 62\.4%\) 1\/5 \|$/m,
    );
    expect(md).toMatch(/^\| Verdict kappa \| 0\.478 \(0\.000 – 0\.846\) n=12 \|/m);
    expect(md).not.toContain("&#x3D;");
  });

  it("compare: each agent's metric with its interval and x/n (n for cost and time), in HTML and Markdown", async () => {
    const cmp = await buildComparison(store, await resolveSides(store, ["latest"]));
    const page = await renderComparison(cmp, "html");
    const agents = page.match(/<table class="agents">.*?<\/table>/s)?.[0] ?? "";
    const miss = agents.split("</tr>").find((r) => r.includes("Critical miss rate")) ?? "";
    expect(miss.match(/<span class="small muted">1\/5<\/span>/g)?.length).toBe(2);
    const fp = agents.split("</tr>").find((r) => r.includes("positive</span> reduction")) ?? "";
    expect(fp).toContain('57.1% <span class="small muted">(25.0% – 84.2%)</span> <span class="small muted">4/7</span>');
    const cost = agents.split("</tr>").find((r) => r.includes("Cost per investigation")) ?? "";
    expect(cost.match(/<span class="small muted">n=12<\/span>/g)?.length).toBe(2);
    const text = await renderComparison(cmp, "md");
    // one row per agent: Cases, then each metric as in HTML
    expect(text).toMatch(
      /^\| `playbook` \| 12 \| 66\.7% \(39\.1% – 86\.2%\) 8\/12 \| 20\.0% \(3\.6% – 62\.4%\) 1\/5 \| .* \| 420 ms n=12 \|$/m,
    );
    expect(text).toMatch(/^\| `model-x` \| 12 \| 83\.3% \(55\.2% – 95\.3%\) 10\/12 \| 20\.0% .* 1\/5 \| /m);
  });

  it("the index shows x/n under each rate, as built from a report", () => {
    const rows = Object.values(doc.agents).map((a) => ({
      suite: "fixture",
      file: "fixture.html",
      run_id: doc.run.run_id,
      agent: a.agent,
      cases: a.cases,
      agreement: metricView("verdict_agreement", a.metrics.verdict_agreement),
      critical: metricView("critical_miss_rate", a.metrics.critical_miss_rate),
      phases: [],
    }));
    const page = render("index.html.hbs", {
      css: stylesheet(),
      rows,
      phaseNames: [],
      agentsLabel: "playbook, model-x",
      generated: "2025-01-01 00:00",
      db: "x.duckdb",
    });
    expect(page).toContain(
      '<td class="num">66.7% <span class="small muted">(39.1% – 86.2%)</span><small>8/12</small></td>',
    );
    expect(page).toContain(
      '<td class="num">20.0% <span class="small muted">(3.6% – 62.4%)</span><small>1/5</small></td>',
    );
    expect(page).toContain("missed/true positives");
  });
});

describe("soceval start: the index", () => {
  it("shows critical misses as x/n of true positives beside the rate and its interval", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-counts-"));
    cpSync("test/fixtures/mini", join(dir, "mini"), { recursive: true });
    const out = join(dir, "reports");
    const r = await soceval(["start", "--suites", "mini/suite.yaml", "--db", join(dir, "s.duckdb"), "--out", out], dir);
    expect(r.status, r.stderr).toBe(0);
    const index = readFileSync(join(out, "index.html"), "utf8");
    const doc = JSON.parse(readFileSync(join(out, "mini.json"), "utf8")) as ReportDoc;
    const miss = doc.agents.playbook!.metrics.critical_miss_rate!;
    expect(miss.n).toBeGreaterThan(0);
    expect(index).toContain(`<small>${Math.round(miss.value! * miss.n)}/${miss.n}</small>`);
    const agree = doc.agents.playbook!.metrics.verdict_agreement!;
    expect(index).toContain(`<small>${Math.round(agree.value! * agree.n)}/${agree.n}</small>`);
  });
});

describe("with several epochs", () => {
  it("the per-epoch breakdown shows x/n of each epoch's investigations and the interval", async () => {
    const store = await Store.open(":memory:");
    try {
      await seedFixture(store);
      for (const table of ["case_results", "findings", "tool_calls", "model_calls", "transcripts"])
        await store.run(
          `INSERT INTO ${table} SELECT * REPLACE (1 AS epoch) FROM ${table} WHERE run_id = '${FIXTURE_RUN}' AND epoch = 0`,
        );
      await store.run(`UPDATE runs SET epochs = 2 WHERE run_id = '${FIXTURE_RUN}'`);
      const doc = await buildReport(store, "latest");
      const html = await renderReport(doc, "html");
      const epochs = part(html, 0, "<h4>By epoch</h4>", "<h3>");
      const agree = doc.agents.playbook!.breakdowns.epoch.find((r) => r.key === "1")!.metrics.verdict_agreement!;
      expect(agree).toMatchObject({ n: 12, method: "wilson" });
      expect(row(epochs, "1")).toContain(`66.7%<small>8/12 · ${(100 * agree.lower!).toFixed(1)}–`);
      // overall, x/n counts investigations (case × epoch): 16 of 24
      expect(html).toMatch(/<td class="num">16\/24<\/td>/);
    } finally {
      store.close();
    }
  });
});
