import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { InputError } from "../../src/io/errors.js";
import { loadWorkflow } from "../../src/workflow/load.js";

const MINI = readFileSync("test/fixtures/mini/workflow.yaml", "utf8");
const dir = mkdtempSync(join(tmpdir(), "soceval-mini-workflow-"));
let n = 0;

/** The mini fixture's workflow with these edits, written to a file of its own so an error can name its line. */
export function editedMini(...edits: [from: string, to: string][]): string {
  let text = MINI;
  for (const [from, to] of edits) {
    expect(text, `the fixture still has ${JSON.stringify(from)}`).toContain(from);
    text = text.replace(from, to);
  }
  const file = join(dir, `w${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Why the workflow at `file` is refused, after the file name (":19: tools[1].name: …"); fails if it loads. */
export function refusal(file: string): string {
  try {
    loadWorkflow(file);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message.slice(file.length);
  }
  throw new Error(`${file} loaded`);
}
