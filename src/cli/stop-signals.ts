/**
 * Ctrl-C and a CI runner's cancel (SIGTERM): a command that stops cleanly hears both, with one
 * handler, and lets both go when it no longer needs them.
 */
type Handler = (signal: NodeJS.Signals) => void;

export function onStopSignals(handler: Handler): void {
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

export function offStopSignals(handler: Handler): void {
  process.off("SIGINT", handler);
  process.off("SIGTERM", handler);
}
