import { parentPort, workerData } from "node:worker_threads";
import { isStackOverflow } from "../io/errors.js";
import { type EncodedTranscript, encodeScored } from "../store/encode.js";
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
export type CaseLine = { line: number; text: string };
export type CaseOutcome =
  | { line: number; case_id: string; transcripts: EncodedTranscript[]; skipped: number }
  | { line: number; inputError: string };
export type ChunkRequest = { id: number; cases: CaseLine[] };
export type ChunkReply = { id: number; outcomes: CaseOutcome[] };

/**
 * A replay worker: dataset lines in, rows to store out. It parses and validates each case, replays
 * it through the playbook agent in the sandbox and scores it, so the main thread only reads the
 * file and writes DuckDB. Cases arrive and leave in order; model agents never run here.
 */
if (parentPort) {
  const setup = workerData as WorkerSetup;
  const ls = setup.suite;
  const agents = setup.agents.map((n) => ls.agents.find((a) => a.name === n)!);
  let runId = "";
  let stored = new Set<string>();
  const port = parentPort;
  port.on("message", async (msg: ChunkRequest | WorkerRun) => {
    if ("runId" in msg) {
      runId = msg.runId;
      stored = new Set(msg.stored);
      return;
    }
    const req = msg;
    const outcomes: CaseOutcome[] = [];
    for (const { line, text } of req.cases) {
      const checked = caseOfLine(ls, line, text);
      if (!checked) continue;
      if ("error" in checked) {
        outcomes.push({ line, inputError: checked.error });
        break;
      }
      const c = checked.case;
      const transcripts: EncodedTranscript[] = [];
      let skipped = 0;
      try {
        for (const agent of agents)
          for (let epoch = 0; epoch < setup.epochs; epoch++) {
            if (stored.has(storedKey(c.id, agent.name, epoch))) skipped++;
            else {
              const scored = await replayCase(c, ls, agent, epoch, null);
              // the case's own row once per case; the writer drops it too if a resumed run has it
              transcripts.push(encodeScored(scored, runId, setup.toolSources, transcripts.length === 0));
            }
          }
      } catch (e) {
        if (!isStackOverflow(e)) throw e;
        outcomes.push({ line, inputError: tooDeepMessage(ls.datasetFile, line, c) });
        break;
      }
      outcomes.push({ line, case_id: c.id, transcripts, skipped });
    }
    port.postMessage({ id: req.id, outcomes } satisfies ChunkReply);
  });
}
