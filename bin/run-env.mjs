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
 * V8's heap flags for the commands that replay a suite: new space kept at 2 MB semi-spaces and the
 * old generation grown 10% at a time keep the JS heaps close to what they hold. At 10,000 bench
 * cases: 285–295 → 242–245 MB for 2.5–2.6 → 2.7 s (bench/README.md, twentieth session). V8 reads
 * them only when the process starts, and `NODE_OPTIONS` refuses the second, so bin/soceval.js
 * starts Node with them from its POSIX sh line; `npm start` names them too. Tests hold all three
 * to these (test/node-flags.test.ts).
 */
export const RUN_NODE_FLAGS = ["--max-semi-space-size=2", "--heap-growing-percent=10"];
export const RUN_FLAG_COMMANDS = ["run", "start"];

/**
 * glibc's malloc arenas for those commands (MALLOC_ARENA_MAX), where glibc's default is eight per
 * core: each thread that allocates (the replay worker, DuckDB's and libuv's threads) otherwise
 * gets an arena of its own, and the frames a worker allocates and the main thread frees leave each
 * one holding pages. Two keep ~10 MB off a 10,000-case run's peak at no measured cost
 * (bench/README.md, twenty-first session). glibc reads it when the process starts, so the script's
 * sh line exports it, and a value the user set wins; other C libraries ignore it.
 */
export const RUN_MALLOC_ARENAS = "2";

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
