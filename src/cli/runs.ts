import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Table from "cli-table3";
import type { Command } from "commander";
import { resumeArgs, scoreAgainCommand } from "../analytics/resume-hint.js";
import { loadRunInfo } from "../analytics/run.js";
import { printable } from "../io/printable.js";
import { shellWord } from "../io/shell.js";
import { DEFAULT_DB, Store, storeFlag } from "../store/db.js";
import { deleteRuns } from "../store/delete-runs.js";
import { mergeShards } from "../store/merge-shards.js";
import { madeAt, newestFirstBy } from "../store/run-ref.js";
import { repeatedKeys } from "../store/run-writer.js";
import { action, EXIT } from "./exit.js";
import { openForWriting, removeCreatedNow, removeIfLeftEmpty, removeSpillNow, toBeCreated } from "./fresh-store.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";

type RunRow = {
  run_id: string;
  suite: string;
  kind: string;
  agents: string[];
  status: string;
  started_at: Date;
  finished_at: Date | null;
  shard: string | null;
  /** a merged run's shard runs (`runs merge`), as stored: JSON text */
  merged_from: string | null;
  /** each `soceval rescore` of the run, as stored: JSON text */
  rescores: string | null;
  results: number;
  /** when the run was made: its start, or a merged run's merge (the order of the list) */
  made_at: Date;
};

/**
 * For each replay run a killed process left behind, the command that finishes it: a bare
 * `--resume` is refused when the run was started with --agent, --limit or --epochs.
 */
async function resumeCommands(store: Store, rows: RunRow[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of rows) {
    if (r.status !== "running") continue;
    if (r.kind === "imported") {
      const again = await scoreAgainCommand(store, r.run_id);
      if (again)
        out.push(
          `${again}   (then: soceval runs delete ${r.run_id}${storeFlag(store.path) ? ` ${storeFlag(store.path)}` : ""})`,
        );
      continue;
    }
    if (r.kind !== "replay") continue;
    const run = await loadRunInfo(store, r.run_id);
    if (!run.suite_path) continue;
    out.push(`soceval run ${shellWord(run.suite_path)} ${await resumeArgs(store, r.run_id, run)}`);
  }
  return out;
}

/**
 * For each replay run an error stopped (a full disk, say; marked failed), the command that finishes
 * it once the cause is fixed: what it stored is kept. Not for one that stored a case twice, which
 * finishing would not mend.
 */
async function finishCommands(store: Store, rows: RunRow[], status = "failed"): Promise<string[]> {
  const out: string[] = [];
  for (const r of rows) {
    if (r.status !== status || r.kind !== "replay" || r.merged_from) continue;
    const run = await loadRunInfo(store, r.run_id);
    if (!run.suite_path || (await repeatedKeys(store, r.run_id))) continue;
    out.push(`soceval run ${shellWord(run.suite_path)} ${await resumeArgs(store, r.run_id, run)}`);
  }
  return out;
}

export function register(program: Command): void {
  const runs = program.command("runs").description("stored runs");
  runs
    .command("list")
    .description("list runs, newest first")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .option("--format <f>", "table or json", "table")
    .action(
      action(async (flags: { db: string; format: string }) => {
        const store = await Store.open(flags.db, { readOnly: true });
        // newest first in the order `--run latest` picks
        const made = await madeAt(store, "r");
        const rows = await store.query<RunRow>(
          `SELECT r.run_id, r.suite, r.kind, r.agents, r.status, r.started_at, r.finished_at, r.shard,
                  r.merged_from::VARCHAR AS merged_from, r.rescores::VARCHAR AS rescores, (SELECT count(*) FROM case_results c WHERE c.run_id = r.run_id) AS results,
                  ${made} AS made_at
           FROM runs r ORDER BY ${newestFirstBy(made, "r")}`,
        );
        const resumes = flags.format === "json" ? [] : await resumeCommands(store, rows);
        const finishes = flags.format === "json" ? [] : await finishCommands(store, rows);
        // a Ctrl-C, or a CI job cancelled mid-gate: the run printed its command then, gone with that log
        const interrupted = flags.format === "json" ? [] : await finishCommands(store, rows, "interrupted");
        store.close();
        if (flags.format === "json") {
          // the same truth as the table's "stopped*": nothing is writing a run this command could read
          const out = rows.map((r) => ({
            ...r,
            status: r.status === "running" ? "stopped" : r.status,
            merged_from: r.merged_from ? JSON.parse(r.merged_from) : null,
            rescores: r.rescores ? JSON.parse(r.rescores) : null,
          }));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return 0;
        }
        // this command holds the store's lock, so no process is writing any run now: one still
        // marked running was stopped without finishing (killed, or the machine went down)
        const stopped = rows.filter((r) => r.status === "running");
        const t = new Table({
          head: ["run", "suite", "agents", "status", "results", "started", "shard"],
          style: process.stdout.isTTY ? {} : { head: [], border: [] },
        });
        for (const r of rows)
          t.push([
            r.run_id,
            // the suite's own name (its YAML's, or an imported workflow's): escapes shown, not obeyed
            printable(r.suite),
            r.agents.join(", "),
            // a rescored run's numbers come from later scorers than its replay's: its report says which
            `${r.status === "running" ? "stopped*" : r.status}${r.rescores ? " (rescored)" : ""}`,
            r.results,
            // a merged run is listed by when it was merged, so that is the time it shows
            r.merged_from
              ? `${r.made_at.toISOString().slice(0, 19)} (merged)`
              : r.started_at.toISOString().slice(0, 19),
            r.shard ?? mergedFrom(r.merged_from),
          ]);
        process.stdout.write(rows.length ? `${t.toString()}\n` : `no runs in ${flags.db}\n`);
        // an import has no --resume: pointing its user at `soceval run --resume` sends them nowhere
        const fixes = [
          ...(stopped.some((r) => r.kind !== "imported")
            ? ["continue it with `soceval run <suite> --resume` and the flags that started it"]
            : []),
          ...(stopped.some((r) => r.kind === "imported")
            ? ["an import (`soceval score`) cannot be resumed: score its transcripts again"]
            : []),
        ];
        if (stopped.length > 0)
          process.stdout.write(
            `* stopped without finishing (killed or crashed): ${fixes.join("; ")}, or remove it with \`soceval runs delete <run>\`\n` +
              resumes.map((c) => `  ${c}\n`).join(""),
          );
        if (finishes.length > 0)
          process.stdout.write(
            "failed: stopped by an error (a full disk, say); what it stored is kept. Once the cause is fixed, finish it:\n" +
              finishes.map((c) => `  ${c}\n`).join(""),
          );
        if (interrupted.length > 0)
          process.stdout.write(
            "interrupted: stopped by Ctrl-C or a cancel (SIGTERM); what it stored is kept. Finish it:\n" +
              interrupted.map((c) => `  ${c}\n`).join(""),
          );
        return 0;
      }),
    );

  runs
    .command("delete")
    .description("delete runs and every row they stored (not a run a baseline names)")
    .argument("<runs...>", "run ids, unique prefixes of them, or latest")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (refs: string[], flags: { db: string }) => {
        const store = await Store.open(flags.db, { existing: true });
        try {
          const ids = await deleteRuns(store, refs);
          process.stdout.write(`deleted ${ids.length} run${ids.length === 1 ? "" : "s"}: ${ids.join(", ")}\n`);
        } finally {
          store.close();
        }
        return 0;
      }),
    );

  runs
    .command("merge")
    .description("merge the shards of a run (--shard i/n, one store each) into one run, for report, compare and gate")
    .argument("<stores...>", "every shard's DuckDB store")
    .option("--db <path>", "DuckDB store to write the merged run to", DEFAULT_DB)
    .action(
      action(async (stores: string[], flags: { db: string }) => {
        // a store named twice (a shell glob and a name, say) is read once, and said so
        const firstAt = (f: string) => stores.findIndex((g) => resolve(g) === resolve(f));
        const unique = stores.filter((f, i) => firstAt(f) === i);
        for (const [i, f] of stores.entries())
          if (firstAt(f) !== i) process.stderr.write(`soceval: note: ${f} was named more than once; it is read once\n`);
        // Ctrl-C or a cancelled CI job: the merge is one transaction, so a store it found keeps what it held;
        // one it created (a new --db) held no run yet, and was left as a file that reads "no runs"
        const created = toBeCreated(flags.db);
        const spillFound = existsSync(`${flags.db}.tmp`);
        const onSignal = (signal: NodeJS.Signals) => {
          removeCreatedNow(flags.db, created);
          removeSpillNow(flags.db, spillFound);
          const removed = created.file ? `; the new store ${flags.db} was removed` : "";
          process.stderr.write(`\nsoceval: runs merge interrupted (${signal}); nothing was merged${removed}\n`);
          process.exit(EXIT.runtime);
        };
        onStopSignals(onSignal);
        const { store } = await openForWriting(flags.db);
        let closed = false;
        try {
          const m = await mergeShards(store, unique)
            .catch(async (e: unknown) => {
              // a refused merge leaves no empty store behind for the next command to mistake for one
              closed = await removeIfLeftEmpty(store, created).catch(() => false);
              throw e;
            })
            .finally(() => {
              // committed, or refused and cleaned up: a signal from here on has the default effect
              offStopSignals(onSignal);
            });
          for (const s of m.shards) process.stdout.write(`  shard ${s.shard}: run ${s.run_id} (${s.file})\n`);
          for (const f of m.unused)
            process.stderr.write(`soceval: note: ${f} holds no shard of this run; it was not used\n`);
          if (m.revisions.length > 0)
            process.stderr.write(
              `soceval: note: the shards ran at different git revisions (${m.revisions.join(", ")}); their scores may differ in method\n`,
            );
          process.stdout.write(
            `run ${m.runId}: ${m.shards.length} shards of ${m.suite} merged, ${m.results} results → ${flags.db}\n`,
          );
        } finally {
          if (!closed) store.close();
        }
        return 0;
      }),
    );
}

/** "merged 1/3 2/3 3/3" for a run that `runs merge` made; its shard run ids are in --format json. */
function mergedFrom(json: string | null): string {
  if (!json) return "";
  const shards = JSON.parse(json) as { shard: string }[];
  return `merged ${shards.map((s) => s.shard).join(" ")}`;
}
