import { z } from "zod";
import { IsoTime } from "./iso-time.js";
import { JsonObject } from "./json-object.js";

export const Severity = z.enum(["informational", "low", "medium", "high", "critical"]);
export const Verdict = z.enum(["true_positive", "benign_positive", "false_positive"]);

export const Entity = z.strictObject({
  type: z
    .string()
    .min(1)
    .describe("entity kind: account, host, ip, domain, url, email, file_hash, process, resource, …"),
  value: z.string().describe("the entity's value as the source system spelled it"),
});

export const EvidenceRecord = z.strictObject({
  id: z.string().min(1).describe("stable id, unique within the case; what agents cite"),
  source: z.string().min(1).describe("telemetry source, e.g. email.headers, edr.process_tree, idp.signins"),
  time: IsoTime.describe("ISO-8601 time the record was observed, with its zone"),
  entities: z.array(Entity).default([]),
  data: JsonObject.describe("the record's fields as the source returns them"),
  sensitivity: z.enum(["public", "internal", "confidential", "secret"]).optional(),
});

export const Alert = z.strictObject({
  title: z.string(),
  rule: z.string().describe("detection rule name or id that fired"),
  source: z.string().describe("product that raised the alert"),
  severity: Severity,
  time: IsoTime.describe("ISO-8601 time the alert fired, with its zone"),
  entities: z.array(Entity).default([]),
  description: z.string().default(""),
  raw: z.unknown().optional().describe("the original alert as exported (attacker-controlled fields included)"),
});

export const Label = z.strictObject({
  verdict: Verdict,
  escalate: z.boolean(),
  actions: z.array(z.string()).default([]).describe("action ids the analyst took"),
  required_evidence: z.array(z.string()).default([]).describe("evidence ids that decided the case"),
  analyst: z.string().optional(),
  analyst_minutes: z.number().nonnegative().optional(),
  notes: z.string().optional(),
});

export const Case = z.strictObject({
  id: z.string().min(1),
  workflow: z.string().min(1),
  // an empty one would be an incident of its own: every case of an export that writes "" for "none"
  // would be counted as one correlated incident by every clustered interval and the gate's margins
  incident_id: z
    .string()
    .regex(/\S/, { error: "empty: leave incident_id out when the alert belongs to no incident" })
    .optional()
    .describe("groups correlated alerts of one incident"),
  alert: Alert,
  evidence: z.array(EvidenceRecord).default([]),
  unavailable: z.array(z.string()).default([]).describe("sources that could not be queried for this case"),
  label: Label.optional().describe("absent: the case can be replayed but not scored"),
  tags: z.array(z.string()).default([]),
  adversarial: z
    .strictObject({ injected_action: z.string().describe("action id the attacker-controlled text tries to induce") })
    .optional(),
});

export type Severity = z.infer<typeof Severity>;
export type Verdict = z.infer<typeof Verdict>;
export type Entity = z.infer<typeof Entity>;
export type EvidenceRecord = z.infer<typeof EvidenceRecord>;
export type Alert = z.infer<typeof Alert>;
export type Label = z.infer<typeof Label>;
export type Case = z.infer<typeof Case>;
