import type { EvidenceRecord } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import { type Attachment, type Detonation, domainOf, headerBlock, type Link, type Mail, urlHost } from "./mail.js";
import { ORG_DOMAIN, type Person } from "./world.js";

/**
 * Record builders for the eight evidence sources of the phishing workflow. Each record carries the
 * entities (type + value) the alert names, because the tool sandbox filters by them. Ids are a
 * source prefix plus random hex so an agent cannot guess one it was never shown.
 */

export type Sink = { rng: Rng; records: EvidenceRecord[]; roles: Map<string, string> };

const ENGINES = ["Aegis URL", "BlueFalcon", "Corvid Intel", "DeltaScan", "Emberwatch", "Fathom TI", "Graywire"];
const AV = ["Aegis AV", "BlueFalcon EDR", "Corvid Static", "DeltaScan ML", "Emberwatch", "Fathom AV", "Graywire"];

function add(s: Sink, role: string, prefix: string, rec: Omit<EvidenceRecord, "id">): EvidenceRecord {
  const r = { id: `${prefix}-${s.rng.hex(8)}`, ...rec } as EvidenceRecord;
  s.records.push(r);
  s.roles.set(role, r.id);
  return r;
}

export function after(rng: Rng, iso: string, minMin: number, maxMin: number): string {
  return rng.timeAfter(iso, minMin, maxMin);
}

export function headersRecord(s: Sink, m: Mail, to: Person, secret = false): EvidenceRecord {
  const { raw, received } = headerBlock(s.rng, m, to.upn);
  const from = domainOf(m.sender.address);
  return add(s, "headers", "hdr", {
    source: "email.headers",
    time: m.sent_at,
    entities: [
      { type: "message_id", value: m.message_id },
      { type: "email", value: m.sender.address },
      { type: "domain", value: from },
      { type: "ip", value: m.sender.ip },
      { type: "account", value: to.upn },
    ],
    data: {
      message_id: m.message_id,
      direction: m.internal ? "internal" : "inbound",
      subject: m.subject,
      from: `"${m.sender.display}" <${m.sender.address}>`,
      from_display_name: m.sender.display,
      from_address: m.sender.address,
      return_path: m.sender.mail_from,
      reply_to: m.sender.reply_to ?? null,
      reply_to_mismatch: m.sender.reply_to ? domainOf(m.sender.reply_to) !== from : false,
      to: to.upn,
      sending_ip: m.sender.ip,
      spf: m.auth.spf,
      dkim: m.auth.dkim,
      dmarc: m.auth.dmarc,
      arc: m.auth.arc ?? "none",
      received,
      list_unsubscribe: m.list_unsubscribe ?? null,
      urls: m.links.map((l) => l.url),
      attachments: m.attachments.map((a) => ({
        name: a.name,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
      })),
      body_preview: m.body,
      headers_raw: raw,
    },
    ...(secret ? { sensitivity: "secret" as const } : {}),
  });
}

export type History = {
  first_seen_days: number | null;
  messages_90d: number;
  recipients_90d: number;
  org_replies_90d: number;
  domain_age_days: number;
  prior_reports_90d?: number;
};

export function senderHistoryRecord(s: Sink, m: Mail, h: History, at: string): EvidenceRecord {
  const day = (n: number) => new Date(Date.parse(at) - n * 86400000).toISOString().slice(0, 10);
  // counts are of earlier messages, so any count implies the sender was seen before
  const firstSeen = h.first_seen_days ?? (h.messages_90d > 0 ? s.rng.int(1, 20) : null);
  return add(s, "sender", "snd", {
    source: "email.sender_history",
    time: after(s.rng, at, 1, 3),
    entities: [
      { type: "email", value: m.sender.address },
      { type: "domain", value: domainOf(m.sender.address) },
    ],
    data: {
      sender: m.sender.address,
      sender_domain: domainOf(m.sender.address),
      first_seen: firstSeen === null ? null : day(firstSeen),
      messages_90d: h.messages_90d,
      distinct_recipients_90d: h.messages_90d === 0 ? 0 : Math.max(1, h.recipients_90d),
      org_replies_90d: Math.min(h.org_replies_90d, h.messages_90d),
      prior_user_reports_90d: Math.min(h.prior_reports_90d ?? 0, h.messages_90d),
      domain_created: day(h.domain_age_days),
      domain_age_days: h.domain_age_days,
    },
  });
}

function engineResults(rng: Rng, names: string[], positives: number, badLabel: string, cleanLabel: string) {
  const flagged = new Set(rng.sample(names, positives));
  return names.map((engine) => ({ engine, result: flagged.has(engine) ? badLabel : cleanLabel }));
}

export function urlVerdict(positives: number, unseen?: boolean): string {
  if (unseen && positives === 0) return "unknown";
  return positives >= 2 ? "malicious" : positives === 1 ? "suspicious" : "clean";
}

export function urlRepRecord(s: Sink, l: Link, i: number, at: string): EvidenceRecord {
  const host = urlHost(l.url);
  const engines = engineResults(s.rng, ENGINES, l.rep.positives, "phishing", l.rep.unseen ? "unrated" : "clean");
  return add(s, `url:${i}`, "url", {
    source: "intel.url_reputation",
    time: after(s.rng, at, 1, 4),
    entities: [
      { type: "url", value: l.url },
      { type: "domain", value: host },
    ],
    data: {
      url: l.url,
      host,
      verdict: urlVerdict(l.rep.positives, l.rep.unseen),
      positives: l.rep.positives,
      engines_total: ENGINES.length,
      engines,
      host_category: l.rep.category,
      host_age_days: l.rep.host_age_days,
      host_popularity: l.rep.shared_host ? "top 10k" : l.rep.host_age_days > 365 ? "top 1M" : "unranked",
    },
  });
}

export function fileRepRecord(s: Sink, a: Attachment, i: number, at: string): EvidenceRecord {
  const verdict =
    a.rep.positives >= 3
      ? "malicious"
      : a.rep.positives > 0
        ? "suspicious"
        : a.rep.prevalence <= 2
          ? "unknown"
          : "clean";
  return add(s, `file:${i}`, "fil", {
    source: "intel.file_reputation",
    time: after(s.rng, at, 1, 4),
    entities: [{ type: "file_hash", value: a.sha256 }],
    data: {
      sha256: a.sha256,
      file_name: a.name,
      file_type: a.content_type,
      size: a.size,
      verdict,
      positives: a.rep.positives,
      engines_total: AV.length,
      engines: engineResults(s.rng, AV, Math.min(a.rep.positives, AV.length), a.rep.family ?? "malicious", "clean"),
      malware_family: a.rep.family ?? null,
      global_prevalence: a.rep.prevalence,
      first_seen_days_ago: a.rep.first_seen_days,
      signer: a.rep.signer ?? null,
    },
  });
}

export function detonationRecord(
  s: Sink,
  m: Mail,
  d: Detonation,
  artifact: { type: "url" | "file_hash"; value: string; role: string },
  at: string,
): EvidenceRecord {
  return add(s, artifact.role, "det", {
    source: "sandbox.detonation",
    time: after(s.rng, at, 4, 14),
    entities: [
      { type: "message_id", value: m.message_id },
      { type: artifact.type, value: artifact.value },
    ],
    data: {
      analysis_id: `SBX-${s.rng.hex(10).toUpperCase()}`,
      artifact_type: artifact.type === "url" ? "url" : "file",
      target: artifact.value,
      environment: artifact.type === "url" ? "chromium-124 / win10-x64 / egress NL" : "win10-x64 / office-2019",
      verdict: d.verdict,
      score: d.score,
      behaviours: d.behaviours,
      credential_form: d.credential_form ?? false,
      final_url: d.final_url ?? null,
      page_title: d.page_title ?? null,
      network: d.network ?? [],
      dropped_files: d.dropped ?? [],
      mitre_techniques: d.mitre ?? [],
    },
  });
}

export type RecipientRow = {
  person: Person;
  folder: "Inbox" | "Junk Email" | "Deleted Items";
  read: boolean;
  clicked_at?: string;
  click_blocked?: boolean;
  reported: boolean;
};

export function recipientRecords(s: Sink, m: Mail, rows: RecipientRow[], total: number, at: string): void {
  for (const r of rows) {
    add(s, `rcp:${r.person.upn}`, "rcp", {
      source: "email.recipients",
      time: after(s.rng, at, 1, 5),
      entities: [
        { type: "message_id", value: m.message_id },
        { type: "account", value: r.person.upn },
      ],
      data: {
        message_id: m.message_id,
        recipient: r.person.upn,
        delivery_action: "Delivered",
        folder: r.folder,
        read: r.read || r.clicked_at !== undefined,
        clicked: r.clicked_at !== undefined,
        clicked_url: r.clicked_at ? (m.links[0]?.url ?? null) : null,
        click_time: r.clicked_at ?? null,
        click_action: r.clicked_at ? (r.click_blocked ? "blocked" : "allowed") : null,
        reported: r.reported,
        message_recipients_total: total,
      },
    });
  }
}

export function directoryRecord(s: Sink, p: Person, at: string, alternateEmail?: string): EvidenceRecord {
  return add(s, "directory", "dir", {
    source: "identity.directory",
    time: after(s.rng, at, 0, 2),
    entities: [{ type: "account", value: p.upn }],
    data: {
      upn: p.upn,
      display_name: p.name,
      title: p.title,
      department: p.department,
      manager: p.manager,
      office: p.office,
      country: p.country,
      vip: p.vip,
      privileged: p.privileged_roles.length > 0,
      privileged_roles: p.privileged_roles,
      legal_hold: p.legal_hold,
      account_enabled: true,
      created: p.created,
      mfa_methods: ["authenticator_number_match", ...(p.vip ? ["fido2"] : [])],
      registered_devices: [p.device.id],
      alternate_email: alternateEmail ?? null,
    },
  });
}

export function isInternal(address: string): boolean {
  return domainOf(address) === ORG_DOMAIN;
}
