import type { Rng } from "../rng.js";
import { MBX_HOST, MX_HOST } from "./world.js";

/**
 * One reported e-mail as the scenarios describe it, and the header block the mail gateway would
 * have stored for it. Scenarios decide the facts (who really sent it, how it authenticated, what its
 * links and attachments do); the evidence builders turn the facts into records.
 */

export type Auth = {
  spf: "pass" | "fail" | "softfail" | "none" | "neutral";
  dkim: "pass" | "fail" | "none";
  dkim_domain?: string;
  dmarc: "pass" | "fail" | "none";
  dmarc_policy?: "reject" | "quarantine" | "none";
  arc?: "pass" | "fail" | "none";
  arc_sealer?: string;
};

export type Sender = {
  display: string;
  address: string;
  mail_from: string;
  reply_to?: string;
  ip: string;
  host: string;
  helo?: string;
};

export type UrlRep = {
  positives: number;
  category: string;
  host_age_days: number;
  /** shared infrastructure (link trackers, CDNs, file hosts): hits there say little about this message */
  shared_host?: boolean;
  unseen?: boolean;
};

export type FileRep = {
  positives: number;
  prevalence: number;
  first_seen_days: number;
  signer?: string;
  family?: string;
};

export type Detonation = {
  verdict: "malicious" | "suspicious" | "clean" | "not_detonated";
  score: number;
  behaviours: string[];
  credential_form?: boolean;
  final_url?: string;
  page_title?: string;
  network?: { host: string; ip: string; port: number }[];
  dropped?: { name: string; sha256: string }[];
  mitre?: string[];
};

export type Link = { url: string; rep: UrlRep; det: Detonation | null };
export type Attachment = {
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  rep: FileRep;
  det: Detonation | null;
};

export type Mail = {
  subject: string;
  body: string;
  sender: Sender;
  auth: Auth;
  links: Link[];
  attachments: Attachment[];
  message_id: string;
  sent_at: string;
  internal?: boolean;
  list_unsubscribe?: string;
  sim_campaign?: string;
  extra_headers?: [string, string][];
};

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function rfc2822(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(
    d.getUTCHours(),
  )}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

export function messageId(rng: Rng, host: string): string {
  return `<${rng.hex(8).toUpperCase()}.${rng.hex(12)}@${host}>`;
}

export function authResultsLine(m: Mail): string {
  const a = m.auth;
  const from = domainOf(m.sender.address);
  const mf = domainOf(m.sender.mail_from);
  const parts = [
    `spf=${a.spf} (${a.spf === "pass" ? "domain of" : "domain of"} ${m.sender.mail_from} ${
      a.spf === "pass" ? "designates" : "does not designate"
    } ${m.sender.ip} as permitted sender) smtp.mailfrom=${mf}`,
    a.dkim === "none"
      ? "dkim=none (message not signed)"
      : `dkim=${a.dkim} header.d=${a.dkim_domain ?? from} header.s=s1`,
    `dmarc=${a.dmarc}${a.dmarc_policy ? ` (p=${a.dmarc_policy.toUpperCase()} dis=NONE)` : ""} header.from=${from}`,
  ];
  if (a.arc) parts.push(`arc=${a.arc}${a.arc_sealer ? ` (i=1 ${a.arc_sealer})` : ""}`);
  return `${MX_HOST};\n\t${parts.join(";\n\t")}`;
}

/** The Received chain, newest hop first, as it appears in the message. */
export function receivedChain(rng: Rng, m: Mail, to: string): string[] {
  const at = rfc2822(m.sent_at);
  const id = rng.hex(10).toUpperCase();
  if (m.internal)
    return [
      `from ${MBX_HOST} (10.20.8.31) by ${MBX_HOST.replace("eu03", "eu01")} (10.20.8.17) with Microsoft SMTP Server id 15.2.1544.4; ${at}`,
    ];
  const helo = m.sender.helo ?? m.sender.host;
  return [
    `from ${MX_HOST} (10.20.4.12) by ${MBX_HOST} (10.20.8.31) with ESMTPS id ${rng.hex(8)}; ${at}`,
    `from ${helo} (${m.sender.host} [${m.sender.ip}]) by ${MX_HOST} (Postfix) with ESMTPS id ${id} for <${to}>; ${at}`,
  ];
}

/** The raw header block an analyst would open first. */
export function headerBlock(rng: Rng, m: Mail, to: string): { raw: string; received: string[] } {
  const received = receivedChain(rng, m, to);
  const lines: string[] = received.map((r) => `Received: ${r}`);
  lines.push(`Authentication-Results: ${authResultsLine(m)}`);
  if (m.auth.arc && m.auth.arc !== "none" && m.auth.arc_sealer)
    lines.push(`ARC-Authentication-Results: i=1; ${m.auth.arc_sealer}; dkim=pass; spf=pass`);
  lines.push(`Return-Path: <${m.sender.mail_from}>`);
  lines.push(`From: "${m.sender.display}" <${m.sender.address}>`);
  if (m.sender.reply_to) lines.push(`Reply-To: <${m.sender.reply_to}>`);
  lines.push(`To: <${to}>`, `Subject: ${m.subject}`, `Date: ${rfc2822(m.sent_at)}`, `Message-ID: ${m.message_id}`);
  lines.push("MIME-Version: 1.0");
  lines.push(
    m.attachments.length
      ? `Content-Type: multipart/mixed; boundary="----=_Part_${rng.int(100000, 999999)}"`
      : 'Content-Type: multipart/alternative; boundary="b1"',
  );
  if (m.list_unsubscribe) lines.push(`List-Unsubscribe: <${m.list_unsubscribe}>`);
  if (m.sim_campaign) lines.push(`X-Sim-Campaign-Id: ${m.sim_campaign}`);
  for (const [k, v] of m.extra_headers ?? []) lines.push(`${k}: ${v}`);
  return { raw: lines.join("\n"), received };
}

export function urlHost(url: string): string {
  return url
    .replace(/^[a-z]+:\/\//, "")
    .split(/[/?#]/)[0]!
    .toLowerCase();
}
