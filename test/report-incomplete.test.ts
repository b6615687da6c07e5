import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../src/analytics/report.js";
import { ReportDoc } from "../src/analytics/report-schema.js";
import { renderReport } from "../src/report/render.js";
import { MISSING_TRANSCRIPT } from "../src/scoring/import.js";
import { Store } from "../src/store/db.js";
import { FIXTURE_RUN, seedFixture } from "./fixtures/report/run.js";
import { soceval } from "./helpers/cli.js";

/** The fixture run as a run that never finished: killed while running, 7 of its 12 cases stored. */
async function unfinished(store: Store, status: string): Promise<void> {
  await seedFixture(store, { suitePath: "suites/phishing-triage/shadow.suite.yaml" });
  await store.run("UPDATE runs SET status = ?, finished_at = NULL, cases_total = NULL", [status]);
  for (const t of ["case_results", "transcripts", "cases"])
    await store.run(`DELETE FROM ${t} WHERE case_id NOT IN ('c01','c02','c03','c04','c05','c06','c07')`);
}

describe("report on a run that did not finish", () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(":memory:");
    await unfinished(store, "running");
  });
  afterAll(() => store.close());

  it("says so in JSON, Markdown and HTML, and counts the cases actually stored", async () => {
    const doc = await buildReport(store, "latest");
    expect(() => ReportDoc.parse(doc)).not.toThrow();
    expect(doc.run.cases_total).toBeNull();
    expect(doc.run.cases_stored).toBe(7);
    const want =
      "incomplete run (status stopped by a kill or crash): results cover only the 7 cases stored so far; " +
      // the fixture's second agent is not one of the suite's default agents: a resume must name both
      "finish it with: soceval run suites/phishing-triage/shadow.suite.yaml --agent playbook model-x --resume run-fixture-0001";
    expect(doc.run.incomplete).toBe(want);
    expect(JSON.parse(await renderReport(doc, "json")).run.incomplete).toBe(want);

    const md = await renderReport(doc, "md");
    expect(md.split("\n")[0]).toBe(`> **Warning: ${want}**`);
    expect(md).toMatch(/phishing-triage 1\.0\.0 · 7 cases ·/);
    expect(md).not.toMatch(/ · {2}cases/);

    const html = await renderReport(doc, "html");
    const banner = html.indexOf('class="incomplete"');
    expect(banner).toBeGreaterThan(html.indexOf("<body>"));
    expect(banner).toBeLessThan(html.indexOf("<header>"));
    expect(html).toContain("results cover only the 7 cases stored so far");
    // the header's time row does not call a run that never ended "finished"
    const started = html.match(/<th scope="row">Started<\/th><td>([^<]*)<\/td>/)?.[1];
    expect(started).toBe(`${doc.run.started_at} — not finished (status running)`);
  });

  it("a finished run carries no warning", async () => {
    const done = await Store.open(":memory:");
    await seedFixture(done);
    const doc = await buildReport(done, FIXTURE_RUN);
    done.close();
    expect(doc.run.incomplete).toBeNull();
    expect(doc.run.cases_stored).toBe(12);
    expect(await renderReport(doc, "md")).not.toMatch(/Warning/);
    expect(await renderReport(doc, "md")).toMatch(/ · 12 cases ·/);
  });

  it("the CLI warns on stderr too (the terminal), and still writes the report with exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-incomplete-"));
    const db = join(dir, "store.duckdb");
    const s = await Store.open(db);
    await unfinished(s, "interrupted");
    s.close();
    const r = await soceval(["report", "--run", "latest", "--db", db, "--format", "md"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^soceval: warning: run run-fixture-0001: incomplete run \(status interrupted\): results cover only the 7 cases stored so far; finish it with: soceval run .+ --resume run-fixture-0001\n$/,
    );
    expect(r.stdout).toMatch(/^> \*\*Warning: incomplete run \(status interrupted\)/);
    expect(r.stdout).toMatch(/ · 7 cases ·/);
    // the command that finishes it names the store it is in; the suite's path is relative to another
    // folder, so what it would give is unknown and every flag a resume checks is spelled out
    expect(r.stderr).toContain(
      `finish it with: soceval run suites/phishing-triage/shadow.suite.yaml --agent playbook model-x --epochs 1 --db ${db} --resume run-fixture-0001\n`,
    );
    // --check does not judge a phase on 7 of 12 cases (it judged them as if whole): exit 2 as the gate, the report still written
    const check = await soceval(
      ["report", "--run", "latest", "--db", db, "--format", "md", "--check", "readiness"],
      dir,
    );
    expect(check.status).toBe(2);
    expect(check.stdout).toMatch(/^> \*\*Warning: incomplete run/);
    expect(check.stderr.split("\n").at(-2)).toBe(
      "soceval: run run-fixture-0001 is interrupted: --check judges a finished run only, not the 7 cases stored so far; " +
        `finish it: soceval run suites/phishing-triage/shadow.suite.yaml --resume run-fixture-0001 --agent playbook model-x --epochs 1 --db ${db}`,
    );
  }, 60_000);

  it("a shard's warning says which shard to resume", async () => {
    const s = await Store.open(":memory:");
    await unfinished(s, "failed");
    await s.run("UPDATE runs SET shard = '2/4'");
    const doc = await buildReport(s, "latest");
    s.close();
    expect(doc.run.incomplete).toBe(
      "incomplete run (status failed): results cover only the 7 cases stored so far; " +
        "finish it with: soceval run suites/phishing-triage/shadow.suite.yaml --agent playbook model-x --shard 2/4 --resume run-fixture-0001",
    );
  });

  it("names the epochs and --limit a run was made with when they are not the suite's, so the resume is accepted", async () => {
    const s = await Store.open(":memory:");
    await unfinished(s, "running");
    await s.run(
      `DELETE FROM case_results WHERE agent <> 'playbook';
       UPDATE runs SET agents = ['playbook'], epochs = 30, replay_config = '{"faults": [], "limit": 50}'`,
    );
    const doc = await buildReport(s, "latest");
    s.close();
    expect(doc.run.incomplete).toContain(
      "finish it with: soceval run suites/phishing-triage/shadow.suite.yaml --epochs 30 --limit 50 --resume run-fixture-0001",
    );
  });
});

describe("banners of a run imported with soceval score", () => {
  /** The fixture as an import: two of model-x's cases had no transcript, one transcript records an outage. */
  async function imported(store: Store): Promise<void> {
    await seedFixture(store);
    await store.run("UPDATE runs SET kind = 'imported', suite_path = NULL");
    await store.run(
      "UPDATE transcripts SET output = NULL, error = ? WHERE agent = 'model-x' AND case_id IN ('c01', 'c02')",
      [MISSING_TRANSCRIPT],
    );
    await store.run(
      "UPDATE transcripts SET output = NULL, error = 'provider: HTTP 503' WHERE agent = 'model-x' AND case_id = 'c05'",
    );
  }

  it("gives the fix for an import, counts missing transcripts once and shows no Markdown in HTML", async () => {
    const store = await Store.open(":memory:");
    await imported(store);
    const doc = await buildReport(store, "latest");
    store.close();
    expect(() => ReportDoc.parse(doc)).not.toThrow();
    const errors = await (async () => {
      const s = await Store.open(":memory:");
      await imported(s);
      const [r] = await s.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM transcripts WHERE agent = 'model-x' AND error IS NOT NULL AND error <> ?",
        [MISSING_TRANSCRIPT],
      );
      s.close();
      return Number(r!.n);
    })();
    const f = doc.agents["model-x"]!.provider_failures;
    expect(f).toEqual({ failed: errors + 2, investigations: 12, missing: 2 });
    expect(doc.run.warnings[0]).toMatch(/^2 of 12 cases have no transcript in the imported file/);
    const line = doc.run.warnings.find((w) => w.startsWith("agent model-x:"))!;
    // the errors first, the missing transcripts named apart, the total said to be both
    expect(line).toMatch(
      new RegExp(
        `^agent model-x: ${errors} of 12 imported transcripts \\(${((100 * errors) / 12).toFixed(1)}%\\) record an error`,
      ),
    );
    expect(line).toContain(
      `with the 2 investigations that have no transcript at all, ${errors + 2} of 12 (${((100 * (errors + 2)) / 12).toFixed(1)}%) do;`,
    );
    // no suite to resume: the fix is on the platform the transcripts came from
    expect(line).not.toMatch(/--resume|--retry-failed|soceval run /);
    expect(line).toContain("score the whole export again with soceval score");
    expect(line).toContain(`soceval findings --run ${FIXTURE_RUN} --kind agent_error lists them`);
    // the banners are plain text: a backtick would show literally in the HTML banner
    for (const w of doc.run.warnings) expect(w).not.toContain("`");
    const html = await renderReport(doc, "html");
    const banners = html.slice(0, html.indexOf("<header>"));
    expect(banners).not.toContain("`");
    expect(banners).toContain("score the whole export again with soceval score");
  });

  it("an import whose only failures are missing transcripts gets no second warning", async () => {
    const store = await Store.open(":memory:");
    await imported(store);
    await store.run("UPDATE transcripts SET error = NULL, output = '{}' WHERE error <> ?", [MISSING_TRANSCRIPT]);
    const doc = await buildReport(store, "latest");
    store.close();
    expect(doc.agents["model-x"]!.provider_failures).toMatchObject({ failed: 2, missing: 2 });
    expect(doc.run.warnings).toHaveLength(1);
    expect(doc.run.warnings[0]).toMatch(/^2 of 12 cases have no transcript/);
  });

  it("the findings command a provider-failure warning gives reaches a store other than the default", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "soceval-import-db-")), "store.duckdb");
    const s = await Store.open(db);
    await imported(s);
    const doc = await buildReport(s, "latest");
    s.close();
    const line = doc.run.warnings.find((w) => w.startsWith("agent model-x:"))!;
    expect(line).toContain(`soceval findings --run ${FIXTURE_RUN} --kind agent_error --db ${db} lists them`);
  });

  it("report --check on an import that cannot be judged says what is missing and gives the import's fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soceval-import-check-"));
    const db = join(dir, "store.duckdb");
    const s = await Store.open(db);
    await imported(s);
    // past the gate's share of unanswered investigations: errors and missing transcripts together
    await s.run(
      "UPDATE transcripts SET output = NULL, error = 'provider: HTTP 503' WHERE agent = 'model-x' AND case_id IN ('c06', 'c07', 'c08')",
    );
    const [e] = await s.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM transcripts WHERE agent = 'model-x' AND error IS NOT NULL AND error <> ?",
      [MISSING_TRANSCRIPT],
    );
    s.close();
    const errors = Number(e!.n);
    const r = await soceval(["report", "--db", db, "--format", "json", "--check", "shadow"], dir);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(
      `cannot judge --check shadow: ${errors + 2} of 12 investigations of agent model-x have no answer ` +
        `(${errors} imported transcripts record an error, 2 have no transcript); investigate them again on the ` +
        "platform the transcripts came from, then score the whole export again with soceval score",
    );
    expect(r.stderr).not.toMatch(/--resume|`/);
  }, 60_000);

  it("a replay's provider warning names the suite to resume, in plain text", async () => {
    const store = await Store.open(":memory:");
    await seedFixture(store, { suitePath: "suites/phishing-triage/shadow.suite.yaml" });
    await store.run(
      "UPDATE transcripts SET error = 'provider: HTTP 503' WHERE agent = 'model-x' AND error IS NOT NULL",
    );
    const doc = await buildReport(store, "latest");
    store.close();
    const line = doc.run.warnings.find((w) => w.startsWith("agent model-x:"))!;
    expect(line).toMatch(/^agent model-x: the provider failed \d+ of 12 investigations/);
    expect(line).toContain(
      "soceval run suites/phishing-triage/shadow.suite.yaml --agent playbook model-x --resume run-fixture-0001 --retry-failed replays them",
    );
    expect(line).not.toContain("`");
  });
});
