import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";

// argv: suite, db, workers ("default" for the runner's), and "no-store" to leave out DuckDB's appends
const [suiteFile, db, workers, mode] = process.argv.slice(2);
if (mode === "no-store") {
  // Bench only: every stage runs (parse, validate, sandbox, playbook, scoring, encoding rows, handing
  // them to the writer) except the appends of per-case rows, to show what storage costs.
  const append = Store.prototype.appendBatch;
  Store.prototype.appendBatch = async function (batch) {
    if ("runs" in batch || "run_agents" in batch) await append.call(this, batch);
  };
}
const ls = loadSuite(suiteFile!);
const store = await Store.open(db!);
const t0 = performance.now();
const outcome = await runSuite(
  store,
  ls,
  workers === undefined || workers === "default" ? {} : { workers: Number(workers) },
);
store.close(); // the final checkpoint is part of what a user waits for
const wall = (performance.now() - t0) / 1000;
const peak = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `${JSON.stringify({ n: outcome.done, wall_s: +wall.toFixed(3), cases_per_s: Math.round(outcome.done / wall), peak_rss_mb: Math.round(peak) })}\n`,
);
