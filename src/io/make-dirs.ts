import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(…, { recursive: true })` spins forever where a
 * parent exists but refuses children with ENOENT (`--out /proc/x/report.md`); made level by level,
 * that is an error naming the folder. Returns the first folder it made, as Node's does, or undefined.
 */
export function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      // another process made it between the check and here
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return missing[0];
}
