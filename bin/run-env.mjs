/**
 * What `soceval run` (and `start`, which runs the bundled suites) sets in its own environment
 * before DuckDB's library loads: DuckDB's allocator (jemalloc) hands the pages a store frees back
 * to the system at once, instead of keeping them for reuse. It reads this only when the library
 * loads, so no store setting can do it. A replay's commits and checkpoints free a lot: kept, it is
 * ~40 MB of a 10,000-case run's peak and more as runs grow, for ~7% more time (bench/README.md,
 * seventeenth session). A value the user set wins.
 */
export const RUN_ALLOCATOR = "dirty_decay_ms:0,muzzy_decay_ms:0";

/**
 * The commands that move a whole run through DuckDB gain as a run does: at 40,000 cases `export`
 * 400 → 250 MB (1.5 → 2.7–4.2 s), `rescore` 445 → 355–370 MB, `runs merge` of four 10,000-case
 * shards 397 → 350 MB (+0.5 s).
 * @param {string[]} argv  @param {Record<string, string | undefined>} env
 */
export function setRunEnv(argv, env) {
  const command = argv[2];
  const bulk =
    ["run", "start", "export", "rescore"].includes(command) || (command === "runs" && argv[3] === "merge");
  if (bulk && env.DUCKDB_JE_MALLOC_CONF === undefined) env.DUCKDB_JE_MALLOC_CONF = RUN_ALLOCATOR;
}
