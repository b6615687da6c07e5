import type { Auth, Mail } from "./mail.js";
import { messageId } from "./mail.js";
import { attackerAuth } from "./malicious.js";
import {
  AUTH_PASS,
  CLEAN_PDF,
  type Ctx,
  externalSender,
  pickReporter,
  recipientsOf,
  type Scenario,
  severityOf,
  sha256,
} from "./scenario.js";
import { FREEMAIL, lookalike, throwawayDomain } from "./world.js";

/** Business e-mail compromise without a payload, and a real vendor's mailbox taken over. */

const base = { tags: [] as string[], unavailable: [] as string[] };

export type BecKind = "ceo_freemail" | "vendor_lookalike" | "spoofed_reply_to";

export function bec(x: Ctx, kind: BecKind): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x, ["Accounts Payable", "Finance"]);
  const ceo = x.world.executives[0]!;
  const v = rng.pick(x.world.vendors.filter((w) => ["supplies", "customs", "insurance"].includes(w.kind)));
  const lk = lookalike(rng, v.domain);
  const [, ceoLast] = ceo.name.toLowerCase().split(" ");
  const sender =
    kind === "ceo_freemail"
      ? externalSender(
          rng,
          ceo.name,
          `${ceoLast}.office${rng.int(1, 99)}@${FREEMAIL}`,
          `mail-sor-f${rng.int(10, 99)}.${FREEMAIL}`,
          rng.ipv4Public(),
          {
            mail_from: `${ceoLast}.office@${FREEMAIL}`,
            ...(rng.chance(0.4) ? { reply_to: `exec.assist${rng.int(1, 99)}@mailbox-free.test` } : {}),
          },
        )
      : kind === "vendor_lookalike"
        ? externalSender(rng, `${v.name} Accounts`, `accounts@${lk}`, `mail.${lk}`)
        : externalSender(
            rng,
            `${v.name} Accounts`,
            `accounts@${v.domain}`,
            `vps${rng.int(1, 99)}.nimbus-vps.example`,
            rng.ipv4Public(),
            {
              mail_from: `accounts@${v.domain}`,
              reply_to: `${v.domain.split(".")[0]}.accounts@${FREEMAIL}`,
              helo: "WIN-3KJ2H1L0P9Q",
            },
          );
  const subject =
    kind === "ceo_freemail"
      ? rng.pick(["Quick favour", "Are you at your desk?", "Confidential – payment needed today"])
      : rng.pick(["Updated bank details for future payments", "Change of remittance account – effective immediately"]);
  const body =
    kind === "ceo_freemail"
      ? `${reporter.name.split(" ")[0]}, I need you to handle a confidential payment today before 3pm. I'm in meetings, reply here only. ${ceo.name.split(" ")[0]}`
      : `Dear ${reporter.name.split(" ")[0]}, due to an audit our bank details have changed. Please update them before the next payment run; the letter is attached. ${v.name} Accounts`;
  const attachments =
    kind === "ceo_freemail"
      ? []
      : [
          {
            name: `Bank_Details_Change_${v.name.split(" ")[0]}.pdf`,
            content_type: "application/pdf",
            size: rng.int(30000, 90000),
            sha256: sha256(rng),
            rep: { positives: 0, prevalence: 1, first_seen_days: 0 },
            det: CLEAN_PDF(1),
          },
        ];
  const auth: Auth =
    kind === "ceo_freemail"
      ? AUTH_PASS(FREEMAIL)
      : kind === "vendor_lookalike"
        ? attackerAuth(x, lk)
        : { spf: "softfail", dkim: "none", dmarc: "fail", dmarc_policy: "none" };
  const mail: Mail = {
    subject,
    body,
    sender,
    auth,
    links: [],
    attachments,
    message_id: messageId(rng, sender.host),
    sent_at: x.sent_at,
  };
  const spoofed = kind === "spoofed_reply_to";
  return {
    ...base,
    kind: `malicious.bec_${kind}`,
    reporter,
    mail,
    history: spoofed
      ? {
          first_seen_days: v.since_days,
          messages_90d: rng.int(3, 25),
          recipients_90d: rng.int(2, 8),
          org_replies_90d: rng.int(1, 10),
          domain_age_days: v.since_days + 900,
        }
      : {
          first_seen_days: null,
          messages_90d: 0,
          recipients_90d: 1,
          org_replies_90d: 0,
          domain_age_days: kind === "ceo_freemail" ? 9100 : rng.int(2, 12),
        },
    verdict: "true_positive",
    escalate: true,
    actions: [
      "quarantine_message",
      "purge_message",
      kind === "vendor_lookalike" ? "block_sender_domain" : "block_sender",
      "escalate_severity",
      "add_case_note",
      ...(kind !== "ceo_freemail" ? ["open_ticket"] : []),
    ],
    minutes: [30, 75],
    notes:
      kind === "ceo_freemail"
        ? "CEO display name on a free-mail address never seen before, urgent payment request: BEC."
        : kind === "vendor_lookalike"
          ? `Bank-detail change from a ${lk} lookalike of ${v.domain}, registered days ago: BEC.`
          : `Spoofed ${v.domain} (no DMARC enforcement) with replies diverted to free-mail: BEC.`,
    decisive: ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(0, 2)),
    signins: {},
    severity: severityOf(rng, "mid"),
  };
}

/** A real vendor's mailbox, taken over, sends a share link whose second hop harvests credentials. */
export function compromisedVendor(x: Ctx): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x, ["Accounts Payable", "Finance", "Procurement", "Operations"]);
  const v = rng.pick(x.world.vendors.filter((w) => ["supplies", "customs", "insurance", "payroll"].includes(w.kind)));
  const kit = throwawayDomain(rng);
  const url = `https://www.driftbox-files.example/s/${rng.hex(14)}`;
  const person = rng.pick(["m.jansen", "k.novak", "a.brennan", "s.moreau"]);
  const mail: Mail = {
    subject: rng.pick(["Shared document: Q2 statement – please review", "Updated PO attached via Driftbox"]),
    body: `Hi, please review the document I shared: ${url} . Thanks, ${person} – ${v.name}`,
    sender: externalSender(rng, `${person} | ${v.name}`, `${person}@${v.domain}`, v.mta, v.ip),
    auth: AUTH_PASS(v.domain, "quarantine"),
    links: [
      {
        url,
        rep: { positives: 0, category: "file sharing", host_age_days: 5100 },
        det: {
          verdict: "malicious",
          score: rng.int(80, 95),
          behaviours: [
            `Shared page holds a single link to https://${kit}/view`,
            "Second hop: credential form imitating Kestrel SSO",
            `Form posts to https://${kit}/gate.php`,
          ],
          credential_form: true,
          final_url: `https://${kit}/view`,
          page_title: "Kestrel Logistics – Sign in",
          network: [{ host: kit, ip: rng.ipv4Public(), port: 443 }],
          mitre: ["T1566.002", "T1056.003"],
        },
      },
    ],
    attachments: [],
    message_id: messageId(rng, v.mta),
    sent_at: x.sent_at,
  };
  return {
    ...base,
    kind: "malicious.compromised_vendor",
    reporter,
    mail,
    history: {
      first_seen_days: v.since_days,
      messages_90d: rng.int(5, 40),
      recipients_90d: rng.int(2, 9),
      org_replies_90d: rng.int(2, 10),
      domain_age_days: v.since_days + 1500,
    },
    verdict: "true_positive",
    escalate: true,
    actions: ["quarantine_message", "purge_message", "block_url", "open_ticket", "add_case_note"],
    minutes: [30, 60],
    notes: `Known ${v.name} mailbox (auth passes) sends a share link whose second hop is a credential harvester: vendor account compromise.`,
    decisive: ["det:url:0", "headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(1, 6)),
    signins: {},
    severity: severityOf(rng, "mid"),
  };
}
