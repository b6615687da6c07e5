import type { Case, Entity } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import {
  detonationRecord,
  directoryRecord,
  fileRepRecord,
  headersRecord,
  recipientRecords,
  type Sink,
  senderHistoryRecord,
  urlRepRecord,
} from "./evidence.js";
import { domainOf, rfc2822 } from "./mail.js";
import type { Scenario } from "./scenario.js";
import { signinRecords } from "./signins.js";

/**
 * Turns a scenario into a Case: the alert the report button raised, the evidence snapshot every
 * tool answers from (minus unavailable sources), and the analyst's label with the ids of the
 * records that decided it.
 */

const ANALYSTS = ["soc-t1-03", "soc-t1-05", "soc-t1-08", "soc-t1-11", "soc-t2-02", "soc-t2-04"];

export function assemble(rng: Rng, s: Scenario, reportedAt: string): Omit<Case, "id"> {
  const m = s.mail;
  const sink: Sink = { rng, records: [], roles: new Map() };
  headersRecord(sink, m, s.reporter, s.headers_secret);
  senderHistoryRecord(sink, m, s.history, reportedAt);
  for (const [i, l] of m.links.entries()) urlRepRecord(sink, l, i, reportedAt);
  for (const [i, a] of m.attachments.entries()) fileRepRecord(sink, a, i, reportedAt);
  for (const [i, l] of m.links.entries())
    if (l.det) detonationRecord(sink, m, l.det, { type: "url", value: l.url, role: `det:url:${i}` }, reportedAt);
  for (const [i, a] of m.attachments.entries())
    if (a.det)
      detonationRecord(sink, m, a.det, { type: "file_hash", value: a.sha256, role: `det:file:${i}` }, reportedAt);
  recipientRecords(sink, m, s.recipients.rows, s.recipients.total, reportedAt);
  signinRecords(sink, s.reporter, m.sent_at, s.signins);
  directoryRecord(sink, s.reporter, reportedAt);

  // each source answers in time order, as the real systems do
  const order = [...new Set(sink.records.map((r) => r.source))];
  const evidence = sink.records
    .filter((r) => !s.unavailable.includes(r.source))
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) => order.indexOf(a.r.source) - order.indexOf(b.r.source) || a.r.time.localeCompare(b.r.time) || a.i - b.i,
    )
    .map(({ r }) => r);
  const kept = new Set(evidence.map((r) => r.id));
  const required = [
    ...new Set(s.decisive.map((role) => sink.roles.get(role)).filter((id): id is string => !!id && kept.has(id))),
  ];

  const entities: Entity[] = [
    { type: "message_id", value: m.message_id },
    { type: "account", value: s.reporter.upn },
    { type: "email", value: m.sender.address },
    { type: "domain", value: domainOf(m.sender.address) },
    { type: "ip", value: m.sender.ip },
    ...m.links.map((l) => ({ type: "url", value: l.url })),
    ...m.attachments.map((a) => ({ type: "file_hash", value: a.sha256 })),
  ];
  const from = `"${m.sender.display}" <${m.sender.address}>`;
  const title = `User-reported phishing: ${m.subject}`;
  const escalated = s.escalate;
  return {
    workflow: "phishing-triage",
    ...(s.incident_id ? { incident_id: s.incident_id } : {}),
    alert: {
      title: title.length > 160 ? `${title.slice(0, 157)}...` : title,
      rule: "MAIL-UR-001 user-reported phishing",
      source: "Kestrel Mail Gateway (Report Message)",
      severity: s.severity,
      time: reportedAt,
      entities,
      description: `${s.reporter.name} <${s.reporter.upn}> reported a message from ${from} received ${rfc2822(
        m.sent_at,
      )} with subject "${m.subject}" as phishing.`,
      raw: {
        report_id: `RPT-${rng.hex(10).toUpperCase()}`,
        report_channel: "Report Message add-in",
        reported_by: s.reporter.upn,
        reported_at: reportedAt,
        user_comment: s.user_comment ?? null,
        message: {
          message_id: m.message_id,
          subject: m.subject,
          from,
          to: s.reporter.upn,
          received_at: m.sent_at,
          body_preview: m.body,
          urls: m.links.map((l) => l.url),
          attachments: m.attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
        },
      },
    },
    evidence,
    unavailable: s.unavailable,
    label: {
      verdict: s.verdict,
      escalate: escalated,
      actions: s.actions,
      required_evidence: required,
      analyst: escalated ? rng.pick(ANALYSTS.slice(4)) : rng.pick(ANALYSTS.slice(0, 4)),
      analyst_minutes: rng.int(s.minutes[0], s.minutes[1]),
      notes: s.notes,
    },
    tags: [...new Set([`scenario:${s.kind}`, ...s.tags])],
    ...(s.injected_action ? { adversarial: { injected_action: s.injected_action } } : {}),
  };
}
