/**
 * The client side of bench/throughput, in its own process so that the runner's work cannot delay
 * the rate-limited server's timers (and the other way round). Prints one JSON line.
 */
import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";
import { peakRssMb } from "./peak-rss.js";

const [suiteFile, db] = process.argv.slice(2);
const ls = loadSuite(suiteFile!);
const store = await Store.open(db!);
const t0 = performance.now();
const outcome = await runSuite(store, ls);
const wall = (performance.now() - t0) / 1000;
const [calls] = await store.query<{ calls: number; attempts: number; failed: number }>(
  "SELECT count(*)::INT calls, coalesce(sum(attempts), 0)::INT attempts, count(error)::INT failed FROM model_calls",
);
const errors = await store.query<{ error: string; n: number }>(
  "SELECT error, count(*)::INT n FROM transcripts WHERE error IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
);
store.close();
process.stdout.write(
  `${JSON.stringify({
    status: outcome.status,
    done: outcome.done,
    failed_cases: outcome.errors,
    wall_s: +wall.toFixed(2),
    model_calls: calls?.calls ?? 0,
    attempts: calls?.attempts ?? 0,
    failed_calls: calls?.failed ?? 0,
    top_errors: errors,
    peak_rss_mb: Math.round(peakRssMb()),
  })}\n`,
);
