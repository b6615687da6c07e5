import { statSync } from "node:fs";
import { InputError } from "./errors.js";

/*
 * Whether a file read from start to end is still the one whose hash was taken first: a dataset
 * appended to or rewritten in place (`jq … > cases.jsonl`) while a run reads it would be stored
 * under a hash that names neither version.
 */

export type FileVersion = { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint };

/** The file's identity, length and modification time; null when it cannot be read (reported elsewhere). */
export function fileVersion(file: string): FileVersion | null {
  try {
    const st = statSync(file, { bigint: true });
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
  } catch {
    return null;
  }
}

/** Bad input naming the file and what changed, when it is no longer `before`; null when it is. */
export function changedSince(file: string, before: FileVersion | null, what: string): InputError | null {
  const now = fileVersion(file);
  if (!before || !now) return null;
  if (now.dev === before.dev && now.ino === before.ino && now.size === before.size && now.mtimeNs === before.mtimeNs)
    return null;
  const how =
    now.size !== before.size
      ? `${before.size} bytes when it was hashed, ${now.size} now`
      : now.ino !== before.ino || now.dev !== before.dev
        ? "replaced by another file"
        : "rewritten";
  return new InputError(
    `${file}: changed while ${what} read it (${how}), so its cases are not those of one version of the file; ` +
      "run again once it is written",
    file,
  );
}
