import { existsSync } from "node:fs";
import { parseJsonLine } from "../io/jsonl.js";
import { sameUpToLineEndings } from "../io/line-ending-hash.js";
import { readLines } from "../io/lines.js";
import { Case, type EvidenceRecord } from "../schema/case.js";

export type DatasetLine = {
  file: string;
  line: number | null;
  unavailable: string | null;
  evidence: EvidenceRecord[];
};

/**
 * Where a stored case came from: its line in the run's dataset, with the evidence records the
 * agent was answered from. The store keeps evidence ids, not the records, so they are read back
 * from the file, and only from the very file the run replayed: a dataset edited since would show
 * records the agent never saw, so a changed hash shows none and says why.
 */
export async function findDatasetLine(file: string, runHash: string, caseId: string): Promise<DatasetLine> {
  const none = (unavailable: string): DatasetLine => ({ file, line: null, unavailable, evidence: [] });
  if (!existsSync(file)) return none(`${file} is not on this machine; evidence records are not shown`);
  let same: boolean;
  try {
    // the file checked out with other line endings since (git's core.autocrlf) holds the same records
    same = await sameUpToLineEndings(file, runHash);
  } catch (e) {
    return none((e as Error).message);
  }
  if (!same) return none(`${file} has changed since the run (sha256 differs); evidence records are not shown`);
  // the id as it appears in the line's JSON; a line is parsed only when it may hold the case
  const needle = JSON.stringify(caseId);
  let line = 0;
  for await (const text of readLines(file)) {
    line++;
    if (!text.includes(needle)) continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue;
    }
    if ((json as { id?: unknown })?.id !== caseId) continue;
    // the records as the run read them: a 64-bit id in their data a string of its digits, not rounded
    const parsed = parseJsonLine(file, line, text, Case);
    if (!parsed || "error" in parsed)
      return none(`${file}:${line}: the case no longer validates; evidence records are not shown`);
    return { file, line, unavailable: null, evidence: parsed.value.evidence };
  }
  // an imported run (`soceval score`) may name a dataset the transcripts only partly cover
  return none(`${file} holds no case ${caseId}`);
}
