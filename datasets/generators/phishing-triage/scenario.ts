import type { Severity, Verdict } from "../../../src/schema/index.js";
import type { Rng } from "../rng.js";
import type { History, RecipientRow } from "./evidence.js";
import type { Auth, Detonation, Mail, Sender } from "./mail.js";
import type { SigninPlan } from "./signins.js";
import type { Person, World } from "./world.js";

/**
 * A scenario is what really happened with one reported message, and how the analyst closed it.
 * `decisive` names the evidence roles (headers, sender, url:0, det:file:0, sgn:replay, …) that
 * decided the case; the assembler turns them into the label's required_evidence ids.
 */
export type Scenario = {
  kind: string;
  reporter: Person;
  mail: Mail;
  history: History;
  verdict: Verdict;
  escalate: boolean;
  actions: string[];
  minutes: [number, number];
  notes: string;
  decisive: string[];
  recipients: { rows: RecipientRow[]; total: number };
  signins: SigninPlan;
  severity: Severity;
  tags: string[];
  unavailable: string[];
  injected_action?: string;
  user_comment?: string;
  headers_secret?: boolean;
  incident_id?: string;
  /** when this reporter reported it; correlated reports of one message differ */
  reported_at?: string;
};

/** What a scenario builder gets: the world, the times, and optionally a reporter chosen for it. */
export type Ctx = {
  rng: Rng;
  world: World;
  sent_at: string;
  reported_at: string;
  reporter?: Person;
};

export function pickReporter(x: Ctx, departments?: string[]): Person {
  if (x.reporter) return x.reporter;
  const pool = departments ? x.world.staff.filter((p) => departments.includes(p.department)) : x.world.staff;
  return x.rng.pick(pool.length ? pool : x.world.staff);
}

export function colleagues(x: Ctx, n: number, exclude: Person): Person[] {
  return x.rng.sample(
    x.world.staff.filter((p) => p.upn !== exclude.upn),
    n,
  );
}

/** Recipient rows: the reporter (who reported it) and some colleagues who got the same message. */
export function recipientsOf(
  x: Ctx,
  reporter: Person,
  others: number,
  opts: { reporterClicked?: boolean; blocked?: boolean; othersClick?: number; folder?: RecipientRow["folder"] } = {},
): { rows: RecipientRow[]; total: number } {
  const { rng } = x;
  const rows: RecipientRow[] = [
    {
      person: reporter,
      folder: opts.folder ?? "Inbox",
      read: true,
      reported: true,
      ...(opts.reporterClicked ? { clicked_at: clickTime(x), click_blocked: opts.blocked ?? false } : {}),
    },
  ];
  for (const p of colleagues(x, Math.min(others, 7), reporter)) {
    const clicks = rng.chance(opts.othersClick ?? 0);
    rows.push({
      person: p,
      folder: opts.folder ?? "Inbox",
      read: rng.chance(0.6),
      reported: rng.chance(0.1),
      ...(clicks ? { clicked_at: clickTime(x), click_blocked: false } : {}),
    });
  }
  return { rows, total: Math.max(rows.length, others + 1) };
}

export function clickTime(x: Ctx): string {
  return x.rng.timeAfter(x.sent_at, 2, 12);
}

export const sha256 = (rng: Rng) => rng.hex(64);

export const AUTH_PASS = (domain: string, policy: Auth["dmarc_policy"] = "none"): Auth => ({
  spf: "pass",
  dkim: "pass",
  dkim_domain: domain,
  dmarc: "pass",
  dmarc_policy: policy,
});

export function externalSender(
  rng: Rng,
  display: string,
  address: string,
  host: string,
  ip = rng.ipv4Public(),
  extra: Partial<Sender> = {},
): Sender {
  const domain = address.slice(address.indexOf("@") + 1);
  return {
    display,
    address,
    mail_from: `bounce-${rng.hex(6)}@${domain}`,
    ip,
    host,
    ...extra,
  };
}

export const CLEAN_PAGE = (finalUrl: string, title: string): Detonation => ({
  verdict: "clean",
  score: 0,
  behaviours: ["Page rendered; no credential form, no download, no script obfuscation"],
  final_url: finalUrl,
  page_title: title,
});

export const CLEAN_PDF = (pages: number): Detonation => ({
  verdict: "clean",
  score: 2,
  behaviours: [`PDF, ${pages} page(s); no JavaScript, no embedded files, no launch actions`],
});

export function severityOf(rng: Rng, bias: "low" | "mid" | "high"): Severity {
  if (bias === "low")
    return rng.weighted([
      ["informational", 2],
      ["low", 6],
      ["medium", 2],
    ] as const);
  if (bias === "mid")
    return rng.weighted([
      ["low", 4],
      ["medium", 5],
      ["high", 1],
    ] as const);
  return rng.weighted([
    ["medium", 5],
    ["high", 4],
    ["critical", 1],
  ] as const);
}

export function monthName(iso: string): string {
  return ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"][
    new Date(iso).getUTCMonth()
  ]!;
}
