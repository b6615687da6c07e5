/** The investigations in flight of each run's stop signal, each with its own controller. */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * A stop signal for one investigation, aborted with the run's (a Ctrl-C). What the investigation
 * hangs on its signal (an AbortSignal.any per request attempt, which Node 20 keeps for as long as
 * the source signal lives; the waits' listeners) goes with the investigation instead of piling up on
 * the run's signal, and the run's signal gets one listener however many investigations are in
 * flight (past ten, Node would warn of a leak). `done` when the investigation ends.
 */
export function investigationSignal(run: AbortSignal): { signal: AbortSignal; done: () => void } {
  const own = new AbortController();
  if (run.aborted) {
    own.abort(run.reason);
    return { signal: own.signal, done: () => {} };
  }
  let live = inFlight.get(run);
  if (!live) {
    const all = new Set<AbortController>();
    inFlight.set(run, all);
    run.addEventListener("abort", () => {
      for (const c of all) c.abort(run.reason);
      all.clear();
    });
    live = all;
  }
  live.add(own);
  const set = live;
  return { signal: own.signal, done: () => set.delete(own) };
}
