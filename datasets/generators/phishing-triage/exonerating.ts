import { bec } from "./bec.js";
import { vendorInvoice } from "./benign.js";
import { type Mail, messageId } from "./mail.js";
import { saasNotice } from "./saas.js";
import { AUTH_PASS, type Ctx, externalSender, pickReporter, recipientsOf, type Scenario, sha256 } from "./scenario.js";
import { CORP_VPN } from "./world.js";

/**
 * Scary-looking reports that one record exonerates: DMARC broken by a mailing list or a billing
 * platform, a flagged sign-in that is the corporate VPN, the CEO's known personal address, a
 * signed payroll macro the sandbox calls suspicious.
 */

function mailingList(x: Ctx): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x, ["Operations", "Sales", "Customer Service"]);
  const member = `${rng.pick(["nordhavn-freight", "baltic-shipping", "altmark-haulage"])}.example`;
  const poster = rng.pick(["j.okafor", "m.lindgren", "p.ferreira", "h.schubert"]);
  const list = "lists.freightforum.example";
  const url = `https://${list}/archive/${rng.int(20000, 29999)}`;
  const subject = `[FFF] ${rng.pick(["Anyone else seeing delays at Felixstowe berth 7?", "Reefer plug availability in Rotterdam this week", "New customs declaration fields from 1 June"])}`;
  const mail: Mail = {
    subject,
    body: `${subject.slice(6)} — posted to Freight Forwarders Forum. Archive: ${url} . To unsubscribe visit ${list}.`,
    sender: externalSender(
      rng,
      `${poster} via Freight Forwarders Forum`,
      `${poster}@${member}`,
      list,
      rng.ipv4Public(),
      {
        mail_from: `forum-bounces@${list}`,
        reply_to: `forum@${list}`,
      },
    ),
    auth: {
      spf: "pass",
      dkim: "fail",
      dkim_domain: member,
      dmarc: "fail",
      dmarc_policy: "quarantine",
      arc: "pass",
      arc_sealer: list,
    },
    links: [
      {
        url,
        rep: { positives: 0, category: "forums / community", host_age_days: 3900 },
        det: {
          verdict: "clean",
          score: 0,
          behaviours: ["Mailing-list archive page; no forms"],
          final_url: url,
          page_title: "FFF archive",
        },
      },
    ],
    attachments: [],
    message_id: messageId(rng, member),
    sent_at: x.sent_at,
    list_unsubscribe: `https://${list}/options/forum`,
  };
  return {
    kind: "benign.mailing_list_dmarc_fail",
    reporter,
    mail,
    history: {
      first_seen_days: rng.int(400, 1500),
      messages_90d: rng.int(5, 30),
      recipients_90d: rng.int(1, 4),
      org_replies_90d: rng.int(0, 3),
      domain_age_days: rng.int(3000, 6000),
    },
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: [10, 20],
    notes:
      "DMARC fails because the list rewrites subject and footer (DKIM broken); ARC from the list passes; the member posts here for years.",
    decisive: ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(0, 3)),
    signins: {},
    severity: "medium",
    tags: [],
    unavailable: [],
  };
}

function travelClick(x: Ctx): Scenario {
  const { rng } = x;
  const s = saasNotice(x);
  const recipients = recipientsOf(x, s.reporter, rng.int(0, 3), { reporterClicked: true });
  const vpn = rng.pick(CORP_VPN);
  return {
    ...s,
    kind: "benign.click_then_flagged_vpn_signin",
    recipients,
    signins: {
      click_at: recipients.rows[0]!.clicked_at,
      travel: { asn: vpn, ip: vpn.country === "PT" ? "198.51.100.1" : "203.0.113.1" },
    },
    user_comment: "I clicked this before I noticed it came from outside – sorry!",
    minutes: [15, 30],
    severity: "high",
    notes: `Risky sign-in after the click is the reporter on the corporate VPN (${vpn.org}) from a managed, compliant device with number-match MFA; the link is the genuine SaaS app.`,
    decisive: ["sgn:travel", "det:url:0", `rcp:${s.reporter.upn}`],
  };
}

function ceoPersonal(x: Ctx): Scenario {
  const s = bec(x, "ceo_freemail");
  const { rng } = x;
  const ceo = x.world.executives[0]!;
  return {
    ...s,
    kind: "benign.ceo_personal_address",
    mail: {
      ...s.mail,
      subject: rng.pick(["Board pack for Thursday", "Can you print this for me?"]),
      body: `Travelling and only have my personal mail – can you send me the latest board pack before Thursday? Thanks, ${ceo.name.split(" ")[0]}`,
      sender: { ...s.mail.sender, reply_to: undefined },
    },
    history: {
      first_seen_days: rng.int(500, 900),
      messages_90d: rng.int(12, 30),
      recipients_90d: rng.int(3, 8),
      org_replies_90d: rng.int(5, 20),
      domain_age_days: 9100,
    },
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: [10, 20],
    notes:
      "The CEO's known personal address: two years of mail with staff replies; nothing is asked that BEC would want.",
    decisive: ["sender", "headers"],
  };
}

function payrollMacro(x: Ctx): Scenario {
  const { rng } = x;
  const s = vendorInvoice(x);
  const payroll = x.world.vendors.find((v) => v.kind === "payroll")!;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][new Date(x.sent_at).getUTCMonth()] ?? "Jun";
  return {
    ...s,
    kind: "benign.signed_payroll_macro",
    mail: {
      ...s.mail,
      subject: `Payroll journal ${month} – ready for import`,
      sender: externalSender(
        rng,
        "Brightline Payroll Reports",
        `payroll-reports@${payroll.domain}`,
        payroll.mta,
        payroll.ip,
      ),
      auth: AUTH_PASS(payroll.domain, "reject"),
      attachments: [
        {
          name: `Payroll_Journal_${month}.xlsm`,
          content_type: "application/vnd.ms-excel.sheet.macroEnabled.12",
          size: rng.int(200000, 600000),
          sha256: sha256(rng),
          rep: {
            positives: 1,
            prevalence: rng.int(40, 200),
            first_seen_days: rng.int(2, 20),
            signer: "Brightline Payroll B.V.",
          },
          det: {
            verdict: "suspicious",
            score: rng.int(35, 48),
            behaviours: [
              "Macro runs on open (Auto_Open)",
              "Macro refreshes pivot tables from workbook ranges",
              "No child processes, no network connections",
            ],
          },
        },
      ],
    },
    history: { ...s.history, first_seen_days: payroll.since_days, messages_90d: rng.int(10, 20) },
    actions: ["add_case_note", "release_message"],
    minutes: [10, 20],
    notes:
      "Monthly payroll journal: macro signed by the vendor, seen across many customers, does nothing but refresh tables.",
    decisive: ["det:file:0", "file:0", "sender"],
  };
}

export function exonerating(x: Ctx, i: number): Scenario {
  const make = [
    mailingList,
    (c: Ctx) => vendorInvoice(c, "billing_platform"),
    travelClick,
    mailingList,
    (c: Ctx) => vendorInvoice(c, "billing_platform"),
    travelClick,
    ceoPersonal,
    payrollMacro,
  ][i % 8]!;
  const s = make(x);
  return { ...s, tags: [...s.tags, "trap:exonerating_evidence"] };
}
