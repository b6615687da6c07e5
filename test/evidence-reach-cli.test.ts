import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { reportJson, soceval } from "./helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "..");
const EXCYTIN = resolve(ROOT, "../shared/fixtures/real/excytin/extracted_alerts.csv");
if (!existsSync(EXCYTIN)) console.warn(`skipping the ExCyTIn evidence-reach test: ${EXCYTIN} is absent`);

type Row = { evidence: { id: string; source: string }[]; label: { required_evidence: string[] } };
const rows = (file: string): Row[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);

/** The mini fixture in a folder of its own, with a suite `<name>.suite.yaml` replaying `cases` under the mini workflow. */
function suiteOver(name: string, cases: Row[] | null): string {
  const dir = mkdtempSync(join(tmpdir(), "soceval-reach-cli-"));
  cpSync("test/fixtures/mini", dir, { recursive: true });
  if (cases) {
    writeFileSync(join(dir, `${name}.jsonl`), `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
    const suite = readFileSync(join(dir, "suite.yaml"), "utf8").replace(
      "dataset: cases.jsonl",
      `dataset: ${name}.jsonl`,
    );
    writeFileSync(join(dir, `${name}.suite.yaml`), suite);
  }
  return dir;
}

// each spawn pays the CLI's start-up, so these run side by side
describe.concurrent("evidence the workflow's tools cannot return", () => {
  it("records that lack the entity their tool requires: validate says which, run warns before and after", async () => {
    // the sign-in records carry the account as a "user" entity; get_signins filters on account
    type Entities = { entities: { type: string; value: string }[] };
    const cases = rows("test/fixtures/mini/cases.jsonl").slice(0, 4);
    let renamed = 0;
    for (const c of cases)
      for (const e of c.evidence as (Row["evidence"][number] & Entities)[])
        if (e.source === "idp.signins") {
          renamed++;
          e.entities = e.entities.map((x) => (x.type === "account" ? { ...x, type: "user" } : x));
        }
    const dir = suiteOver("user-typed", cases);
    const v = await soceval(["dataset", "validate", "user-typed.jsonl", "--workflow", "workflow.yaml"], dir);
    expect(v.status).toBe(0);
    expect(v.stderr).toMatch(
      new RegExp(
        `user-typed\\.jsonl: ${renamed} of \\d+ evidence records \\([\\d.]+%\\) lack an entity of the type each tool of workflow mini reading their source requires, so no call returns them: ` +
          `idp\\.signins \\(${renamed} records in 4 cases; get_signins requires account\\); give the records that entity, or make the input optional \\(warning\\)\n`,
      ),
    );
    const r = await soceval(["run", "user-typed.suite.yaml", "--db", "r.duckdb", "--quiet"], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("lack an entity of the type each tool of workflow mini reading their source requires");
    expect(r.stderr).toContain("are out of the workflow's tools' reach (see the start of the run)");
  });

  it("a small import named after its SIEM: validate and stats say what is out of reach, run warns, report leads with it", async () => {
    // 6 mini cases whose records an import named after the SIEM's table: no mini tool reads it
    const cases = rows("test/fixtures/mini/cases.jsonl").slice(0, 6);
    for (const c of cases) for (const e of c.evidence) e.source = "siem.alert";
    const dir = suiteOver("blind", cases);
    const records = cases.reduce((n, c) => n + c.evidence.length, 0);
    const required = cases.reduce((n, c) => n + c.label.required_evidence.length, 0);
    const file = "blind.jsonl";

    const v = await soceval(["dataset", "validate", file, "--workflow", "workflow.yaml"], dir);
    expect(v.status).toBe(0);
    expect(v.stderr).toContain(
      `${file}: ${records} of ${records} evidence records (100.0%) are in sources no tool of workflow mini reads, so no ` +
        `agent ever sees them; 6 of 6 cases hold no record a tool can return: siem.alert (${records} records in 6 cases) (warning)\n`,
    );
    expect(v.stderr).toContain(
      `${file}: 6 cases need required evidence no tool of workflow mini can return (${required} records: siem.alert (${required})): ` +
        "they cannot be investigated fully",
    );
    // some of these cases list ti.ip as unavailable: its tool has that to report
    expect(v.stderr).toContain("so they return nothing: idp.signins (get_signins) (warning)\n");
    // with nothing to see, the workflow's one rule decides no case
    expect(v.stderr).toContain("decision_rules[0]: rule bad-ip-and-new-device matches no case in blind.jsonl");
    expect(v.stdout).toBe(`${file}: 6 cases, 6 valid, 0 invalid, 0 unlabeled, 4 warnings\n`);
    // without --workflow, validate knows no tools and says nothing of them
    const plain = await soceval(["dataset", "validate", file], dir);
    expect(plain.stderr).toBe("");

    const stats = await soceval(["dataset", "stats", file, "--workflow", "workflow.yaml", "--format", "json"], dir);
    expect(stats.status).toBe(0);
    const reach = JSON.parse(stats.stdout).reach;
    expect(reach).toMatchObject({
      workflow: "mini",
      evidence_records: records,
      records_out_of_reach: records,
      cases_blind: 6,
    });
    expect(reach.required_out_of_reach).toEqual({
      cases: 6,
      records: required,
      sources: { "siem.alert": { records: required, cases: 6 } },
    });

    const run = await soceval(["run", "blind.suite.yaml", "--db", "s.duckdb", "--quiet"], dir);
    expect(run.status).toBe(0);
    const [start, ...rest] = run.stderr.split("\n");
    expect(start).toMatch(
      new RegExp(
        `^soceval: in the 6 cases of .*blind\\.jsonl: ${records} of ${records} evidence records \\(100\\.0%\\) are in sources no tool of workflow mini reads`,
      ),
    );
    expect(run.stderr).toMatch(/soceval dataset validate .*blind\.jsonl --workflow .*workflow\.yaml\n/);
    // the rule that sees nothing comes last, after the reach it follows from
    expect(rest.filter(Boolean).at(-1)).toMatch(
      /^soceval: warning: 1 condition, playbook step or decision rule of .*workflow\.yaml does not fit the dataset/,
    );
    expect(rest.filter(Boolean).at(-2)).toMatch(
      /^soceval: warning: 100\.0% of the evidence records and required evidence of 6 cases in the 6 cases of .*blind\.jsonl are out of the workflow's tools' reach/,
    );

    // a CI gate replays the suite too: a prompt change would pass it with nothing seen
    const runId = run.stdout.match(/^run (\S+): /m)![1]!;
    const gate = await soceval(
      ["gate", "blind.suite.yaml", "--baseline-run", runId, "--db", "s.duckdb", "--quiet"],
      dir,
    );
    expect(gate.stderr).toMatch(/^soceval: in the 6 cases of .*blind\.jsonl: \d+ of \d+ evidence records \(100\.0%\)/);

    const doc = await reportJson("s.duckdb", dir);
    expect(doc.run.warnings[0]).toMatch(
      /^6 of the 6 cases with evidence that an agent called a tool on \(100\.0%\) hold none in a source any tool call of this run queried, so their verdicts were reached on the alert alone \(never queried: siem\.alert in 6 cases\)/,
    );
    expect(doc.run.warnings[0]).not.toContain("`");
  }, 60_000);

  it("a fifth of the records out of reach: validate lists them, the run and report stay quiet", async () => {
    const cases = rows("test/fixtures/mini/cases.jsonl").slice(0, 10);
    // one record in ten cases, none of them required: context an analyst may add that no tool returns
    let moved = 0;
    for (const c of cases) {
      const spare = c.evidence.find((e) => !c.label.required_evidence.includes(e.id));
      if (spare && moved < 3) {
        spare.source = "siem.notes";
        moved++;
      }
    }
    const records = cases.reduce((n, c) => n + c.evidence.length, 0);
    expect(moved / records).toBeLessThan(0.25);
    const dir = suiteOver("partly", cases);
    const v = await soceval(["dataset", "validate", "partly.jsonl", "--workflow", "workflow.yaml"], dir);
    expect(v.stderr).toContain(`partly.jsonl: ${moved} of ${records} evidence records`);
    expect(v.stderr).not.toContain("required evidence");
    const run = await soceval(["run", "partly.suite.yaml", "--db", "s.duckdb", "--quiet"], dir);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect((await reportJson("s.duckdb", dir)).run.warnings).toEqual([]);
  }, 60_000);

  it("an approval raise that raises nothing: validate, run and gate say so at its line, and go on", async () => {
    const dir = suiteOver("mini", null);
    const wf = readFileSync(join(dir, "workflow.yaml"), "utf8");
    // the mini catalogue's one irreversible action is high risk, which already needs lead
    writeFileSync(
      join(dir, "workflow.yaml"),
      wf.replace("{ reason: irreversible, raise_to: ciso }", "{ reason: irreversible, raise_to: lead }"),
    );
    const said =
      "workflow.yaml:42: approval_policy.raise[0]: irreversible → lead never raises: every action it applies to already needs as much under by_risk: disable_account (high risk → lead)";
    const v = await soceval(["dataset", "validate", "cases.jsonl", "--workflow", "workflow.yaml"], dir);
    expect(v.status).toBe(0);
    expect(v.stderr).toBe(`${said} (warning)\n`);
    const run = await soceval(["run", "suite.yaml", "--db", "s.duckdb", "--quiet"], dir);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`soceval: warning: ${join(dir, said)}\n`);
    const runId = run.stdout.match(/^run (\S+): /m)![1]!;
    const gate = await soceval(["gate", "suite.yaml", "--baseline-run", runId, "--db", "s.duckdb", "--quiet"], dir);
    expect(gate.stderr).toContain(`soceval: warning: ${join(dir, said)}\n`);
  }, 60_000);

  it("the mini suite's own data is in reach: no warning anywhere", async () => {
    const dir = suiteOver("mini", null);
    const v = await soceval(["dataset", "validate", "cases.jsonl", "--workflow", "workflow.yaml"], dir);
    expect(v.stderr).toBe("");
    const run = await soceval(["run", "suite.yaml", "--db", "s.duckdb", "--quiet"], dir);
    expect(run.stderr).toBe("");
  }, 60_000);

  it("a --workflow that is neither a file nor a bundled id is bad input, with the ids", async () => {
    const r = await soceval(
      ["dataset", "validate", "test/fixtures/datasets/valid.jsonl", "--workflow", "endpoint"],
      ROOT,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "soceval: --workflow endpoint: no such file, nor a bundled workflow id (cloud-alert-enrichment, endpoint-investigation, identity-suspicious-login, phishing-triage)\n",
    );
  });

  it.skipIf(!existsSync(EXCYTIN))(
    "the real ExCyTIn Sentinel export replayed with the bundled endpoint workflow: every record out of reach, said before the 0% is trusted",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "soceval-reach-excytin-"));
      const imp = await soceval(
        [
          "dataset",
          "import",
          "sentinel",
          EXCYTIN,
          "--verdict",
          "true_positive",
          "--workflow",
          "endpoint-investigation",
          "--out",
          "cases.jsonl",
        ],
        dir,
      );
      expect(imp.status).toBe(0);
      const cases = rows(join(dir, "cases.jsonl"));
      const records = cases.reduce((n, c) => n + c.evidence.length, 0);
      const v = await soceval(["dataset", "validate", "cases.jsonl", "--workflow", "endpoint-investigation"], dir);
      expect(v.status).toBe(0);
      expect(v.stderr).toContain(
        `cases.jsonl: ${records} of ${records} evidence records (100.0%) are in sources no tool of workflow ` +
          `endpoint-investigation reads, so no agent ever sees them; ${cases.length} of ${cases.length} cases hold no record a tool can return: `,
      );
      expect(v.stderr).toMatch(/sentinel\.extended_properties \(\d+ records in \d+ cases\)/);
      expect(v.stderr).toContain("edr.process_tree (get_process_tree)");

      const bundled = join(ROOT, "suites/endpoint-investigation");
      writeFileSync(
        join(dir, "sentinel.suite.yaml"),
        `name: sentinel-history\nworkflow: ${bundled}/workflow.yaml\ndataset: cases.jsonl\nagents: [${bundled}/agents/playbook.yaml]\n`,
      );
      const run = await soceval(["run", "sentinel.suite.yaml", "--db", "s.duckdb", "--quiet"], dir);
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(
          `^soceval: in the ${cases.length} cases of .*cases\\.jsonl: ${records} of ${records} evidence records`,
        ),
      );
      const doc = await reportJson("s.duckdb", dir);
      expect(doc.run.warnings[0]).toMatch(
        new RegExp(
          `^${cases.length} of the ${cases.length} cases with evidence that an agent called a tool on \\(100\\.0%\\) hold none in a source any tool call`,
        ),
      );
    },
    90_000,
  );
});
