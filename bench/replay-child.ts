import { runSuite } from "../src/replay/runner.js";
import { Store } from "../src/store/db.js";
import { loadSuite } from "../src/workflow/load.js";

const [suiteFile, db, workers] = process.argv.slice(2);
const ls = loadSuite(suiteFile!);
const store = await Store.open(db!);
const t0 = performance.now();
const outcome = await runSuite(store, ls, workers === undefined ? {} : { workers: Number(workers) });
store.close(); // the final checkpoint is part of what a user waits for
const wall = (performance.now() - t0) / 1000;
const peak = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `${JSON.stringify({ n: outcome.done, wall_s: +wall.toFixed(3), cases_per_s: Math.round(outcome.done / wall), peak_rss_mb: Math.round(peak) })}\n`,
);
