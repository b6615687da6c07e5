import { InputError } from "../io/errors.js";
import type { Entity, EvidenceRecord, Label, Severity, Verdict } from "../schema/index.js";
import { writeCases } from "./case-writer.js";
import { readJsonObjects } from "./json-values.js";
import { artifactKind, entitiesIn, observableEntity } from "./ocsf-entities.js";
import { addEntities, isRecord, str, timeField } from "./values.js";

export type OcsfOptions = { out: string; workflow?: string };
export type OcsfResult = { out: string; cases: number; unlabeled: number };

const DETECTION_FINDING = 2004;

/** OCSF severity_id → ours; 0 (Unknown) and 99 (Other) fall back to the `severity` caption. */
const SEVERITY: Record<number, Severity> = {
  1: "informational",
  2: "low",
  3: "medium",
  4: "high",
  5: "critical",
  6: "critical",
};

/**
 * OCSF verdict_id → the analyst's verdict. 1 False Positive, 2 True Positive, 5 Benign and 6 Test
 * (sanctioned activity) are verdicts; Unknown, Disregard, Suspicious, Insufficient Data, Security
 * Risk, Managed Externally, Duplicate and Other are not, so those findings stay unlabeled.
 */
const VERDICT: Record<number, Verdict> = {
  1: "false_positive",
  2: "true_positive",
  5: "benign_positive",
  6: "benign_positive",
};

type At = { file: string; line: number };

function fail(at: At, field: string, msg: string): never {
  throw new InputError(`${at.file}:${at.line}: ${field}: ${msg}`, at.file, at.line);
}

/** `dataset import ocsf`: OCSF Detection Findings (JSON array, JSON object or JSONL) → cases. */
export async function importOcsf(file: string, opts: OcsfOptions): Promise<OcsfResult> {
  const empty = () =>
    new InputError(`${file}: no findings in the file, nothing to import (${opts.out} not written)`, file);
  const w = await writeCases(opts.out, { inputs: [file], empty }, async (writer) => {
    const seen = new Map<string, number>();
    for await (const { line, value } of readJsonObjects(file)) {
      const at = { file, line };
      const c = findingToCase(value, at, opts);
      const first = seen.get(c.id);
      if (first !== undefined)
        fail(
          at,
          "finding_info.uid",
          `finding ${c.id} is also on line ${first}: an OCSF stream may hold a finding's Create, Update and Close events (activity_id 1, 2, 3); keep each finding's latest`,
        );
      seen.set(c.id, line);
      await writer.write(c, at);
    }
  });
  return { out: opts.out, cases: w.count, unlabeled: w.unlabeled };
}

function findingToCase(f: unknown, at: At, opts: OcsfOptions) {
  if (!isRecord(f)) return fail(at, "(root)", "expected an OCSF finding object");
  if (f.class_uid !== DETECTION_FINDING)
    fail(at, "class_uid", `expected ${DETECTION_FINDING} (Detection Finding), found ${JSON.stringify(f.class_uid)}`);
  const info = isRecord(f.finding_info) ? f.finding_info : fail(at, "finding_info", "required object is missing");
  const meta = isRecord(f.metadata) ? f.metadata : {};
  const product = isRecord(meta.product) ? meta.product : {};
  const analytic = isRecord(info.analytic) ? info.analytic : {};
  const id = str(info.uid) ?? str(meta.uid) ?? fail(at, "finding_info.uid", "the finding has no uid");
  const title = str(info.title) ?? str(f.message) ?? fail(at, "finding_info.title", "the finding has no title");
  const time =
    timeField(f.time, (msg) => fail(at, "time", msg)) ??
    timeField(f.time_dt, (msg) => fail(at, "time_dt", msg)) ??
    timeField(info.created_time, (msg) => fail(at, "finding_info.created_time", msg)) ??
    fail(at, "time", "the finding has no time (time, time_dt or finding_info.created_time)");
  const severity =
    (typeof f.severity_id === "number" ? SEVERITY[f.severity_id] : undefined) ??
    (str(f.severity)?.toLowerCase() as Severity | undefined);
  if (!severity || !Object.values(SEVERITY).includes(severity))
    fail(at, "severity_id", `${JSON.stringify(f.severity_id)} cannot be mapped to a severity (1–6 expected)`);

  const entities: Entity[] = [];
  for (const o of Array.isArray(f.observables) ? f.observables : []) {
    const e = observableEntity(o);
    if (e) addEntities(entities, [e]);
  }
  const evidence: EvidenceRecord[] = [];
  const evidences = Array.isArray(f.evidences) ? f.evidences : [];
  // an evidence's uid becomes the evidence id agents cite: two evidences with one uid would be one citation
  const uids = new Map<string, number>();
  evidences.forEach((ev, i) => {
    if (!isRecord(ev)) fail(at, `evidences[${i}]`, "expected an object");
    const uid = str(ev.uid);
    const first = uid === undefined ? undefined : uids.get(uid);
    if (first !== undefined)
      fail(at, `evidences[${i}].uid`, `"${uid}" is also evidences[${first}].uid; each evidence's uid must be its own`);
    if (uid !== undefined) uids.set(uid, i);
    const found = entitiesIn(ev);
    addEntities(entities, found);
    evidence.push({
      id: str(ev.uid) ?? `evidence-${i + 1}`,
      source: `ocsf.${artifactKind(ev)}`,
      time: timeField(ev.time, (msg) => fail(at, `evidences[${i}].time`, msg)) ?? time,
      entities: found,
      data: ev,
    });
  });
  if (Array.isArray(f.resources) && f.resources.length) {
    const found = entitiesIn({ resources: f.resources });
    addEntities(entities, found);
    evidence.push({
      id: "resources",
      source: "ocsf.resources",
      time,
      entities: found,
      data: { resources: f.resources },
    });
  }

  return {
    id,
    workflow: opts.workflow ?? "unassigned",
    incident_id: str(meta.correlation_uid),
    alert: {
      title,
      rule: str(analytic.name) ?? str(analytic.uid) ?? title,
      source: str(product.name) ?? str(product.vendor_name) ?? "ocsf",
      severity,
      time,
      entities,
      description: str(info.desc) ?? str(f.message) ?? "",
      raw: f,
    },
    evidence,
    unavailable: [],
    label: labelOf(f.verdict_id, f.verdict, at),
    tags: tacticTags(f, info),
  };
}

/** OCSF's verdict ids: 0 Unknown to 10 Duplicate, and 99 Other. */
const VERDICT_IDS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99]);

function labelOf(verdictId: unknown, caption: unknown, at: At): Label | undefined {
  if (verdictId === undefined || verdictId === null) return undefined;
  // an id written as text ("2", by a converter) or one OCSF does not define would otherwise read as
  // no verdict, dropping a labeled finding from every agreement figure without a word
  const id = typeof verdictId === "string" && /^\d+$/.test(verdictId.trim()) ? Number(verdictId) : verdictId;
  if (typeof id !== "number" || !VERDICT_IDS.has(id))
    fail(at, "verdict_id", `${JSON.stringify(verdictId)} is not an OCSF verdict id (0–10 or 99)`);
  const verdict = VERDICT[id];
  if (!verdict) return undefined;
  return {
    verdict,
    escalate: verdict === "true_positive",
    actions: [],
    required_evidence: [],
    notes: `OCSF verdict_id ${id}${str(caption) ? ` (${caption})` : ""}`,
  };
}

function tacticTags(f: Record<string, unknown>, info: Record<string, unknown>): string[] {
  const attacks = [f.attacks, info.attacks].flatMap((a) => (Array.isArray(a) ? a : []));
  const tags = new Set<string>();
  for (const a of attacks) {
    const name = isRecord(a) && isRecord(a.tactic) ? str(a.tactic.name) : undefined;
    if (name) tags.add(`tactic:${name.trim().replace(/\s+/g, "_").toLowerCase()}`);
  }
  return [...tags];
}
