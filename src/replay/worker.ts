import { parentPort, workerData } from "node:worker_threads";
import { isStackOverflow } from "../io/errors.js";
import { decodeLine } from "../io/lines.js";
import { CASE_TABLES, encodeScored } from "../store/encode.js";
import { type FramedTranscript, FrameWriter } from "../store/row-frame.js";
import { table } from "../store/tables.js";
import type { LoadedSuite } from "../workflow/load.js";
import { caseOfLine, replayCase, storedKey } from "./replay-case.js";
import { tooDeepMessage } from "./too-deep.js";

/** What a replay worker is started with: the suite as loaded. */
export type WorkerSetup = {
  suite: LoadedSuite;
  agents: string[];
  epochs: number;
  toolSources: Record<string, string>;
};
/** Its first message, once the run exists: the run's id and the keys it already stored. */
export type WorkerRun = { runId: string; stored: string[] };
/** A dataset line: its number, and where its bytes are in the chunk's `bytes`. */
export type CaseLine = { line: number; at: number; length: number };
export type CaseOutcome =
  | { line: number; case_id: string; transcripts: FramedTranscript[]; skipped: number }
  | { line: number; inputError: string };
export type ChunkRequest = { id: number; cases: CaseLine[]; bytes: Uint8Array };
/** `frame` holds the rows of every outcome (store/row-frame.ts); it is transferred, not copied. */
export type ChunkReply = { id: number; outcomes: CaseOutcome[]; frame: Uint8Array };

const COLUMN_TYPES = CASE_TABLES.map((t) => table(t).columns.map(([, type]) => type));

/**
 * A replay worker: dataset lines in, rows to store out, both as bytes. It decodes, parses and
 * validates each case, replays it through the playbook agent in the sandbox and scores it, so the
 * main thread only reads the file and writes DuckDB, and holds neither the cases nor the rows as
 * JS strings. Cases arrive and leave in order; model agents never run here.
 */
if (parentPort) {
  const setup = workerData as WorkerSetup;
  const ls = setup.suite;
  const agents = setup.agents.map((n) => ls.agents.find((a) => a.name === n)!);
  let runId = "";
  let stored = new Set<string>();
  const port = parentPort;
  const frame = new FrameWriter();
  port.on("message", async (msg: ChunkRequest | WorkerRun) => {
    if ("runId" in msg) {
      runId = msg.runId;
      stored = new Set(msg.stored);
      return;
    }
    const req = msg;
    const outcomes: CaseOutcome[] = [];
    for (const { line, at, length } of req.cases) {
      let text: string;
      try {
        text = decodeLine(ls.datasetFile, line, req.bytes.subarray(at, at + length));
      } catch (e) {
        outcomes.push({ line, inputError: (e as Error).message });
        break;
      }
      const checked = caseOfLine(ls, line, text);
      if (!checked) continue;
      if ("error" in checked) {
        outcomes.push({ line, inputError: checked.error });
        break;
      }
      const c = checked.case;
      const transcripts: FramedTranscript[] = [];
      let skipped = 0;
      try {
        for (const agent of agents)
          for (let epoch = 0; epoch < setup.epochs; epoch++) {
            if (stored.has(storedKey(c.id, agent.name, epoch))) skipped++;
            else {
              const scored = await replayCase(c, ls, agent, epoch, null);
              // the case's own row once per case; the writer drops it too if a resumed run has it
              const e = encodeScored(scored, runId, setup.toolSources, transcripts.length === 0);
              const at = frame.pos;
              const counts = CASE_TABLES.map((t, k) => {
                for (const row of e.rows[t]) frame.row(COLUMN_TYPES[k]!, row);
                return e.rows[t].length;
              });
              transcripts.push({ case_id: e.case_id, failed: e.failed, at, counts });
            }
          }
      } catch (e) {
        if (!isStackOverflow(e)) throw e;
        outcomes.push({ line, inputError: tooDeepMessage(ls.datasetFile, line, c) });
        break;
      }
      outcomes.push({ line, case_id: c.id, transcripts, skipped });
    }
    const rows = frame.take();
    port.postMessage({ id: req.id, outcomes, frame: rows } satisfies ChunkReply, [rows.buffer as ArrayBuffer]);
  });
}
