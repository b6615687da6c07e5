import { offStopSignals, onStopSignals } from "./stop-signals.js";

/**
 * Ctrl-C or SIGTERM while the gate reads its inputs, checks the baseline or judges (everything but
 * the replay, whose own handler stops dispatching): without this the gate ended silently with exit
 * 130 and left an earlier gate's --junit, --summary and --json files in a reused CI workspace as this
 * one's. `quit` writes them as "not judged" and exits; the replay pauses it while its own runs.
 */
export function quitOnSignal(quit: (signal: NodeJS.Signals) => void): { pause: () => void; resume: () => void } {
  onStopSignals(quit);
  return { pause: () => offStopSignals(quit), resume: () => onStopSignals(quit) };
}
