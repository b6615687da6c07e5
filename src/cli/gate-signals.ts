/**
 * Ctrl-C or SIGTERM while the gate reads its inputs, checks the baseline or judges (everything but
 * the replay, whose own handler stops dispatching): without this the gate ended silently with exit
 * 130 and left an earlier gate's --junit, --summary and --json files in a reused CI workspace as this
 * one's. `quit` writes them as "not judged" and exits; the replay pauses it while its own runs.
 */
export function quitOnSignal(quit: (signal: NodeJS.Signals) => void): { pause: () => void; resume: () => void } {
  const on = () => {
    process.on("SIGINT", quit);
    process.on("SIGTERM", quit);
  };
  const off = () => {
    process.off("SIGINT", quit);
    process.off("SIGTERM", quit);
  };
  on();
  return { pause: off, resume: on };
}
