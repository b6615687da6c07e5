import type { Command } from "commander";
import { blessBaseline, deleteBaseline } from "../gate/baseline.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { action } from "./exit.js";

export function register(program: Command): void {
  const baseline = program.command("baseline").description("named baselines the CI gate compares against");
  baseline
    .command("bless")
    .description("record a finished run as the accepted state of its agents")
    .requiredOption("--run <id>", "run id or `latest`")
    .requiredOption("--name <name>", "baseline name, e.g. main")
    .option("--agent <name...>", "bless only these agents of the run")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: { run: string; name: string; agent?: string[]; db: string }) => {
        const store = await Store.open(flags.db, { existing: true });
        const rows = await blessBaseline(store, flags.run, flags.name, flags.agent);
        store.close();
        for (const r of rows)
          process.stdout.write(
            `baseline ${r.name}: ${r.agent} (config ${r.agent_hash}) from run ${r.run_id}, dataset ${r.dataset_hash.slice(0, 12)}\n`,
          );
        return 0;
      }),
    );
  baseline
    .command("delete")
    .description("remove a named baseline (its runs stay), e.g. before `runs delete` of the run it names")
    .requiredOption("--name <name>", "baseline name")
    .option("--agent <name...>", "remove only these agents from it")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: { name: string; agent?: string[]; db: string }) => {
        const store = await Store.open(flags.db, { existing: true });
        try {
          for (const r of await deleteBaseline(store, flags.name, flags.agent))
            process.stdout.write(`baseline ${r.name}: ${r.agent} removed (run ${r.run_id} stays)\n`);
        } finally {
          store.close();
        }
        return 0;
      }),
    );
  baseline
    .command("list")
    .description("list baselines")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (flags: { db: string }) => {
        const store = await Store.open(flags.db, { readOnly: true });
        const rows = await store.query<Record<string, unknown>>(
          "SELECT name, agent, run_id, suite, agent_hash, left(dataset_hash, 12) AS dataset, created_at FROM baselines ORDER BY name, agent",
        );
        store.close();
        for (const r of rows)
          process.stdout.write(
            `${r.name}\t${r.agent}\t${r.run_id}\t${r.suite}\tconfig ${r.agent_hash}\tdataset ${r.dataset}\n`,
          );
        if (rows.length === 0) process.stdout.write(`no baselines in ${flags.db}\n`);
        return 0;
      }),
    );
}
