import type { Link, Mail } from "./mail.js";
import { messageId } from "./mail.js";
import {
  AUTH_PASS,
  CLEAN_PAGE,
  CLEAN_PDF,
  type Ctx,
  externalSender,
  monthName,
  pickReporter,
  recipientsOf,
  type Scenario,
  severityOf,
  sha256,
} from "./scenario.js";
import { MBX_HOST, ORG_DOMAIN } from "./world.js";

/**
 * Legitimate mail users report anyway: newsletters, internal notices and vendor invoices — each
 * with a variant whose reputation hit or authentication failure makes it look worse than it is.
 */

const base = () => ({ tags: [] as string[], unavailable: [] as string[], signins: {} });

/** Shared link-tracking host of an e-mail service provider: many tenants, so some get it flagged. */
export const ESP_TRACKER = "t.sendwave-esp.example";

export function marketing(x: Ctx, tiFp = false): Scenario {
  const { rng } = x;
  const nl = rng.pick(x.world.newsletters);
  const reporter = pickReporter(x);
  const slug = rng.pick([
    "cold-chain-capacity",
    "port-congestion-q2",
    "ev-trucks-tco",
    "customs-rules-2025",
    "rate-outlook",
  ]);
  const url = tiFp ? `https://${ESP_TRACKER}/c/${rng.hex(24)}` : `https://click.${nl.domain}/ls/${rng.hex(20)}`;
  const link: Link = {
    url,
    rep: tiFp
      ? {
          positives: rng.int(2, 3),
          category: "email marketing / link tracking",
          host_age_days: rng.int(2800, 4200),
          shared_host: true,
        }
      : { positives: 0, category: "news / media", host_age_days: nl.since_days + rng.int(100, 900) },
    det: {
      ...CLEAN_PAGE(`https://www.${nl.domain}/articles/${slug}`, `${nl.name} – ${slug.replaceAll("-", " ")}`),
      behaviours: [
        tiFp
          ? `Redirect via ${ESP_TRACKER} (email service provider click tracker) to ${nl.domain}`
          : "Single redirect to publisher site",
        "Article page; no forms, no downloads",
      ],
      score: rng.int(0, 8),
    },
  };
  const subject = rng.pick([
    `${nl.name}: 5 trends reshaping ${rng.pick(["cold-chain", "last-mile", "intermodal"])} logistics`,
    `This week in ${nl.name}: port congestion, fuel surcharges and more`,
    `${nl.name} webinar: ${rng.pick(["customs digitalisation", "fleet electrification", "warehouse robotics"])} – register now`,
  ]);
  const mail: Mail = {
    subject,
    body: `View in browser | ${subject}. Read more: ${url} — You receive this because you subscribed at ${nl.domain}. Unsubscribe.`,
    sender: externalSender(rng, nl.name, `newsletter@${nl.domain}`, nl.mta, nl.ip, {
      mail_from: `bounce-${rng.hex(8)}@${nl.mta}`,
      ...(rng.chance(0.4) ? { reply_to: `editor@${nl.domain}` } : {}),
    }),
    auth: AUTH_PASS(nl.domain, rng.pick(["none", "quarantine"] as const)),
    links: [link],
    attachments: [],
    message_id: messageId(rng, nl.mta),
    sent_at: x.sent_at,
    list_unsubscribe: `https://${nl.domain}/unsubscribe/${rng.hex(16)}`,
  };
  return {
    ...base(),
    kind: tiFp ? "benign.newsletter_ti_hit" : "benign.newsletter",
    reporter,
    mail,
    history: {
      first_seen_days: nl.since_days,
      messages_90d: rng.int(8, 26),
      recipients_90d: rng.int(3, 40),
      org_replies_90d: 0,
      domain_age_days: nl.since_days + rng.int(300, 3000),
      prior_reports_90d: rng.int(0, 3),
    },
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: tiFp ? [8, 18] : [3, 8],
    notes: tiFp
      ? `Two engines flag ${ESP_TRACKER}, the provider's shared click tracker; detonation lands on the publisher, sender known for years.`
      : "Subscribed industry newsletter; DKIM/DMARC aligned, sender known, links land on the publisher.",
    decisive: tiFp ? ["url:0", "det:url:0", "sender"] : ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(2, 30)),
    severity: tiFp ? "medium" : severityOf(rng, "low"),
  };
}

const NOTICES = [
  [
    "it-servicedesk",
    "Kestrel IT Service Desk",
    "Action required: complete your annual security awareness training",
    "learn",
    "/course/sec-aware-2025",
  ],
  [
    "it-servicedesk",
    "Kestrel IT Service Desk",
    "Your mailbox is 92% full – archive old items",
    "selfservice",
    "/mailbox/archive",
  ],
  ["people-team", "Kestrel People Team", "Reminder: submit your timesheet for this week", "hr", "/timesheets"],
  ["payroll", "Kestrel Payroll", "Your payslip is available", "hr", "/payslips"],
  ["it-change", "IT Change Management", "Planned maintenance: VPN gateway, Saturday 02:00–04:00 UTC", "", ""],
  ["facilities", "Facilities Rotterdam", "Fire alarm test on Thursday 10:00", "", ""],
] as const;

export function internalNotice(x: Ctx): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x);
  const [box, display, subject, sub, path] = rng.pick(NOTICES);
  const links: Link[] = sub
    ? [
        {
          url: `https://${sub}.${ORG_DOMAIN}${path}?src=mail`,
          rep: { positives: 0, category: "unrated", host_age_days: 3000, unseen: true },
          det: {
            verdict: "not_detonated",
            score: 0,
            behaviours: [
              `Host ${sub}.${ORG_DOMAIN} resolves only on the internal network; not reachable from sandbox egress`,
            ],
          },
        },
      ]
    : [];
  const mail: Mail = {
    subject:
      subject === "Your payslip is available" ? `Your payslip for ${monthName(x.sent_at)} is available` : subject,
    body: `${subject}. ${links[0] ? `Open: ${links[0].url}` : "No action needed."} — ${display}, Kestrel Logistics`,
    sender: {
      display,
      address: `${box}@${ORG_DOMAIN}`,
      mail_from: `${box}@${ORG_DOMAIN}`,
      ip: rng.ipv4Internal(),
      host: MBX_HOST,
    },
    auth: { spf: "pass", dkim: "pass", dkim_domain: ORG_DOMAIN, dmarc: "pass", dmarc_policy: "reject" },
    links,
    attachments: [],
    message_id: messageId(rng, MBX_HOST),
    sent_at: x.sent_at,
    internal: true,
  };
  return {
    ...base(),
    kind: "benign.internal_notice",
    reporter,
    mail,
    history: {
      first_seen_days: rng.int(1200, 2600),
      messages_90d: rng.int(60, 900),
      recipients_90d: rng.int(200, 610),
      org_replies_90d: rng.int(5, 80),
      domain_age_days: 6200,
      prior_reports_90d: rng.int(0, 6),
    },
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: [2, 6],
    notes: "Internal notice from a known company mailbox; sent from the internal mail servers, DKIM aligned.",
    decisive: ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(200, 600)),
    severity: severityOf(rng, "low"),
  };
}

export function vendorInvoice(x: Ctx, variant: "plain" | "billing_platform" | "ti_fileshare" = "plain"): Scenario {
  const { rng } = x;
  const v = rng.pick(x.world.vendors.filter((w) => ["supplies", "customs", "insurance", "payroll"].includes(w.kind)));
  const reporter = pickReporter(x, ["Accounts Payable", "Finance", "Procurement"]);
  const n = rng.int(10000, 99999);
  const pdf = {
    name: `INV-${n}.pdf`,
    content_type: "application/pdf",
    size: rng.int(38000, 260000),
    sha256: sha256(rng),
    rep: { positives: 0, prevalence: 1, first_seen_days: 0 },
    det: CLEAN_PDF(rng.int(1, 4)),
  };
  const links: Link[] =
    variant === "ti_fileshare"
      ? [
          {
            url: `https://www.driftbox-files.example/s/${rng.hex(14)}/INV-${n}.pdf`,
            rep: { positives: 2, category: "file sharing", host_age_days: 5100, shared_host: true },
            det: { ...CLEAN_PDF(2), final_url: `https://www.driftbox-files.example/s/${rng.hex(14)}` },
          },
        ]
      : [];
  const platform = "billflow-platform.example";
  const viaPlatform = variant === "billing_platform";
  const mail: Mail = {
    subject: rng.pick([
      `Invoice INV-${n} from ${v.name}`,
      `${v.name}: statement of account`,
      `Invoice ${n} – due in 30 days`,
    ]),
    body: `Dear customer, please find attached invoice INV-${n}. ${
      links[0] ? `You can also download it here: ${links[0].url}. ` : ""
    }Payment terms 30 days. Kind regards, ${v.name} Accounts Receivable`,
    sender: viaPlatform
      ? externalSender(
          rng,
          `${v.name} Accounts Receivable`,
          `invoices@${v.domain}`,
          `out-3.${platform}`,
          rng.ipv4Public(),
          {
            mail_from: `bounce-${rng.hex(6)}@${platform}`,
            reply_to: `ar-${v.domain.split(".")[0]}@${platform}`,
          },
        )
      : externalSender(rng, `${v.name} Accounts Receivable`, `invoices@${v.domain}`, v.mta, v.ip),
    auth: viaPlatform
      ? { spf: "pass", dkim: "pass", dkim_domain: platform, dmarc: "fail", dmarc_policy: "none" }
      : AUTH_PASS(v.domain, "quarantine"),
    links,
    attachments: [pdf],
    message_id: messageId(rng, viaPlatform ? `out-3.${platform}` : v.mta),
    sent_at: x.sent_at,
  };
  return {
    ...base(),
    kind: viaPlatform
      ? "benign.invoice_billing_platform"
      : variant === "ti_fileshare"
        ? "benign.invoice_ti_hit"
        : "benign.invoice",
    reporter,
    mail,
    history: {
      first_seen_days: v.since_days,
      messages_90d: rng.int(3, 28),
      recipients_90d: rng.int(2, 9),
      org_replies_90d: rng.int(1, 12),
      domain_age_days: v.since_days + rng.int(500, 4000),
    },
    verdict: "false_positive",
    escalate: false,
    actions: rng.chance(0.4) ? ["add_case_note", "release_message"] : ["add_case_note"],
    minutes: viaPlatform ? [12, 25] : variant === "ti_fileshare" ? [10, 20] : [4, 12],
    notes: viaPlatform
      ? `DMARC fails because ${v.name} bills through ${platform} (not aligned); sender known for years, PDF detonates clean.`
      : variant === "ti_fileshare"
        ? "Two engines flag the public file-sharing host, not this file; vendor known, PDF detonates clean."
        : "Expected invoice from a long-standing vendor; PDF detonates clean.",
    decisive: viaPlatform
      ? ["headers", "sender", "det:file:0"]
      : variant === "ti_fileshare"
        ? ["url:0", "det:url:0", "sender"]
        : ["sender", "det:file:0"],
    recipients: recipientsOf(x, reporter, rng.int(0, 3)),
    severity: variant === "ti_fileshare" ? "medium" : severityOf(rng, "low"),
  };
}
