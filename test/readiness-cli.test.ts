import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readinessMetrics } from "../src/analytics/external.js";
import { ReadinessDoc } from "../src/readiness/result.js";
import { Store } from "../src/store/db.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIX = "test/fixtures/readiness";
const ANSWERS = [
  "phishing-triage",
  "alert-deduplication",
  "ioc-lookups",
  "endpoint-investigation",
  "cloud-alert-enrichment",
  "identity-suspicious-login",
  "production-host-isolation",
  "account-lockout",
  "firewall-changes",
  "customer-notification",
].map((f) => `readiness/answers/${f}.yaml`);

type Run = { code: number; stdout: string; stderr: string };

function soceval(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ["bin/soceval.js", ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-readiness-cli-"));
const noStack = (r: Run) => expect(r.stderr).not.toMatch(/\n\s+at /);
const fixtureCheck = (telemetry: string) => [
  "readiness",
  "check",
  `${FIX}/mid.yaml`,
  "--matrix",
  `${FIX}/matrix.yaml`,
  "--workflow",
  `${FIX}/workflow.yaml`,
  "--telemetry",
  `${FIX}/${telemetry}`,
  "--dataset",
  `${FIX}/cases.jsonl`,
];

describe.concurrent("soceval readiness (CLI)", () => {
  it("score --format md: every strength and weakness is labelled with its question", async () => {
    const r = await soceval("readiness", "score", ...ANSWERS, "--format", "md", "--db", join(tmp(), "md.duckdb"));
    expect(r.code, r.stderr).toBe(0);
    const reasons = r.stdout
      .split("\n")
      .filter((l) => /^Why it (suits an agent|is a weak candidate): /.test(l))
      .flatMap((l) =>
        l
          .replace(/^[^:]+: /, "")
          .replace(/\.$/, "")
          .split("; "),
      );
    expect(reasons.length).toBeGreaterThan(5);
    for (const reason of reasons) expect(reason).toMatch(/^[^:\s][^:]*: \S/);
  });

  it("score: ranks the bundled candidates, writes a self-contained HTML report and stores every result", async () => {
    const dir = tmp();
    const db = join(dir, "s.duckdb");
    const out = join(dir, "readiness.html");
    const r = await soceval("readiness", "score", ...ANSWERS, "--out", out, "--db", db);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    expect(r.stdout).toMatch(/BLOCKED \(no_escalation_criteria\)/);
    expect(r.stderr).toContain(`stored 10 readiness results in ${db}`);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("Duplicate alert clustering");
    expect(html).toContain("No explicit forbidden-action list");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|<link |src="http|href="http/i);

    const store = await Store.open(db);
    try {
      const rows = await store.query<{ workflow: string; overall: number; blockers: string[]; max_automation: string }>(
        "SELECT workflow, overall, blockers, max_automation FROM readiness_results ORDER BY overall DESC",
      );
      expect(rows).toHaveLength(10);
      const firewall = rows.find((x) => x.workflow === "firewall-block-change")!;
      expect(firewall.blockers).toEqual(["no_forbidden_action_list", "no_reviewer"]);
      expect(firewall.max_automation).toBe("none");
      // the exit-criteria report's readiness phase reads the newest row of the run's workflow
      const m = await readinessMetrics(store, "phishing-triage");
      expect(m.readiness_score!.value).toBe(rows.find((x) => x.workflow === "phishing-triage")!.overall);
      expect(m.readiness_blockers!.value).toBe(0);
    } finally {
      store.close();
    }
  });

  it("score: JSON is the stable document, Markdown comes from a CSV export, --no-db writes nothing", async () => {
    const json = await soceval(
      "readiness",
      "score",
      `${FIX}/mid-wide.csv`,
      "--matrix",
      `${FIX}/matrix.yaml`,
      "--format",
      "json",
      "--no-db",
    );
    expect(json.code).toBe(0);
    const doc = ReadinessDoc.parse(JSON.parse(json.stdout));
    expect(doc.candidates.map((c) => [c.candidate, c.blocked])).toEqual([
      ["Mid candidate", false],
      ["High but blocked", true],
    ]);
    expect(json.stderr).not.toContain("stored");
    const md = await soceval("readiness", "score", `${FIX}/mid-long.csv`, "--matrix", `${FIX}/matrix.yaml`, "--no-db");
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("| 1 | Mid candidate | `mini-triage` | 77.0 | **ready** | shadow | low |");
  });

  it("ask without a terminal is bad input (exit 2) that says what to do instead, and writes nothing", async () => {
    const out = join(tmp(), "a.yaml");
    const r = await soceval("readiness", "ask", "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal \(stdin is not one\); fill an answer file by hand/);
    noStack(r);
    expect(existsSync(out)).toBe(false);
  });

  it("ask --out with a name other than .yaml/.yml is refused before anything is written: score would read a .csv as a spreadsheet export", async () => {
    const dir = tmp();
    for (const name of ["answers.csv", "answers"]) {
      const out = join(dir, name);
      const r = await soceval("readiness", "ask", "--out", out);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `soceval: --out ${out}: the questionnaire writes a YAML answer file; name it .yaml or .yml\n`,
      );
      expect(existsSync(out)).toBe(false);
    }
  });

  it("score with a matrix that moves the bar for shadow says the exit-criteria report keeps its own, and what to declare", async () => {
    const matrix = join(tmp(), "m.yaml");
    writeFileSync(
      matrix,
      readFileSync(resolve(ROOT, FIX, "matrix.yaml"), "utf8").replace(
        "{ phase: shadow, description: start in shadow, min_overall: 60 }",
        "{ phase: shadow, description: start in shadow, min_overall: 75 }",
      ),
    );
    const moved = await soceval(
      "readiness",
      "score",
      `${FIX}/mid.yaml`,
      "--matrix",
      matrix,
      "--no-db",
      "--format",
      "json",
    );
    expect(moved.code).toBe(0);
    expect(moved.stderr).toContain(
      `note: ${matrix} starts shadow at an overall of 75, but an exit-criteria report's readiness phase passes at readiness_score >= 60 unless the suite declares its own`,
    );
    expect(moved.stderr).toContain('{ metric: readiness_score, op: ">=", threshold: 75 }');
    const same = await soceval("readiness", "score", `${FIX}/mid.yaml`, "--matrix", `${FIX}/matrix.yaml`, "--no-db");
    expect(same.stderr).not.toContain("note:");
  });

  it("ask --out where no file can be written is refused before the first question, not after an answer is typed", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "plain"), "x");
    const under = await soceval("readiness", "ask", "--out", join(dir, "plain", "a.yaml"));
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(
      `soceval: --out ${join(dir, "plain", "a.yaml")}: ${join(dir, "plain")} is a file, not a folder\n`,
    );
    const folder = await soceval("readiness", "ask", "--out", join(dir, "x.yaml", "/"));
    expect(folder.code).toBe(2);
    if (existsSync("/proc/self")) {
      // nothing can be created in /proc, even by root, whom a permission check would let through
      const proc = await soceval("readiness", "ask", "--out", "/proc/soceval-answers/a.yaml");
      expect(proc.code).toBe(3);
      expect(proc.stderr).toMatch(/^soceval: .*--out \/proc\/soceval-answers\/a\.yaml: cannot write in \/proc: /);
      noStack(proc);
    }
  });

  it("score: an unknown question id is bad input (exit 2) with file:line and no stack", async () => {
    const file = join(tmp(), "typo.yaml");
    writeFileSync(file, `${readFileSync(resolve(ROOT, FIX, "mid.yaml"), "utf8").replace("q_api: 5", "q_apis: 5")}`);
    const r = await soceval("readiness", "score", file, "--matrix", `${FIX}/matrix.yaml`, "--no-db");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`soceval: ${file}:9: answers.q_apis: unknown question id "q_apis" (did you mean "q_api"?)\n`);
    noStack(r);
  });

  it("score: an unsupported output extension is bad input", async () => {
    const out = join(tmp(), "r.pdf");
    const r = await soceval("readiness", "score", ANSWERS[0]!, "--out", out, "--no-db");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`soceval: --out ${out}: use .html, .md or .json, or pass --format\n`);
  });

  it("score --out into a folder that does not exist yet creates it, as report --out does", async () => {
    const out = join(tmp(), "reports", "readiness", "r.md");
    const r = await soceval("readiness", "score", ANSWERS[0]!, "--out", out, "--no-db");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}\n`);
    expect(readFileSync(out, "utf8")).toContain("### soceval readiness");
  });

  it("check: exit 1 when the telemetry matrix marks a needed source unavailable", async () => {
    const r = await soceval(...fixtureCheck("telemetry.yaml"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("PROBLEM  hr.travel (TripDesk): no API, marked unavailable");
    expect(r.stdout).toContain("2 problems");
    // present and unavailable are shares of the same cases (where the playbook would read the
    // source), and both columns print that count
    const rows = r.stdout.split("\n").filter((l) => / read +│/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [present, unavailable] = [...row.matchAll(/\d+\.\d% of (\d+)/g)].map((x) => x[1]);
      expect(unavailable, row).toBe(present);
    }
  });

  it("check: exit 0 when the answers hold", async () => {
    const r = await soceval(...fixtureCheck("telemetry-clean.yaml"), "--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "soceval.readiness.check", ok: true, cases: 10 });
  });

  it("check: exit 2 for a workflow without a suite", async () => {
    const r = await soceval(
      "readiness",
      "check",
      "readiness/answers/account-lockout.yaml",
      "--dataset",
      `${FIX}/cases.jsonl`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'workflow "identity-account-lockout" has no suites/identity-account-lockout/workflow.yaml',
    );
    noStack(r);
  });

  it("check: exit 2 naming --workflow when the file it names is not there, not asking for the flag given", async () => {
    const r = await soceval(
      "readiness",
      "check",
      "readiness/answers/phishing-triage.yaml",
      "--dataset",
      `${FIX}/cases.jsonl`,
      "--workflow",
      "no-such/workflow.yaml",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("soceval: --workflow no-such/workflow.yaml: no such file\n");
  });

  it("check: the bundled identity answers fail on the travel system the telemetry matrix marks unavailable", async () => {
    const r = await soceval(
      "readiness",
      "check",
      "readiness/answers/identity-suspicious-login.yaml",
      "--dataset",
      "datasets/identity-suspicious-login/cases.jsonl",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PROBLEM {2}hr\.travel .*no API/);
  });
});
