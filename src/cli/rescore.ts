import type { Command } from "commander";
import { rescoreRun } from "../scoring/rescore.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { action, EXIT } from "./exit.js";

export function register(program: Command): void {
  program
    .command("rescore")
    .description("re-score a stored run's transcripts with the current scorers (no model is called)")
    .requiredOption("--run <id>", "run id or `latest`")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: { run: string; db: string }) => {
        const store = await Store.open(flags.db, { existing: true });
        try {
          const o = await rescoreRun(store, flags.run);
          const kinds = [...new Set([...Object.keys(o.before), ...Object.keys(o.after)])].sort();
          const changes = kinds
            .filter((k) => (o.before[k] ?? 0) !== (o.after[k] ?? 0))
            .map((k) => `  ${k}: ${o.before[k] ?? 0} → ${o.after[k] ?? 0}`);
          process.stdout.write(
            `run ${o.runId}: re-scored ${o.transcripts} transcripts; ${changes.length ? `findings changed:\n${changes.join("\n")}` : "findings unchanged"}\n`,
          );
          return EXIT.ok;
        } finally {
          store.close();
        }
      }),
    );
}
