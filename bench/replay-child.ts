import { runSuite } from "../src/replay/runner.js";
import { OpenTransaction, Store } from "../src/store/db.js";
import { table } from "../src/store/tables.js";
import { loadSuite } from "../src/workflow/load.js";
import { peakRssMb } from "./peak-rss.js";

// argv: suite, db, workers ("default" for the runner's), and "no-store" to leave out DuckDB's appends
const [suiteFile, db, workers, mode] = process.argv.slice(2);
if (mode === "no-store") {
  // Bench only: every stage runs (parse, validate, sandbox, playbook, scoring, encoding rows, handing
  // them to the writer, its transactions and commits) except the appends of per-case rows, to show
  // what storing them costs. The run's own rows (runs, run_agents) go through appendBatch as usual.
  const append = OpenTransaction.prototype.append;
  const perCase = new Set(["cases", "transcripts", "tool_calls", "model_calls", "findings", "case_results"]);
  OpenTransaction.prototype.append = function (name, row) {
    if (!perCase.has(name)) append.call(this, name, row);
  };
  // a worker's rows arrive framed (store/row-frame.ts): read past each one instead
  OpenTransaction.prototype.appendFrom = (name, r) => {
    for (let c = table(name).columns.length; c > 0; c--) r.skip();
  };
}
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
const ls = loadSuite(suiteFile!);
const store = await Store.open(db!);
// what the process holds before any case (modules, the open store): the floor under the peak
const startRss = rssMb();
const t0 = performance.now();
const outcome = await runSuite(
  store,
  ls,
  workers === undefined || workers === "default" ? {} : { workers: Number(workers) },
);
const endRss = rssMb();
store.close(); // the final checkpoint is part of what a user waits for
const wall = (performance.now() - t0) / 1000;
// what DuckDB held at the end of the run, outside the JS heaps (and outside duckdb_memory()'s count)
const releasedByStore = endRss - rssMb();
const peak = peakRssMb();
// after the clock stops: what the run really stored, so a mode that stores nothing (or a writer
// that silently drops rows) shows in the bench's own output
const check = await Store.open(db!, { readOnly: true });
const [stored] = await check.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM transcripts");
check.close();
process.stdout.write(
  `${JSON.stringify({ n: outcome.done, wall_s: +wall.toFixed(3), cases_per_s: Math.round(outcome.done / wall), peak_rss_mb: Math.round(peak), start_rss_mb: startRss, store_released_mb: releasedByStore, transcripts_stored: stored?.n ?? 0 })}\n`,
);
