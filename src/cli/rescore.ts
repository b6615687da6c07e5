import type { Command } from "commander";
import { type RescoreChanges, rescoreRun } from "../scoring/rescore.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { action, EXIT } from "./exit.js";
import { finishWithoutReader } from "./stdout-reader.js";

export function register(program: Command): void {
  program
    .command("rescore")
    .description("re-score a stored run's transcripts with the current scorers (no model is called)")
    .requiredOption("--run <id>", "run id or `latest`")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: { run: string; db: string }) => {
        finishWithoutReader();
        const store = await Store.open(flags.db, { existing: true });
        try {
          const o = await rescoreRun(store, flags.run);
          process.stdout.write(
            `run ${o.runId}: re-scored ${o.transcripts} transcripts; ${describeChanges(o.changes)}\n`,
          );
          return EXIT.ok;
        } finally {
          store.close();
        }
      }),
    );
}

/** Every change, not a count per kind: a severity that moved changes no count but can change a phase. */
export function describeChanges(c: RescoreChanges): string {
  const lines: string[] = [];
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ");
  if (Object.keys(c.findings_removed).length) lines.push(`  findings no longer raised: ${list(c.findings_removed)}`);
  if (Object.keys(c.findings_added).length) lines.push(`  findings newly raised: ${list(c.findings_added)}`);
  if (Object.keys(c.findings_reworded).length)
    lines.push(`  findings reworded (same case, step and evidence; new text): ${list(c.findings_reworded)}`);
  if (c.results_changed)
    lines.push(
      `  ${c.results_changed} investigation${c.results_changed === 1 ? "" : "s"} scored differently (${list(c.columns_changed)})`,
    );
  return lines.length
    ? `what changed (the run records this rescore; reports say so):\n${lines.join("\n")}`
    : "nothing changed: every finding and result is as it was";
}
