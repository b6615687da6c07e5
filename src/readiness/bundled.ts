import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bundledPath } from "../io/bundled-path.js";
import type { Store } from "../store/db.js";
import { loadAnswerFiles } from "./load.js";
import { DEFAULT_MATRIX, loadMatrix } from "./matrix.js";
import type { ReadinessDoc } from "./result.js";
import { scoreAll } from "./score.js";
import { storeReadiness } from "./store.js";

export const BUNDLED_ANSWERS = "readiness/answers";

/**
 * Score the bundled example answers and store them, so a fresh `soceval start` report has its
 * readiness phase measured. Returns null when the checkout has no answers folder.
 */
export async function storeBundledReadiness(
  store: Store,
  dir = bundledPath(BUNDLED_ANSWERS),
): Promise<ReadinessDoc | null> {
  if (!existsSync(dir) || !existsSync(bundledPath(DEFAULT_MATRIX))) return null;
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) return null;
  const matrix = loadMatrix();
  const doc = scoreAll(matrix, await loadAnswerFiles(files, matrix));
  await storeReadiness(store, doc);
  return doc;
}
