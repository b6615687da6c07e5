import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { query, soceval } from "./helpers/cli.js";
import { pointGptAt, routineClose } from "./servers/agents.js";
import { startResponder } from "./servers/responder.js";

// a file is opened by its name: JSONL in t.json fails jq, JSON in r.html shows a browser raw text
const dir = mkdtempSync(join(tmpdir(), "soceval-out-format-"));
cpSync("test/fixtures/mini", dir, { recursive: true });
const db = join(dir, "store.duckdb");
const run = (args: string[]) => soceval(args, dir);

beforeAll(async () => {
  const r = await run([
    "run",
    "suite.yaml",
    "--db",
    db,
    "--agent",
    "playbook",
    "playbook-no-ti",
    "--limit",
    "5",
    "--quiet",
  ]);
  expect(r.status, r.stderr).toBe(0);
  const b = await run(["baseline", "bless", "--run", "latest", "--name", "main", "--agent", "playbook", "--db", db]);
  expect(b.status, b.stderr).toBe(0);
}, 60_000);

/** `args` exit 2 with `message`, and `file` is as it was (absent, or its old text), nothing beside it. */
async function refused(args: string[], message: RegExp, file: string): Promise<void> {
  const path = join(dir, file);
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  const names = readdirSync(dir).sort();
  const r = await run(args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(existsSync(path) ? readFileSync(path, "utf8") : null).toBe(before);
  expect(readdirSync(dir).sort()).toEqual(names);
}

describe("an output whose name says another format than the one written is refused", () => {
  it("export: JSONL into a .json name, with or without --format, and an older file there is kept", async () => {
    writeFileSync(join(dir, "older.json"), '{"kept": true}\n');
    const jsonl =
      /--out \S*older\.json: the name says JSON, but (export|--format jsonl) writes JSONL \(one JSON object a line, not one JSON document\): name it \.jsonl/;
    await refused(["export", "--run", "latest", "--db", db, "--out", "older.json"], jsonl, "older.json");
    await refused(
      ["export", "--run", "latest", "--db", db, "--format", "jsonl", "--out", "older.json"],
      jsonl,
      "older.json",
    );
  });

  it("export: a --format the --out name contradicts, Parquet into .jsonl and JSONL into .parquet", async () => {
    await refused(
      ["export", "--run", "latest", "--db", db, "--format", "parquet", "--out", "t.jsonl"],
      /--out t\.jsonl: the name says JSONL, but --format parquet writes Parquet: name it \.parquet, or drop --format/,
      "t.jsonl",
    );
    await refused(
      ["export", "--run", "latest", "--db", db, "--format", "jsonl", "--out", "t.parquet"],
      /--out t\.parquet: the name says Parquet, but --format jsonl writes JSONL .*: name it \.jsonl, or drop --format/,
      "t.parquet",
    );
  });

  it("export: a .parquet name without --format is Parquet, and --format names the format of a name that says none", async () => {
    const p = await run(["export", "--run", "latest", "--db", db, "--out", "infer.parquet", "--table", "case_results"]);
    expect(p.status, p.stderr).toBe(0);
    expect(readFileSync(join(dir, "infer.parquet")).subarray(0, 4).toString()).toBe("PAR1");
    const [n] = await query<{ n: number }>(
      db,
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(dir, "infer.parquet")}')`,
    );
    expect(n!.n).toBe(10);
    const t = await run(["export", "--run", "latest", "--db", db, "--format", "jsonl", "--out", "t.txt"]);
    expect(t.status, t.stderr).toBe(0);
    expect(
      readFileSync(join(dir, "t.txt"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).case_id),
    ).toHaveLength(10);
  });

  it("report, compare and readiness score: a --format the --out name contradicts", async () => {
    await refused(
      ["report", "--run", "latest", "--db", db, "--format", "json", "--out", "r.html"],
      /--out r\.html: the name says HTML, but --format json writes JSON: name it \.json, or drop --format/,
      "r.html",
    );
    await refused(
      ["compare", "--runs", "latest", "--db", db, "--format", "html", "--out", "c.md"],
      /--out c\.md: the name says Markdown, but --format html writes HTML: name it \.html, or drop --format/,
      "c.md",
    );
    const answers = resolve("readiness/answers/phishing-triage.yaml");
    await refused(
      ["readiness", "score", answers, "--no-db", "--format", "md", "--out", "rd.json"],
      /--out rd\.json: the name says JSON, but --format md writes Markdown: name it \.md, or drop --format/,
      "rd.json",
    );
    // a name that says no format is the user's to choose
    const txt = await run(["report", "--run", "latest", "--db", db, "--format", "md", "--out", "r.txt"]);
    expect(txt.status, txt.stderr).toBe(0);
    expect(readFileSync(join(dir, "r.txt"), "utf8")).toMatch(/^### soceval exit criteria/m);
  });

  it("a name for a well-known format soceval does not write (PDF, Word, Excel, an image) is refused by every command", async () => {
    const answers = resolve("readiness/answers/phishing-triage.yaml");
    const ocsf = resolve("test/fixtures/datasets/ocsf-findings.json");
    const cases: [string[], string, string][] = [
      [["report", "--run", "latest", "--db", db, "--format", "md", "--out", "r.pdf"], "r.pdf", "Markdown: name it .md"],
      [
        ["compare", "--runs", "latest", "--db", db, "--format", "html", "--out", "c.docx"],
        "c.docx",
        "HTML: name it .html",
      ],
      [
        ["readiness", "score", answers, "--no-db", "--format", "json", "--out", "rd.xlsx"],
        "rd.xlsx",
        "JSON: name it .json",
      ],
      [["export", "--run", "latest", "--db", db, "--format", "jsonl", "--out", "t.PNG"], "t.PNG", "name it .jsonl"],
      [["dataset", "import", "ocsf", ocsf, "--out", "imported.pdf"], "imported.pdf", "name it .jsonl"],
      [
        ["run", "suite.yaml", "--limit", "1", "--record", "rec.zip", "--db", "rec-zip.duckdb"],
        "rec.zip",
        "name it .jsonl",
      ],
    ];
    for (const [args, file, fix] of cases) {
      const ext = file.slice(file.lastIndexOf(".") + 1).toLowerCase();
      await refused(
        args,
        new RegExp(
          `${file.replace(".", "\\.")}: \\.${ext} names an? [A-Za-z]+( file)?, which soceval does not write; .*${fix.replace(".", "\\.")}$`,
          "m",
        ),
        file,
      );
    }
    expect(existsSync(join(dir, "rec-zip.duckdb"))).toBe(false);
    // the gate refuses it before judging, and writes it nothing: a PDF reader would get Markdown
    const gate = ["gate", "--candidate-run", "latest", "--agent", "playbook-no-ti", "--baseline", "main", "--db", db];
    const g = await run([...gate, "--summary", "summary.pdf", "--json", "g-pdf.json"]);
    expect(g.status, g.stderr).toBe(2);
    expect(g.stderr).toContain("--summary summary.pdf: .pdf names a PDF file, which soceval does not write");
    expect(existsSync(join(dir, "summary.pdf"))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "g-pdf.json"), "utf8")).status).toBe("not_judged");
  }, 60_000);

  it("dataset import: cases are JSONL, so a .json --out is refused before a line is read", async () => {
    const ocsf = resolve("test/fixtures/datasets/ocsf-findings.json");
    await refused(
      ["dataset", "import", "ocsf", ocsf, "--out", "imported.json"],
      /--out imported\.json: the name says JSON, but the import writes JSONL .*: name it \.jsonl/,
      "imported.json",
    );
    const ok = await run(["dataset", "import", "ocsf", ocsf, "--out", "imported.jsonl"]);
    expect(ok.status, ok.stderr).toBe(0);
  });

  it("gate: a report file named for another format gets nothing, the others say why the gate did not judge", async () => {
    const gate = ["gate", "--candidate-run", "latest", "--agent", "playbook-no-ti", "--baseline", "main", "--db", db];
    const r = await run([...gate, "--junit", "gate.json", "--summary", "not-judged.md"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--junit gate\.json: the name says JSON, but --junit writes XML: name it \.xml/);
    expect(existsSync(join(dir, "gate.json"))).toBe(false);
    expect(readFileSync(join(dir, "not-judged.md"), "utf8")).toMatch(/not judged[\s\S]*--junit gate\.json/);
    const judged = await run([...gate, "--junit", "g.xml", "--summary", "g.txt", "--json", "g.json"]);
    expect([0, 1], judged.stderr).toContain(judged.status);
    expect(JSON.parse(readFileSync(join(dir, "g.json"), "utf8")).status).toMatch(/^(pass|fail)$/);
    expect(readFileSync(join(dir, "g.xml"), "utf8")).toMatch(/^<\?xml/);
  });
  it("gate: two report files that are one file, by name or through a link, are refused before judging", async () => {
    const gate = ["gate", "--candidate-run", "latest", "--agent", "playbook-no-ti", "--baseline", "main", "--db", db];
    const plain = await run([...gate, "--junit", "gate-report", "--json", "gate-report"]);
    expect(plain.status, plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(
      /--json gate-report: is --junit's file \(gate-report\); writing there would destroy it/,
    );
    writeFileSync(join(dir, "verdict.xml"), "old\n");
    symlinkSync("verdict.xml", join(dir, "verdict-link.json"));
    const linked = await run([...gate, "--junit", "verdict.xml", "--json", "verdict-link.json"]);
    expect(linked.status, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/--json verdict-link\.json: is --junit's file \(verdict\.xml\)/);
    expect(readFileSync(join(dir, "verdict.xml"), "utf8")).toMatch(/not_judged/);
  });
  it("run --record: a new recordings file named .json is refused with no store made; one --record wrote is appended to", async () => {
    const server = await startResponder(() => ({ type: "submit", output: routineClose }));
    try {
      pointGptAt(dir, server.url);
      const live = (record: string, store: string) =>
        run(["run", "suite.yaml", "--agent", "gpt-test", "--limit", "1", "--record", record, "--db", store, "--quiet"]);
      await refused(
        ["run", "suite.yaml", "--agent", "gpt-test", "--record", "fresh.json", "--db", "rec.duckdb"],
        /--record fresh\.json: the name says JSON, but --record writes JSONL .*: name it \.jsonl/,
        "fresh.json",
      );
      expect(existsSync(join(dir, "rec.duckdb"))).toBe(false);
      // recordings an earlier soceval wrote under a .json name: a suite names them, so they stay usable
      const first = await live("first.jsonl", "rec1.duckdb");
      expect(first.status, first.stderr).toBe(0);
      const lines = readFileSync(join(dir, "first.jsonl"), "utf8").split("\n").filter(Boolean).length;
      expect(lines).toBeGreaterThan(0);
      cpSync(join(dir, "first.jsonl"), join(dir, "older.recordings.json"));
      const again = await live("older.recordings.json", "rec2.duckdb");
      expect(again.status, again.stderr).toBe(0);
      expect(readFileSync(join(dir, "older.recordings.json"), "utf8").split("\n").filter(Boolean)).toHaveLength(
        2 * lines,
      );
    } finally {
      await server.close();
    }
  });

  it("a new store named for another format, and a folder output named like a file, are refused; existing ones are used", async () => {
    await refused(
      ["run", "suite.yaml", "--limit", "2", "--db", "results.json", "--quiet"],
      /--db results\.json: the name says JSON, but a store is a DuckDB database: name it \.duckdb/,
      "results.json",
    );
    cpSync(db, join(dir, "shard-a.duckdb"));
    cpSync(db, join(dir, "shard-b.duckdb"));
    await refused(
      ["runs", "merge", "shard-a.duckdb", "shard-b.duckdb", "--db", "merged.parquet"],
      /--db merged\.parquet: the name says Parquet/,
      "merged.parquet",
    );
    // a usage error, as commander words it (its line, then "see: … --help"), and no folder made
    for (const [args, name] of [
      [["start", "--out", "report.html"], "report.html"],
      [["dataset", "generate", "--all", "--out", "more-cases.jsonl"], "more-cases.jsonl"],
    ] as const) {
      const r = await run([...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${name}: the name says`);
      expect(r.stderr).toContain("but this writes a folder; name a folder");
      expect(existsSync(join(dir, name))).toBe(false);
    }
    // a store made under such a name before, or a folder someone made: still theirs to use
    cpSync(db, join(dir, "older.json"));
    const list = await run(["runs", "list", "--db", "older.json"]);
    expect(list.status, list.stderr).toBe(0);
  }, 60_000);
});
