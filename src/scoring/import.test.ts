import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../analytics/report.js";
import type { ReportDoc } from "../analytics/report-schema.js";
import { Store } from "../store/db.js";
import { importTranscripts } from "./import.js";

const MINI = "test/fixtures/mini";
const dir = mkdtempSync(join(tmpdir(), "soceval-import-"));
const lines = readFileSync(join(MINI, "cases.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 3);
type MiniCase = {
  id: string;
  evidence: { id: string; source: string }[];
  label: { verdict: string; escalate: boolean; required_evidence: string[] };
};
const cases = lines.map((l) => JSON.parse(l) as MiniCase);

/** `soceval score` of `transcriptsFile` against `datasetFile` with the mini workflow. */
const scoreMini = (store: Store, datasetFile: string, transcriptsFile: string, agent: string) =>
  importTranscripts(store, { workflowFile: join(MINI, "workflow.yaml"), datasetFile, transcriptsFile, agent });

/** An honest answer that cites what its calls returned; `extra` ids are cited on top. */
function answered(c: MiniCase, extra: string[] = []) {
  const ids = (source: string) => c.evidence.filter((e) => e.source === source).map((e) => e.id);
  return {
    case_id: c.id,
    steps: [
      { type: "model_call", tokens_in: 900, tokens_out: 120, latency_ms: 700, cost_usd: 0.0004 },
      { type: "tool_call", tool: "get_signins", status: "ok", evidence_ids: ids("idp.signins"), latency_ms: 150 },
      { type: "tool_call", tool: "get_ip_reputation", status: "ok", evidence_ids: ids("ti.ip"), latency_ms: 80 },
    ],
    output: {
      verdict: c.label.verdict,
      confidence: 0.8,
      escalate: c.label.escalate,
      summary: "Reviewed the sign-in and the IP reputation.",
      hypotheses: [{ kind: "malicious", explanation: "see evidence", evidence: c.label.required_evidence }],
      recommended_actions: [],
      evidence: [...c.label.required_evidence, ...extra],
    },
    error: null as string | null,
  };
}

describe("soceval score: an error recorded beside an output", () => {
  let store: Store;
  let runId: string;
  let doc: ReportDoc;
  const LIMIT = "limit: 120000 tokens > max_tokens 100000";
  beforeAll(async () => {
    writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
    // case 0: the answer that crossed the limit, kept (as soceval run keeps it) and citing a made-up
    // id; case 1: an honest answer; case 2: an error and no answer
    const withError = { ...answered(cases[0]!, ["s-999z"]), error: LIMIT };
    const failed = { ...answered(cases[2]!), output: null, error: "limit: no triage output within max_steps 8" };
    const transcripts = [withError, answered(cases[1]!), failed];
    writeFileSync(join(dir, "t.jsonl"), `${transcripts.map((t) => JSON.stringify(t)).join("\n")}\n`);
    store = await Store.open(":memory:");
    runId = (await scoreMini(store, join(dir, "cases.jsonl"), join(dir, "t.jsonl"), "vendor-x")).runId;
    doc = await buildReport(store, runId);
  });
  afterAll(() => store.close());

  it("the output is judged for every output-based metric, and the investigation is not failed", async () => {
    const rows = await store.query<Record<string, unknown>>(
      "SELECT case_id, failed, schema_valid, agree, hallucinated FROM case_results WHERE run_id = ? ORDER BY case_id",
      [runId],
    );
    expect(rows).toEqual([
      { case_id: cases[0]!.id, failed: false, schema_valid: true, agree: true, hallucinated: true },
      { case_id: cases[1]!.id, failed: false, schema_valid: true, agree: true, hallucinated: false },
      { case_id: cases[2]!.id, failed: true, schema_valid: false, agree: false, hallucinated: false },
    ]);
    const m = doc.agents["vendor-x"]!.metrics;
    // both outputs are in every rate over investigations with output, the fabrication included
    expect(m.hallucination_rate).toMatchObject({ value: 0.5, n: 2 });
    expect(m.schema_invalid_rate).toMatchObject({ value: 0, n: 2 });
    expect(m.failed_rate!.value).toBeCloseTo(1 / 3, 5);
    expect(m.verdict_agreement!.value).toBeCloseTo(2 / 3, 5);
  });

  it("no finding says there was no output when there was one", async () => {
    const findings = await store.query<{ case_id: string; kind: string; detail: string }>(
      "SELECT case_id, kind, detail FROM findings WHERE run_id = ? AND kind IN ('agent_error', 'hallucinated_evidence') ORDER BY case_id, seq",
      [runId],
    );
    expect(findings.map((f) => [f.case_id, f.kind])).toEqual([
      [cases[0]!.id, "hallucinated_evidence"],
      [cases[2]!.id, "agent_error"],
    ]);
    expect(findings[1]!.detail).toBe("the agent produced no triage output: limit: no triage output within max_steps 8");
    // the error stays on the transcript
    const [t] = await store.query<{ error: string }>("SELECT error FROM transcripts WHERE run_id = ? AND case_id = ?", [
      runId,
      cases[0]!.id,
    ]);
    expect(t!.error).toBe(LIMIT);
  });

  it("only the investigation left without an answer counts as a failed answer (provider failures)", () => {
    expect(doc.agents["vendor-x"]!.provider_failures).toMatchObject({ failed: 1, investigations: 3 });
  });
});

describe("soceval score: a transcript that repeats a key", () => {
  it("is refused by its line and the key's path, and nothing is stored", async () => {
    writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
    const honest = JSON.stringify(answered(cases[0]!));
    // what JSON.parse would read as a false positive, over the verdict written first
    const twice = JSON.stringify(answered(cases[1]!)).replace('"verdict":', '"verdict":"false_positive","verdict":');
    const file = join(dir, "twice.jsonl");
    writeFileSync(file, `${honest}\n${twice}\n`);
    const store = await Store.open(":memory:");
    try {
      const err = await scoreMini(store, join(dir, "cases.jsonl"), file, "vendor-x").catch((e: unknown) => e);
      expect((err as Error).message).toBe(`${file}:2: output.verdict: repeated key`);
      expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe("soceval score: numbers a transcript file cannot mean", () => {
  async function refusal(transcripts: unknown[]): Promise<string> {
    writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
    const file = join(dir, "numbers.jsonl");
    writeFileSync(file, `${transcripts.map((t) => JSON.stringify(t)).join("\n")}\n`);
    const store = await Store.open(":memory:");
    try {
      const err = await scoreMini(store, join(dir, "cases.jsonl"), file, "vendor-x").catch((e: unknown) => e);
      expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
      return `${(err as Error).message}`.replace(file, "FILE");
    } finally {
      store.close();
    }
  }

  it("an epoch that leaves a gap (counted from 1, or a huge one) is refused at its line, not scored as failed epochs", async () => {
    const fromOne = cases.map((c) => ({ ...answered(c), epoch: 1 }));
    expect(await refusal(fromOne)).toBe(
      "FILE:1: epoch: epoch 1, but no transcript of the file has epoch 0; epochs count from 0, one per replay of a case (an export that counts from 1?)",
    );
    const huge = [answered(cases[0]!), { ...answered(cases[1]!), epoch: 3000000000 }];
    expect(await refusal(huge)).toMatch(/^FILE:2: epoch: epoch 3000000000, but no transcript of the file has epoch 1;/);
  });

  it("a token count that is not a whole number the store holds exactly is refused at its line", async () => {
    const withTokens = (tokens_in: number) => {
      const t = answered(cases[0]!);
      return { ...t, steps: [{ ...t.steps[0]!, tokens_in }, ...t.steps.slice(1)] };
    };
    expect(await refusal([withTokens(1.5)])).toMatch(/^FILE:1: steps\[0\]\.tokens_in: Invalid input: expected int/);
    expect(await refusal([withTokens(1e20)])).toMatch(/^FILE:1: steps\[0\]\.tokens_in: Too big/);
  });
});

describe("soceval score: a 64-bit id written as a bare number", () => {
  // 12345678901234567891 is what the file says; JSON.parse reads it as 12345678901234567000
  const ID = "12345678901234567891";

  it("is stored as its exact digits, in a case's alert, a tool call's input and the output", async () => {
    const c = JSON.parse(lines[0]!) as { alert: Record<string, unknown> };
    const caseLine = JSON.stringify({ ...c, alert: { ...c.alert, raw: { EventRecordID: 0 } } }).replace(
      '"EventRecordID":0',
      `"EventRecordID":${ID}`,
    );
    writeFileSync(join(dir, "long-cases.jsonl"), `${caseLine}\n`);
    const t = answered(cases[0]!);
    const step = { ...t.steps[1]!, input: { user: "x", EventRecordID: 0 } };
    const text = JSON.stringify({ ...t, steps: [t.steps[0], step], output: { ...t.output, record: 0 } })
      .replace('"EventRecordID":0', `"EventRecordID":${ID}`)
      .replace('"record":0', `"record":${ID}`);
    const file = join(dir, "long.jsonl");
    writeFileSync(file, `${text}\n`);
    const store = await Store.open(join(dir, "long.duckdb"));
    try {
      const out = await scoreMini(store, join(dir, "long-cases.jsonl"), file, "vendor-x");
      expect(out.scored).toBe(1);
      const [row] = await store.query<{ alert: string; input: string; output: string }>(
        `SELECT c.alert::VARCHAR AS alert, k.input::VARCHAR AS input, t.output::VARCHAR AS output
         FROM cases c, tool_calls k, transcripts t WHERE k.tool = 'get_signins'`,
      );
      expect(JSON.parse(row!.alert).raw.EventRecordID).toBe(ID);
      expect(JSON.parse(row!.input).EventRecordID).toBe(ID);
      expect(JSON.parse(row!.output).record).toBe(ID);
    } finally {
      store.close();
    }
  });

  it("is refused where text belongs, as any number is there", async () => {
    writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
    const file = join(dir, "long-case-id.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ ...answered(cases[0]!), case_id: 0 }).replace('"case_id":0', `"case_id":${ID}`)}\n`,
    );
    const store = await Store.open(join(dir, "long-case-id.duckdb"));
    try {
      const err = await scoreMini(store, join(dir, "cases.jsonl"), file, "vendor-x").catch((e: unknown) => e);
      expect((err as Error).message).toBe(`${file}:1: case_id: Invalid input: expected string, received number`);
    } finally {
      store.close();
    }
  });

  it("is refused with its line and field where a number is required", async () => {
    writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
    const file = join(dir, "long-epoch.jsonl");
    const text = JSON.stringify({ ...answered(cases[0]!), epoch: 0 }).replace('"epoch":0', `"epoch":${ID}`);
    writeFileSync(file, `${JSON.stringify(answered(cases[1]!))}\n${text}\n`);
    const store = await Store.open(join(dir, "long-epoch.duckdb"));
    try {
      const err = await scoreMini(store, join(dir, "cases.jsonl"), file, "vendor-x").catch((e: unknown) => e);
      expect((err as Error).message).toBe(`${file}:2: epoch: Too big: expected int to be <=9007199254740991`);
      expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe("soceval score: a dataset that soceval run refuses", () => {
  it("is refused at the case's line and field (a case id twice, a record id twice, a required id no record has), and nothing is stored", async () => {
    const transcripts = join(dir, "honest.jsonl");
    writeFileSync(transcripts, `${cases.map((c) => JSON.stringify(answered(c))).join("\n")}\n`);
    const edited = (change: (c: MiniCase) => void) => {
      const c = JSON.parse(lines[1]!) as MiniCase;
      change(c);
      return JSON.stringify(c);
    };
    const datasets: [string[], string][] = [
      [[lines[0]!, lines[1]!, lines[0]!], `:3: id: duplicate case id "${cases[0]!.id}" (first on line 1)`],
      [
        [lines[0]!, edited((c) => (c.evidence[1]!.id = c.evidence[0]!.id))],
        `:2: evidence[1].id: duplicate evidence id "${cases[1]!.evidence[0]!.id}"`,
      ],
      [
        [lines[0]!, edited((c) => c.label.required_evidence.push("s-404"))],
        `:2: label.required_evidence[${cases[1]!.label.required_evidence.length}]: "s-404" is not an evidence id of this case`,
      ],
    ];
    const store = await Store.open(join(dir, "refused-datasets.duckdb"));
    try {
      for (const [i, [dataset, message]] of datasets.entries()) {
        const file = join(dir, `refused-${i}.jsonl`);
        writeFileSync(file, `${dataset.join("\n")}\n`);
        const err = await scoreMini(store, file, transcripts, "vendor-x").catch((e: unknown) => e);
        expect((err as Error).message).toBe(`${file}${message}`);
      }
      expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe("soceval score: --dataset and --transcripts swapped", () => {
  it("says so, at the first line, rather than call a case's fields typos of a transcript's", async () => {
    const dataset = join(dir, "swap-cases.jsonl");
    const transcripts = join(dir, "swap-transcripts.jsonl");
    writeFileSync(dataset, `${lines.join("\n")}\n`);
    writeFileSync(transcripts, `${cases.map((c) => JSON.stringify(answered(c))).join("\n")}\n`);
    const store = await Store.open(join(dir, "swapped.duckdb"));
    try {
      const refusal = (datasetFile: string, transcriptsFile: string) =>
        scoreMini(store, datasetFile, transcriptsFile, "v")
          .then(() => "scored")
          .catch((e: Error) => e.message);
      expect(await refusal(dataset, dataset)).toBe(
        `${dataset}:1: a case of a dataset, not a transcript (are --dataset and --transcripts swapped?)`,
      );
      expect(await refusal(transcripts, transcripts)).toBe(
        `${transcripts}:1: a transcript, not a case of a dataset (are --dataset and --transcripts swapped?)`,
      );
      // a line of neither keeps its own refusal
      const typo = join(dir, "swap-typo.jsonl");
      writeFileSync(typo, `${JSON.stringify({ ...answered(cases[0]!), epoc: 0 })}\n`);
      expect(await refusal(dataset, typo)).toBe(`${typo}:1: epoc: unknown field "epoc" (did you mean "epoch"?)`);
      expect(await store.query("SELECT run_id FROM runs")).toEqual([]);
    } finally {
      store.close();
    }
  });
});
