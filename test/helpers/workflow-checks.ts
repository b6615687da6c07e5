import { readFileSync } from "node:fs";
import type { WorkflowDataCheck } from "../../src/datasets/workflow-data.js";
import { Case } from "../../src/schema/index.js";

/** The mini fixture's cases, parsed as the checks receive them. */
export const MINI_CASES: Case[] = readFileSync("test/fixtures/mini/cases.jsonl", "utf8")
  .trim()
  .split("\n")
  .map((l) => Case.parse(JSON.parse(l)));

/** What a dataset-against-workflow check warns of once it has seen `cases`, the dataset named "cases.jsonl". */
export function warningsAfter(check: WorkflowDataCheck, file: string, cases: Case[], whole = true): string[] {
  for (const c of cases) check.add(c);
  return check.warnings(file, "cases.jsonl", whole);
}
