import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { InputError } from "./errors.js";

/** sha256 of a file, streamed: identifies a dataset version across runs and baselines. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  try {
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  return h.digest("hex");
}
