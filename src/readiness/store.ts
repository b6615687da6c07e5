import type { Row, Store } from "../store/db.js";
import type { ReadinessDoc } from "./result.js";

/** One `readiness_results` row per candidate; the exit-criteria report reads the newest per workflow. */
export function readinessRows(doc: ReadinessDoc): Row[] {
  return doc.candidates.map((c) => ({
    candidate: c.candidate,
    workflow: c.workflow,
    scored_at: doc.scored_at,
    overall: c.overall,
    areas: c.areas.map((a) => ({
      id: a.id,
      name: a.name,
      weight: a.weight,
      score: a.score,
      lost: a.lost.map((l) => ({ question: l.question, points: l.points })),
    })),
    blockers: c.blockers.map((b) => b.gate),
    recommended_phase: c.recommended_phase,
    max_automation: c.max_automation,
    answers_file: c.file,
    answers_hash: c.answers_hash,
    blocker_titles: c.blockers.map((b) => b.blocker),
  }));
}

export async function storeReadiness(store: Store, doc: ReadinessDoc): Promise<number> {
  const rows = readinessRows(doc);
  await store.appendBatch({ readiness_results: rows });
  return rows.length;
}
