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
 * readiness phase measured. A workflow the store already has a readiness result for keeps it: the
 * report reads the newest row per workflow, and synthetic examples stored after a SOC's own answers
 * would silently replace them. Returns null when the checkout has no answers folder.
 */
export async function storeBundledReadiness(
  store: Store,
  dir = bundledPath(BUNDLED_ANSWERS),
): Promise<{ doc: ReadinessDoc; kept: string[] } | null> {
  if (!existsSync(dir) || !existsSync(bundledPath(DEFAULT_MATRIX))) return null;
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) return null;
  const matrix = loadMatrix();
  const doc = scoreAll(matrix, await loadAnswerFiles(files, matrix));
  // the answers each workflow's newest row was scored from: the same example (a second start) is
  // already there; other answers are the store's own
  const newest = new Map(
    (
      await store.query<{ workflow: string; hash: string }>(
        "SELECT workflow, arg_max(answers_hash, scored_at) AS hash FROM readiness_results GROUP BY workflow",
      )
    ).map((r) => [r.workflow, r.hash]),
  );
  const kept = doc.candidates.filter((c) => newest.has(c.workflow) && newest.get(c.workflow) !== c.answers_hash);
  await storeReadiness(store, { ...doc, candidates: doc.candidates.filter((c) => !newest.has(c.workflow)) });
  return { doc, kept: kept.map((c) => c.workflow) };
}
