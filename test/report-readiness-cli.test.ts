import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportDoc } from "../src/analytics/report-schema.js";
import { Store } from "../src/store/db.js";
import { seedFixture } from "./fixtures/report/run.js";
import { type CliResult, soceval } from "./helpers/cli.js";

/**
 * The readiness line of the exit-criteria report, after `soceval readiness score` stored answers for
 * the run's workflow (phishing-triage) in the same store: blocked ones must name their gates, and
 * answers stored under another workflow id must show as such rather than as never scored.
 */
const dir = mkdtempSync(join(tmpdir(), "soceval-report-readiness-"));
const bundled = readFileSync("readiness/answers/phishing-triage.yaml", "utf8");
const answers = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const edit = (from: string, to: string) => (t: string) => {
  if (!t.includes(from)) throw new Error(`the bundled answers no longer hold ${from}`);
  return t.replace(from, to);
};
const blocked = answers(
  "blocked.yaml",
  [
    edit("review_assigned: yes", 'review_assigned: "no"'),
    edit("actions_forbidden_list: yes", 'actions_forbidden_list: "no"'),
  ].reduce((t, f) => f(t), bundled),
);
const mistyped = answers("mistyped.yaml", edit("workflow: phishing-triage", "workflow: phishing")(bundled));

async function reports(name: string, file: string): Promise<Record<"md" | "json" | "html" | "check", CliResult>> {
  const db = join(dir, `${name}.duckdb`);
  const store = await Store.open(db);
  await seedFixture(store);
  store.close();
  const scored = await soceval(["readiness", "score", file, "--db", db, "--format", "json"], dir);
  if (scored.status !== 0) throw new Error(scored.stderr);
  const [md, json, html, check] = await Promise.all([
    soceval(["report", "--db", db, "--format", "md"], dir),
    soceval(["report", "--db", db, "--format", "json"], dir),
    soceval(["report", "--db", db, "--format", "html", "--agent", "playbook"], dir),
    soceval(["report", "--db", db, "--format", "json", "--check", "readiness", "--agent", "playbook"], dir),
  ]);
  return { md, json, html, check };
}

const readinessRow = (md: string) => md.split("\n").find((l) => l.startsWith("| Readiness |"))!;

describe("the report's readiness phase says what it was judged on", () => {
  let b: Awaited<ReturnType<typeof reports>>;
  let m: Awaited<ReturnType<typeof reports>>;
  beforeAll(async () => {
    [b, m] = await Promise.all([reports("blocked", blocked), reports("mistyped", mistyped)]);
  });

  it("names the gates that block the workflow, with the matrix's titles, in every format", () => {
    const gates =
      'no\\_forbidden\\_action\\_list "No explicit forbidden-action list", no\\_reviewer "Nobody assigned to review agent recommendations"';
    expect(readinessRow(b.md.stdout)).toBe(
      `| Readiness | **not met** (Readiness blockers 2 (${gates}), needs = 0) | **not met** (Readiness blockers 2 (${gates}), needs = 0) |`,
    );
    const doc = JSON.parse(b.json.stdout) as ReportDoc;
    expect(doc.readiness).toMatchObject({
      workflow: "phishing-triage",
      candidate: "Phishing intake triage",
      blockers: [
        { gate: "no_forbidden_action_list", title: "No explicit forbidden-action list" },
        { gate: "no_reviewer", title: "Nobody assigned to review agent recommendations" },
      ],
      stored_workflows: ["phishing-triage"],
    });
    expect(b.check.status).toBe(1);
    expect(b.check.stderr).toContain(
      'agent playbook not met: Readiness blockers 2 (no_forbidden_action_list "No explicit forbidden-action list", no_reviewer "Nobody assigned to review agent recommendations"), needs = 0',
    );
    // the phase table and the criteria table's note, escaped as all report text is
    const html = b.html.stdout;
    expect(html).toContain("not met: Readiness blockers 2 (no_forbidden_action_list &quot;No explicit");
    expect(html).toContain(
      '<div class="small muted">blocked by no_forbidden_action_list &quot;No explicit forbidden-action list&quot;, no_reviewer',
    );
  });

  it("names the workflow it looked for and the ids the store holds instead", () => {
    expect(readinessRow(m.md.stdout)).toContain(
      "**not measured** (no data: readiness\\_score, readiness\\_blockers; the store's readiness scores are for workflow phishing, not phishing-triage) |",
    );
    const doc = JSON.parse(m.json.stdout) as ReportDoc;
    expect(doc.readiness).toMatchObject({ workflow: "phishing-triage", candidate: null, blockers: [] });
    expect(doc.readiness.stored_workflows).toEqual(["phishing"]);
    expect(m.check.status).toBe(1);
    expect(m.check.stderr).toContain(
      "Not measured: no readiness score for workflow phishing-triage in the store, only for workflow phishing " +
        "(if the answers scored as phishing are this workflow's, set `workflow: phishing-triage` in them): " +
        `score its answers into the same store with \`soceval readiness score <answers.yaml> --db ${join(dir, "mistyped.duckdb")}\`\n`,
    );
    expect(m.html.stdout).toContain(
      "no readiness score for workflow phishing-triage in the store, only for workflow phishing",
    );
  });
});
