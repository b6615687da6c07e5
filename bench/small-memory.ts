/**
 * The README's recipe for a run in a small container ("Shadow-mode replay", memory paragraph):
 * V8 flags that keep the JS heap close to what it holds (only the command line can set them),
 * DuckDB's allocator told to hand freed memory back at once (read when its library loads, so
 * only from the environment), and the replay on the main thread (no worker isolate). It costs
 * time, so it is a recipe and not the default; bench/README.md has the measurements.
 */
export const SMALL_MEMORY = {
  nodeFlags: ["--max-semi-space-size=2", "--heap-growing-percent=10"],
  env: { DUCKDB_JE_MALLOC_CONF: "dirty_decay_ms:0,muzzy_decay_ms:0" },
  workers: 0,
} as const;

/** The recipe as the README prints it, for `soceval run <suite>` from a clone. */
export function smallMemoryCommand(suite: string): string {
  const env = Object.entries(SMALL_MEMORY.env).map(([k, v]) => `${k}=${v}`);
  return [
    ...env,
    "node",
    ...SMALL_MEMORY.nodeFlags,
    "bin/soceval.js run",
    suite,
    "--workers",
    String(SMALL_MEMORY.workers),
  ].join(" ");
}
