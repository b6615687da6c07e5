import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * vitest globalSetup: the test run's scratch folder. Tests make their temp files with
 * mkdtemp(os.tmpdir()), and the CLI processes they start inherit TMPDIR, so pointing TMPDIR at one
 * folder per run and removing it at the end leaves nothing behind. Without it each `npm test` left
 * ~300 folders (stores, reports, datasets) in the system's temp folder; a machine that ran the suite
 * a few hundred times had 47 GB of them.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), "soceval-test-run-"));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
