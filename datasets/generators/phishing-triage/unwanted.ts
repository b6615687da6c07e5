import type { Mail } from "./mail.js";
import { messageId } from "./mail.js";
import {
  AUTH_PASS,
  CLEAN_PAGE,
  type Ctx,
  externalSender,
  pickReporter,
  recipientsOf,
  type Scenario,
  severityOf,
} from "./scenario.js";

/**
 * Reports that are right but not malicious (benign positives): sanctioned phishing simulations,
 * from the current and an older training vendor, and unsolicited sales mail.
 */

const base = () => ({ tags: [] as string[], unavailable: [] as string[], signins: {} });

const SIM_LURES = [
  ["Kestrel IT Helpdesk", "kestrel-support-portal.test", "Password expiry notice: action required within 24 hours"],
  ["HR Benefits Team", "kl-hr-benefits.test", "Updated holiday policy – please acknowledge"],
  ["Parcelway Delivery", "parcelway-delivery-notice.test", "Delivery attempt failed – reschedule your parcel"],
  ["Payroll Notifications", "payroll-statements-kl.test", "Your bonus statement is ready"],
] as const;
const SIM_IP = "203.0.113.250";

export function simulation(x: Ctx): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x);
  const [display, domain, subject] = rng.pick(SIM_LURES);
  const legacy = rng.chance(0.2);
  const url = `https://${domain}/l/${rng.hex(12)}?rid=${rng.hex(6)}`;
  const mail: Mail = {
    subject,
    body: `${subject}. Please review here: ${url} . Failure to act may result in account suspension.`,
    sender: externalSender(rng, display, `notice@${domain}`, `smtp.${domain}`, SIM_IP),
    auth: AUTH_PASS(domain),
    links: [
      {
        url,
        rep: { positives: rng.int(0, 1), category: "newly registered", host_age_days: rng.int(30, 200), unseen: true },
        det: {
          verdict: "suspicious",
          score: rng.int(50, 68),
          behaviours: [
            "Login form on recently registered domain",
            "Form posts to same host",
            "After submission: training page 'This was a simulated phishing exercise'",
          ],
          credential_form: true,
          final_url: url,
          page_title: "Sign in to continue",
        },
      },
    ],
    attachments: [],
    message_id: messageId(rng, `smtp.${domain}`),
    sent_at: x.sent_at,
    ...(legacy
      ? { extra_headers: [["X-PhishTest-Tenant", `kestrel-${rng.hex(6)}`]] as [string, string][] }
      : { sim_campaign: `KL-2025-Q${Math.floor(new Date(x.sent_at).getUTCMonth() / 3) + 1}-${rng.hex(6)}` }),
  };
  return {
    ...base(),
    kind: legacy ? "benign.simulation_legacy_vendor" : "benign.simulation",
    reporter,
    mail,
    history: {
      first_seen_days: rng.int(10, 120),
      messages_90d: rng.int(40, 400),
      recipients_90d: rng.int(40, 350),
      org_replies_90d: 0,
      domain_age_days: rng.int(30, 200),
      prior_reports_90d: rng.int(5, 60),
    },
    verdict: "benign_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: [1, 4],
    notes: legacy
      ? "Sanctioned simulation from the older training vendor (X-PhishTest-Tenant header, allow-listed IP); user credited."
      : "Sanctioned phishing simulation (X-Sim-Campaign-Id); user credited for reporting.",
    decisive: legacy ? ["headers", "det:url:0"] : ["headers"],
    recipients: recipientsOf(x, reporter, rng.int(40, 300), { othersClick: 0.15 }),
    severity: severityOf(rng, "low"),
  };
}

export function spam(x: Ctx): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x);
  const co = rng.pick([
    "logisummit-events",
    "growthleads-agency",
    "palletpro-deals",
    "fleetfuel-savings",
    "b2b-data-lists",
  ]);
  const domain = `${co}.example`;
  const subject = rng.pick([
    "Exhibit at LogiSummit 2025 – early-bird ends Friday",
    "Quick question about your fleet fuel costs",
    "Re: pallet pricing for Q3",
    "Verified contact list: 12,000 logistics decision makers",
  ]);
  const withDmarc = rng.chance(0.5);
  const url = `https://www.${domain}/offer/${rng.hex(6)}`;
  const mail: Mail = {
    subject,
    body: `Hi ${reporter.name.split(" ")[0]}, ${subject.toLowerCase()}. Details: ${url} . Reply STOP to opt out.`,
    sender: externalSender(
      rng,
      rng.pick(["Sales Team", "Events", "Partnerships"]),
      `hello@${domain}`,
      `mail.${domain}`,
    ),
    auth: withDmarc ? AUTH_PASS(domain) : { spf: "pass", dkim: "none", dmarc: "none" },
    links: [
      {
        url,
        rep: { positives: 0, category: "marketing", host_age_days: rng.int(200, 2000) },
        det: CLEAN_PAGE(url, "Special offer"),
      },
    ],
    attachments: [],
    message_id: messageId(rng, `mail.${domain}`),
    sent_at: x.sent_at,
    ...(rng.chance(0.6) ? { list_unsubscribe: `https://www.${domain}/optout` } : {}),
  };
  return {
    ...base(),
    kind: "benign.spam",
    reporter,
    mail,
    history: {
      first_seen_days: rng.chance(0.5) ? null : rng.int(5, 60),
      messages_90d: rng.int(0, 3),
      recipients_90d: rng.int(1, 30),
      org_replies_90d: 0,
      domain_age_days: rng.int(200, 2000),
    },
    verdict: "benign_positive",
    escalate: false,
    actions: rng.chance(0.5) ? ["add_case_note", "block_sender"] : ["add_case_note"],
    minutes: [2, 5],
    notes: "Unsolicited sales mail: unwanted but not malicious, links land on the company's own site.",
    decisive: ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(3, 30)),
    severity: severityOf(rng, "low"),
  };
}
