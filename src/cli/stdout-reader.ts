/**
 * What happens when the reader of stdout goes away (`| head`). A command that only prints stops
 * there, quietly, with exit 0: the reader had what it wanted. A command that stores work or judges
 * it (run, start, gate, score, rescore) must not stop half-way or lose its exit code to a closed
 * pipe: it drops what is left to print and finishes.
 */
let finish = false;

/** Called by the commands that must finish whatever happens to their stdout. */
export function finishWithoutReader(): void {
  finish = true;
}

/** main.ts's handler for an EPIPE on stdout. */
export function stdoutReaderGone(): void {
  if (!finish) process.exit(0);
  process.stdout.write = () => true;
}
