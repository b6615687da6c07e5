/**
 * The README's recipe for a run in a small container ("Shadow-mode replay", memory paragraph):
 * V8 flags that keep the JS heap close to what it holds (only the command line can set them), and
 * the replay on the main thread (no worker isolate). `soceval run` already tells DuckDB's
 * allocator to hand freed memory back at once (bin/run-env.mjs). It costs time, so it is a recipe
 * and not the default; bench/README.md has the measurements.
 */
export const SMALL_MEMORY = {
  nodeFlags: ["--max-semi-space-size=2", "--heap-growing-percent=10"],
  workers: 0,
} as const;

/** The recipe as the README prints it, for `soceval run <suite>` from a clone. */
export function smallMemoryCommand(suite: string): string {
  return [
    "node",
    ...SMALL_MEMORY.nodeFlags,
    "bin/soceval.js run",
    suite,
    "--workers",
    String(SMALL_MEMORY.workers),
  ].join(" ");
}
