/**
 * The README's recipe for a run in a small container ("Shadow-mode replay", memory paragraph): the
 * replay on the main thread, with no worker isolate beside it. `soceval run` already starts Node
 * with its heap flags (bin/soceval.js) and tells DuckDB's allocator to hand freed memory back at
 * once (bin/run-env.mjs). It costs time, so it is a recipe and not the default; bench/README.md
 * has the measurements.
 */
export const SMALL_MEMORY = { workers: 0 } as const;

/** The recipe as the README prints it. */
export function smallMemoryCommand(suite: string): string {
  return `npx soceval run ${suite} --workers ${SMALL_MEMORY.workers}`;
}
