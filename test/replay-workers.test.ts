import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSummary } from "../src/analytics/summary.js";
import { summaryTable } from "../src/cli/summary-table.js";
import { InputError } from "../src/io/errors.js";
import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { CASE_TABLES } from "../src/store/encode.js";
import { loadSuite } from "../src/workflow/load.js";

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-workers-"));

/** A store for one test, closed whatever the test does. */
async function withStore(path: string, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await Store.open(path);
  try {
    await body(store);
  } finally {
    store.close();
  }
}

/** Every stored row of a run, minus what differs by design between two runs (id, clock). */
async function dump(store: Store, runId: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of CASE_TABLES) {
    const rows = await store.query<Record<string, unknown>>(
      `SELECT * EXCLUDE (run_id${t === "transcripts" ? ", started_at, wall_ms" : ""}) FROM ${t} WHERE run_id = ?`,
      [runId],
    );
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

describe("replay workers", () => {
  it("store exactly the rows the main thread stores (2 epochs, seeded faults, 1 and 2 workers)", async () => {
    const dir = tmp();
    const suiteFile = join(dir, "s.suite.yaml");
    const wf = join(process.cwd(), "suites/identity-suspicious-login");
    writeFileSync(
      suiteFile,
      [
        "name: workers-equal",
        `workflow: ${join(wf, "workflow.yaml")}`,
        `dataset: ${join(process.cwd(), "datasets/identity-suspicious-login/cases.jsonl")}`,
        `agents: [${join(wf, "agents/playbook.yaml")}]`,
        "epochs: 2",
        "seed: 7",
        "faults: [{ tool: get_signins, kind: timeout, rate: 0.2 }, { tool: get_mfa_activity, kind: error, rate: 0.3 }]",
      ].join("\n"),
    );
    const ls = loadSuite(suiteFile);
    await withStore(join(dir, "w.duckdb"), async (store) => {
      const main = await runSuite(store, ls, { workers: 0 });
      const one = await runSuite(store, ls, { workers: 1 });
      const two = await runSuite(store, ls, { workers: 2, batchSize: 37 });
      expect(main.done).toBe(640);
      // the headline after a run: misses and failures count investigations, and it says so
      const [headline] = await runSummary(store, main.runId);
      expect(headline).toMatchObject({ cases: 320, investigations: 640 });
      expect(summaryTable([headline!])).toContain("320 (640 investigations)");
      expect([one.done, two.done]).toEqual([640, 640]);
      const a = await dump(store, main.runId);
      expect(a.tool_calls!.filter((r) => r.includes('"status":"timeout"')).length).toBeGreaterThan(0);
      expect(await dump(store, one.runId)).toEqual(a);
      expect(await dump(store, two.runId)).toEqual(a);
    });
  });

  it("read lines as the main thread does: a BOM, CRLF, blank lines, multi-byte text; bytes not UTF-8 refused with their line", async () => {
    const dir = tmp();
    const lines = readFileSync("datasets/phishing-triage/cases.jsonl", "utf8").trim().split("\n").slice(0, 120);
    const withText = (l: string, i: number) => {
      const c = JSON.parse(l);
      c.alert.description = `${c.alert.description} é€😀 ${"\u3000".repeat(i % 3)}`;
      return JSON.stringify(c);
    };
    const body = lines.map((l, i) => (i % 10 === 0 ? `${withText(l, i)}\r\n \t\r\n\u3000` : withText(l, i)));
    const data = join(dir, "cases.jsonl");
    writeFileSync(data, `\uFEFF${body.join("\r\n")}\r\n`);
    const wf = join(process.cwd(), "suites/phishing-triage");
    const suiteFile = join(dir, "s.suite.yaml");
    const suite = (dataset: string) =>
      [
        "name: line-bytes",
        `workflow: ${join(wf, "workflow.yaml")}`,
        `dataset: ${dataset}`,
        `agents: [${join(wf, "agents/playbook.yaml")}]`,
      ].join("\n");
    writeFileSync(suiteFile, suite(data));
    const ls = loadSuite(suiteFile);
    await withStore(join(dir, "l.duckdb"), async (store) => {
      const main = await runSuite(store, ls, { workers: 0 });
      const one = await runSuite(store, ls, { workers: 1, batchSize: 25 });
      expect([main.done, one.done]).toEqual([120, 120]);
      const a = await dump(store, main.runId);
      expect(a.cases!.filter((r) => r.includes("é€😀")).length).toBe(120);
      expect(await dump(store, one.runId)).toEqual(a);
    });
    // a Latin-1 byte on line 40: the worker decodes it, and refuses it as the main thread would
    const bad = join(dir, "latin1.jsonl");
    const raw = Buffer.from(`${lines.join("\n")}\n`, "utf8");
    const at = raw.indexOf(Buffer.from(JSON.parse(lines[39]!).id));
    raw[at] = 0xe9;
    writeFileSync(bad, raw);
    writeFileSync(suiteFile, suite(bad));
    for (const workers of [0, 1])
      await withStore(join(dir, `b${workers}.duckdb`), async (store) => {
        const err = await runSuite(store, loadSuite(suiteFile), { workers }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).message).toContain(`${bad}:40: not UTF-8 text`);
        const [n] = await store.query<{ n: number }>("SELECT count(*) AS n FROM runs");
        expect(n!.n).toBe(0);
      });
  });

  it("report the first bad line of the dataset, whichever worker reads it, and keep no half run", async () => {
    const dir = tmp();
    const lines = readFileSync("datasets/phishing-triage/cases.jsonl", "utf8").trim().split("\n").slice(0, 200);
    lines[150] = lines[150]!.replace('"workflow":"phishing-triage"', '"workflow":42');
    lines[170] = "{not json";
    const data = join(dir, "cases.jsonl");
    writeFileSync(data, `${lines.join("\n")}\n`);
    const wf = join(process.cwd(), "suites/phishing-triage");
    const suiteFile = join(dir, "s.suite.yaml");
    writeFileSync(
      suiteFile,
      [
        `name: bad-line`,
        `workflow: ${join(wf, "workflow.yaml")}`,
        `dataset: ${data}`,
        `agents: [${join(wf, "agents/playbook.yaml")}]`,
      ].join("\n"),
    );
    await withStore(join(dir, "b.duckdb"), async (store) => {
      const err = await runSuite(store, loadSuite(suiteFile), { workers: 2, batchSize: 20 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(
        new RegExp(`^${data.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:151: workflow`),
      );
      for (const t of ["runs", ...CASE_TABLES]) {
        const [n] = await store.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
        expect(n!.n, t).toBe(0);
      }
    });
  });

  it("keep what a run stored when it fails for a reason other than bad input, and --resume finishes it", async () => {
    const dir = tmp();
    const ls = loadSuite("suites/phishing-triage/shadow.suite.yaml");
    await withStore(join(dir, "f.duckdb"), async (store) => {
      // a failure from outside the data, half-way (here: the progress reporter throws)
      const err = await runSuite(store, ls, {
        workers: 1,
        batchSize: 50,
        onProgress: (p) => {
          if (p.done >= 200) throw new Error("terminal gone");
        },
      }).catch((e: unknown) => e);
      expect(String(err)).toMatch(/terminal gone/);
      const [run] = await store.query<{ run_id: string; status: string; n: number }>(
        "SELECT run_id, status, (SELECT count(*) FROM transcripts t WHERE t.run_id = r.run_id) AS n FROM runs r",
      );
      expect(run!.status).toBe("failed");
      expect(run!.n).toBeGreaterThanOrEqual(50); // whole batches landed before the failure
      expect(run!.n).toBeLessThan(320);
      const resumed = await runSuite(store, ls, { workers: 1, resume: true });
      expect(resumed.runId).toBe(run!.run_id);
      expect(resumed.skipped).toBe(run!.n);
      const [n] = await store.query<{ n: number; d: number }>(
        "SELECT count(*) AS n, count(DISTINCT case_id) AS d FROM transcripts WHERE run_id = ?",
        [run!.run_id],
      );
      expect(n).toEqual({ n: 320, d: 320 });
    });
  });

  it("on an interrupt, store every case already replayed, mark the run interrupted, and resume from there", async () => {
    const dir = tmp();
    const ls = loadSuite("suites/phishing-triage/shadow.suite.yaml");
    await withStore(join(dir, "i.duckdb"), async (store) => {
      const ctrl = new AbortController();
      // what Ctrl-C does (src/cli/run.ts): the signal stops reading; the chunks already handed to
      // the worker (at most 4 × 32 cases) are finished and stored
      const first = await runSuite(store, ls, {
        workers: 1,
        batchSize: 40,
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.done >= 40) ctrl.abort();
        },
      });
      expect(first.status).toBe("interrupted");
      expect(first.done).toBeGreaterThanOrEqual(40);
      expect(first.done).toBeLessThan(320);
      const [run] = await store.query<{ status: string; n: number; r: number; c: number }>(
        `SELECT status, (SELECT count(*) FROM transcripts) AS n, (SELECT count(*) FROM case_results) AS r,
                (SELECT count(*) FROM cases) AS c FROM runs`,
      );
      // every case reported done is stored, whole: transcript, result and case row alike
      expect(run).toEqual({ status: "interrupted", n: first.done, r: first.done, c: first.done });
      const resumed = await runSuite(store, ls, { workers: 2, resume: true });
      expect(resumed.status).toBe("finished");
      expect(resumed.skipped).toBe(first.done);
      expect(resumed.done - resumed.skipped).toBe(320 - first.done);
      const [n] = await store.query<{ n: number; d: number; status: string }>(
        "SELECT count(*) AS n, count(DISTINCT case_id) AS d, (SELECT any_value(status) FROM runs) AS status FROM transcripts",
      );
      expect(n).toEqual({ n: 320, d: 320, status: "finished" });
    });
  });

  it("an interrupt that comes once every case was handed out leaves a finished run, not one to resume", async () => {
    const dir = tmp();
    const ls = loadSuite("suites/phishing-triage/shadow.suite.yaml");
    await withStore(join(dir, "late.duckdb"), async (store) => {
      const ctrl = new AbortController();
      // the last chunks are still with the worker when the reader has read every line: a Ctrl-C now
      // stops nothing, and every case is stored
      const o = await runSuite(store, ls, {
        workers: 1,
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.done >= p.total - 3) ctrl.abort();
        },
      });
      expect(ctrl.signal.aborted).toBe(true);
      expect(o).toMatchObject({ status: "finished", done: 320, total: 320 });
      const [run] = await store.query<{ status: string; n: number }>(
        "SELECT status, (SELECT count(*)::INTEGER FROM transcripts) AS n FROM runs",
      );
      expect(run).toEqual({ status: "finished", n: 320 });
    });
  });

  it("refuse to replay a model agent off the main thread", async () => {
    const ls = loadSuite("test/fixtures/mini/suite.yaml");
    await withStore(":memory:", async (store) => {
      await expect(runSuite(store, ls, { agents: ["gpt-test"], workers: 1 })).rejects.toThrow(/playbook agent only/);
      const [n] = await store.query<{ n: number }>("SELECT count(*) AS n FROM runs");
      expect(n!.n).toBe(0); // refused before anything was written
    });
  });
});
