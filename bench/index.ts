/** `npm run bench [replay|report|throughput] [--n 10000,40000]`: the performance targets, measured. */
import { benchReplay } from "./replay.js";

const which = process.argv[2] ?? "all";
const nArg = process.argv.indexOf("--n");
const sizes = nArg > 0 ? process.argv[nArg + 1]!.split(",").map(Number) : [10000, 40000];

if (which === "all" || which === "replay") {
  console.log("bench/replay (playbook agent, all stages):");
  for (const r of benchReplay(sizes))
    console.log(`  ${r.n} cases: ${r.wall_s} s wall, ${r.cases_per_s} cases/s, peak RSS ${r.peak_rss_mb} MB`);
}
