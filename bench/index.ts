/**
 * `npm run bench [replay|report|throughput] [--n 10000,40000] [--workflow W] [--workers 0,1,2] [--no-store] [--small-memory] [--rows 1000000] [--cases 360]`:
 * the performance targets of bench/README.md, measured. No name runs all three.
 */
const BENCHES = ["replay", "report", "throughput"] as const;
const args = process.argv.slice(2);
const which = args[0] && !args[0].startsWith("--") ? args[0] : "all";
if (which !== "all" && !(BENCHES as readonly string[]).includes(which)) {
  console.error(`bench: unknown bench "${which}" (one of: ${BENCHES.join(", ")}; none runs all)`);
  process.exit(2);
}
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const wanted = (name: string) => which === "all" || which === name;

// each bench is imported only when run, so one bench's unfinished modules never stop another
if (wanted("replay")) {
  const { benchReplay } = await import("./replay.js");
  const sizes = (flag("--n") ?? "10000,40000").split(",").map(Number);
  const workflow = flag("--workflow") ?? "phishing-triage";
  const workers = flag("--workers")?.split(",").map(Number);
  const noStore = args.includes("--no-store");
  const smallMemory = args.includes("--small-memory");
  console.log(
    `bench/replay (${workflow}, playbook agent, all stages; target 10,000 cases < 3 s, peak RSS < 250 MB, flat):`,
  );
  for (const r of benchReplay(sizes, workflow, workers, noStore, smallMemory))
    console.log(
      `  ${r.n} cases, workers ${r.workers}${r.small_memory ? ", small-memory recipe" : ""}${r.stored ? "" : ", per-case rows NOT stored"}: ${r.wall_s} s wall, ${r.cases_per_s} cases/s, peak RSS ${r.peak_rss_mb} MB (${r.start_rss_mb} MB before the first case; closing the store gave back ${r.store_released_mb} MB), ${r.transcripts_stored} transcripts stored`,
    );
}

if (wanted("report")) {
  const { benchReport } = await import("./report.js");
  const r = await benchReport(Number(flag("--rows") ?? 1_000_000));
  console.log(
    `bench/report (exit-criteria report, JSON + HTML; target < 5 s):\n` +
      `  ${r.rows.toLocaleString("en-US")} case_results rows: build ${r.build_s} s, JSON ${r.json_s} s, ` +
      `HTML ${r.html_s} s, total ${r.total_s} s wall, ${r.cpu_s} s CPU, HTML ${r.html_kb} KB`,
  );
}

if (wanted("throughput")) {
  const { benchThroughput, formatThroughput } = await import("./throughput.js");
  const r = await benchThroughput(Number(flag("--cases") ?? 360), Number(flag("--concurrency") ?? 16));
  console.log(
    `bench/throughput (loopback provider, 300 ms answers, 600 requests/min enforced):\n${formatThroughput(r)}`,
  );
}
