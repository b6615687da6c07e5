import { execFile } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fifoWithReader } from "./helpers/fifo.js";

const ROOT = resolve(import.meta.dirname, "..");
const FIX = "test/fixtures/datasets";
const EXCYTIN = resolve(ROOT, "../shared/fixtures/real/excytin/extracted_alerts.csv");
if (!existsSync(EXCYTIN)) console.warn(`skipping the ExCyTIn CLI import test: ${EXCYTIN} is absent`);

type Run = { code: number; stdout: string; stderr: string };

function soceval(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ["bin/soceval.js", ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-dscli-"));
const noStack = (r: Run) => expect(r.stderr).not.toMatch(/\n\s+at /);

// each spawn pays the CLI's start-up, so these run side by side
describe.concurrent("soceval dataset (CLI)", () => {
  it("validate --workflow: a condition field no record has is a warning naming the workflow's line; exit 0", async () => {
    const dir = tmp();
    const wf = join(dir, "workflow.yaml");
    const mini = readFileSync("test/fixtures/mini/workflow.yaml", "utf8");
    writeFileSync(wf, mini.replace("field: device_known, equals: false", "field: device_knwn, equals: false"));
    const r = await soceval("dataset", "validate", "test/fixtures/mini/cases.jsonl", "--workflow", wf);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `${wf}:62: decision_rules[0].when.all[1].field: no record of idp.signins in test/fixtures/mini/cases.jsonl has a field "device_knwn"`,
    );
    // the misspelt test never holds, so its rule decides no case either
    expect(r.stderr).toContain(
      `${wf}:57: decision_rules[0]: rule bad-ip-and-new-device matches no case in test/fixtures/mini/cases.jsonl, so it decides none (warning)\n`,
    );
    expect(r.stdout).toMatch(/, 2 warnings\n$/);
    const ok = await soceval(
      "dataset",
      "validate",
      "test/fixtures/mini/cases.jsonl",
      "--workflow",
      "test/fixtures/mini/workflow.yaml",
    );
    expect(ok.stderr).not.toContain(".field: ");
  });

  it("validate: exit 0 and a summary for a valid file", async () => {
    const r = await soceval("dataset", "validate", `${FIX}/valid.jsonl`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${FIX}/valid.jsonl: 3 cases, 3 valid, 0 invalid, 1 unlabeled\n`);
  });

  it("validate: exit 2, one file:line: field: message per problem", async () => {
    const r = await soceval("dataset", "validate", `${FIX}/malformed.jsonl`);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("8 cases, 2 valid, 6 invalid, 1 unlabeled");
    expect(r.stderr).toContain(`${FIX}/malformed.jsonl:3: alert.sevrity: unknown field "sevrity"`);
    expect(r.stderr).toContain(`${FIX}/malformed.jsonl:6: label.required_evidence[1]: "e9"`);
    noStack(r);
  });

  it("validate: exit 2 for a repeated key, which JSON.parse would resolve to the last value; exit 0 with a warning for a repeated tag", async () => {
    const line = readFileSync(`${FIX}/valid.jsonl`, "utf8").split("\n")[0]!;
    const c = JSON.parse(line) as { tags: string[] };
    const dir = tmp();
    const flipped = join(dir, "flipped.jsonl");
    writeFileSync(
      flipped,
      `${line.replace(/"label":\{"verdict":"(\w+)"/, '"label":{"verdict": "$1", "verdict": "false_positive"')}\n`,
    );
    const r = await soceval("dataset", "validate", flipped);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${flipped}:1: label.verdict: repeated key\n`);
    expect(r.stdout).toBe(`${flipped}: 1 cases, 0 valid, 1 invalid, 0 unlabeled\n`);
    const stats = await soceval("dataset", "stats", flipped);
    expect(stats.code).toBe(2);
    expect(stats.stderr).toBe(`soceval: ${flipped}:1: label.verdict: repeated key\n`);

    const tagged = join(dir, "tagged.jsonl");
    writeFileSync(tagged, `${JSON.stringify({ ...c, tags: ["x", "x"] })}\n`);
    const w = await soceval("dataset", "validate", tagged);
    expect(w.code).toBe(0);
    expect(w.stderr).toBe(`${tagged}:1: tags[1]: tag "x" repeats tags[0]; counted once (warning)\n`);
    expect(w.stdout).toMatch(/: 1 cases, 1 valid, 0 invalid, [01] unlabeled, 1 warning\n$/);
  });

  it("validate --max-errors: what it leaves unprinted is counted as problems and warnings apart", async () => {
    const line = readFileSync(`${FIX}/valid.jsonl`, "utf8").split("\n")[0]!;
    const c = JSON.parse(line) as { id: string; tags: string[] };
    const f = join(tmp(), "mixed.jsonl");
    const tagged = (id: string) => JSON.stringify({ ...c, id, tags: ["x", "x"] });
    writeFileSync(f, [tagged("w1"), "{not json", tagged("w2"), tagged("w3"), "[]"].join("\n"));
    const r = await soceval("dataset", "validate", f, "--max-errors", "1");
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${f}:1: tags[1]: tag "x" repeats tags[0]; counted once (warning)`);
    expect(lines[1]).toBe("… and 2 more problems and 2 more warnings");
  });

  it("validate: an integer beyond 2^53 − 1 is a warning naming line and path, and what it is read as; exit 0", async () => {
    const line = readFileSync(`${FIX}/valid.jsonl`, "utf8").split("\n")[0]!;
    const c = JSON.parse(line) as { id: string; alert: { raw?: unknown } };
    const f = join(tmp(), "long.jsonl");
    const withId = (id: string) => JSON.stringify({ ...c, id, alert: { ...c.alert, raw: { EventRecordID: 0 } } });
    const lines = ["a", "b", "c", "d", "e", "f", "g"].map((id) =>
      withId(id).replace('"EventRecordID":0', '"EventRecordID":12345678901234567890'),
    );
    writeFileSync(f, `${lines.join("\n")}\n`);
    const r = await soceval("dataset", "validate", f);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `${f}: 7 integers are beyond ±9007199254740991 (2^53 − 1), more than a JSON number holds exactly, so where any value ` +
        `goes (evidence data, alert.raw) soceval reads each as a string of its digits ("12345678901234567890"), as the ` +
        "importers write it, and a condition's equals, gte or lte with a number never holds on it: line 1 alert.raw.EventRecordID, line 2 alert.raw.EventRecordID, " +
        "line 3 alert.raw.EventRecordID, line 4 alert.raw.EventRecordID, line 5 alert.raw.EventRecordID and 2 more; " +
        "write each as a string to say so in the file (warning)\n",
    );
    expect(r.stdout).toBe(`${f}: 7 cases, 7 valid, 0 invalid, 0 unlabeled, 1 warning\n`);
  });

  it("validate: exit 2 for a missing file, no stack trace", async () => {
    const r = await soceval("dataset", "validate", "no/such/cases.jsonl");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("soceval: no/such/cases.jsonl: cannot read (ENOENT)\n");
  });

  it("stats --format json prints the counts", async () => {
    const r = await soceval("dataset", "stats", `${FIX}/valid.jsonl`, "--format", "json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.verdict).toEqual({ benign_positive: 1, true_positive: 1, unlabeled: 1 });
    expect(s.evidence_sources["email.headers"].share).toBe(1);
  });

  it("stats: an empty file is no dataset (exit 2), as validate says", async () => {
    const empty = join(tmp(), "empty.jsonl");
    writeFileSync(empty, "\n");
    const r = await soceval("dataset", "stats", empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`soceval: ${empty}: no cases\n`);
  });

  it("import csv: writes cases that validate; a bad mapping exits 2 naming the mapping line", async () => {
    const d = tmp();
    const out = join(d, "cases.jsonl");
    const ok = await soceval(
      "dataset",
      "import",
      "csv",
      `${FIX}/splunk-notables.csv`,
      "--mapping",
      `${FIX}/splunk-notables.mapping.yaml`,
      "--out",
      out,
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`wrote 4 cases to ${out} (3 labeled, 1 unlabeled)\n`);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(4);

    const mapping = join(d, "m.yaml");
    writeFileSync(mapping, "group_by: event_id\ncase:\n  id: event_id\n  alert.sevrity: urgency\n");
    const bad = await soceval(
      "dataset",
      "import",
      "csv",
      `${FIX}/splunk-notables.csv`,
      "--mapping",
      mapping,
      "--out",
      out,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`soceval: ${mapping}:4: case.alert.sevrity: "alert.sevrity" is not a case field\n`);
  });

  // `--out /dev/stdout | next-tool`: a pipe gets the cases, and the summary must not land among them
  it.skipIf(process.platform === "win32")(
    "import --out <a pipe>: the summary goes to stderr, not into the data",
    async () => {
      const fifo = join(tmp(), "cases.pipe");
      const reader = fifoWithReader(fifo);
      const r = await soceval(
        "dataset",
        "import",
        "csv",
        `${FIX}/splunk-notables.csv`,
        "--mapping",
        `${FIX}/splunk-notables.mapping.yaml`,
        "--out",
        fifo,
      );
      const got = await reader.text();
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`wrote 4 cases to ${fifo} (3 labeled, 1 unlabeled)\n`);
      const lines = got.trimEnd().split("\n");
      expect(lines).toHaveLength(4);
      for (const l of lines) expect(JSON.parse(l)).toHaveProperty("id");
    },
  );

  it("import ocsf: a non-2004 class exits 2 naming the line and leaves no output", async () => {
    const out = join(tmp(), "o.jsonl");
    const r = await soceval("dataset", "import", "ocsf", `${FIX}/ocsf-wrong-class.jsonl`, "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${FIX}/ocsf-wrong-class.jsonl:2: class_uid: expected 2004`);
    expect(existsSync(out)).toBe(false);
    noStack(r);
  });

  it("import ocsf: one finding, as one case", async () => {
    const d = tmp();
    const one = join(d, "one.json");
    writeFileSync(one, readFileSync(`${FIX}/ocsf-findings.jsonl`, "utf8").split("\n")[0]!);
    const out = join(d, "o.jsonl");
    const r = await soceval("dataset", "import", "ocsf", one, "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote 1 case to ${out} \\(`));
  });

  it("import: an --out that is a directory is bad input (exit 2), not a rename failure", async () => {
    const d = tmp();
    const r = await soceval("dataset", "import", "ocsf", `${FIX}/ocsf-findings.jsonl`, "--out", d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`soceval: --out ${d}: is a directory; name the cases file to write\n`);
    noStack(r);
  });

  it.skipIf(!existsSync(EXCYTIN))("import sentinel: the real ExCyTIn export with --verdict", async () => {
    const out = join(tmp(), "excytin.jsonl");
    const r = await soceval("dataset", "import", "sentinel", EXCYTIN, "--out", out, "--verdict", "true_positive");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 189 cases to ${out} (189 labeled, 0 unlabeled, 10 incidents)\n`);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(189);
  });

  it.skipIf(!existsSync(EXCYTIN))(
    "import sentinel --incidents: warns of the alerts an incident lists that the export lacks",
    async () => {
      const out = join(tmp(), "excytin.jsonl");
      const incidents = EXCYTIN.replace("extracted_alerts.csv", "extracted_incidents.csv");
      const r = await soceval("dataset", "import", "sentinel", EXCYTIN, "--out", out, "--incidents", incidents);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`wrote 189 cases to ${out} (0 labeled, 189 unlabeled, 8 incidents)\n`);
      expect(r.stderr).toBe(
        `soceval: warning: 2 alerts that the incidents export lists are not in ${EXCYTIN}, so their incidents hold fewer cases than in Sentinel: a6bb705c-1d28-33db-7279-e904c7a3c14c (incident 384), 46f3d4b8-060c-4022-c190-4d88954a6a2e (incident 107)\n`,
      );
    },
  );

  it("generate: another --count or --seed never replaces the bundled datasets unless --out says so", async () => {
    const before = readFileSync("datasets/phishing-triage/cases.jsonl");
    for (const flag of [
      ["--count", "3"],
      ["--seed", "9"],
    ]) {
      const r = await soceval("dataset", "generate", "--workflow", "phishing-triage", ...flag);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        `${flag[0]}: this would replace the bundled datasets in datasets/ with other data; pass --out DIR`,
      );
    }
    expect(readFileSync("datasets/phishing-triage/cases.jsonl").equals(before)).toBe(true);
    const dir = tmp();
    const r = await soceval("dataset", "generate", "--workflow", "phishing-triage", "--count", "3", "--out", dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "phishing-triage/cases.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("generate: an --out that is a file, or under one, is bad input (exit 2), not a runtime failure", async () => {
    const file = join(tmp(), "notes.txt");
    writeFileSync(file, "kept\n");
    const at = await soceval("dataset", "generate", "--workflow", "phishing-triage", "--count", "3", "--out", file);
    expect(at.code, at.stderr).toBe(2);
    expect(at.stderr).toBe(`soceval: --out ${file}: is a file; name a folder\n`);
    const under = await soceval("dataset", "generate", "--workflow", "phishing-triage", "--out", join(file, "x"));
    expect(under.code, under.stderr).toBe(2);
    expect(under.stderr).toBe(`soceval: --out ${join(file, "x")}: ${file} is a file, not a folder\n`);
    expect(readFileSync(file, "utf8")).toBe("kept\n");
  });

  it("generate: a cases.jsonl that is a symlink is written through, and the link stays", async () => {
    const dir = tmp();
    const real = join(dir, "kept-elsewhere.jsonl");
    writeFileSync(real, "old\n");
    mkdirSync(join(dir, "phishing-triage"));
    symlinkSync(real, join(dir, "phishing-triage", "cases.jsonl"));
    const r = await soceval("dataset", "generate", "--workflow", "phishing-triage", "--count", "2", "--out", dir);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "phishing-triage", "cases.jsonl")).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("generate: an unknown workflow is bad input (exit 2)", async () => {
    const r = await soceval("dataset", "generate", "--workflow", "no-such-workflow", "--out", tmp());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown workflow "no-such-workflow"/);
  });
});
