import type { Writable } from "node:stream";

/**
 * Write each batch of rows to `out` as JSON lines, one write per batch, and wait for 'drain'
 * whenever `write()` says the stream's buffer is full, so a slow reader (a pager, a pipe to
 * another program) holds back the query instead of letting every row pile up in memory.
 * Resolves "closed" when the reader went away (EPIPE from `| head`, a destroyed stream): that is
 * the reader's choice, not a failure, and the caller stops reading rows.
 */
export async function writeJsonLines(
  out: Writable,
  batches: AsyncIterable<readonly unknown[]>,
): Promise<"done" | "closed"> {
  let gone = false;
  let failed: Error | null = null;
  // any other write error (a full disk behind a redirect) is thrown from the loop, not the listener
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") gone = true;
    else failed = e;
  };
  const check = () => {
    if (failed) throw failed;
    return gone || out.destroyed;
  };
  out.on("error", onError);
  try {
    for await (const rows of batches) {
      if (check()) return "closed";
      if (rows.length === 0) continue;
      let text = "";
      for (const r of rows) text += `${JSON.stringify(r)}\n`;
      if (!out.write(text) && !(await drained(out))) {
        check();
        return "closed";
      }
    }
    return check() ? "closed" : "done";
  } finally {
    out.off("error", onError);
  }
}

/** True once `out` can take more; false if it errored or closed first. */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      out.off("drain", onDrain);
      out.off("error", onFail);
      out.off("close", onFail);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onFail = settle(false);
    out.once("drain", onDrain);
    out.once("error", onFail);
    out.once("close", onFail);
  });
}
