import type { Auth, Detonation, Link, Mail } from "./mail.js";
import { messageId, urlHost } from "./mail.js";
import {
  AUTH_PASS,
  type Ctx,
  externalSender,
  pickReporter,
  recipientsOf,
  type Scenario,
  severityOf,
} from "./scenario.js";
import type { SigninPlan } from "./signins.js";
import { HOSTILE_ASNS, lookalike, ORG_DOMAIN, throwawayDomain } from "./world.js";

/**
 * Credential harvesting: known kits (some already taken down), freshly registered lookalikes and
 * kits that hide behind a human-verification gate; the reporter may have clicked and been
 * compromised through an adversary-in-the-middle session.
 */

const base = { tags: [] as string[], unavailable: [] as string[] };

export function attackerAuth(x: Ctx, domain: string): Auth {
  return x.rng.weighted<Auth>([
    [AUTH_PASS(domain), 5],
    [{ spf: "pass", dkim: "none", dmarc: "none" }, 4],
    [{ spf: "softfail", dkim: "none", dmarc: "fail", dmarc_policy: "none" }, 1],
  ]);
}

const CRED_LURES = [
  ["Kestrel IT Service Desk", "org", "Action required: your password expires today"],
  ["Kestrel Mail Administrator", "org", "Mailbox storage full – incoming messages on hold"],
  ["Kestrel SSO", "org", "New sign-in policy: re-validate your account"],
  ["Voicemail Service", "throwaway", "New voicemail from +31 10 *** **47 (00:47)"],
  ["Driftbox", "lookalike:driftbox-files.example", "Remittance_Q2.pdf has been shared with you"],
  ["SignWell Hub", "lookalike:signwellhub.example", "Please review and sign: Q2 payment schedule"],
  ["Parcelway", "throwaway", "Delivery attempt failed – confirm your address"],
] as const;

export type Click = "none" | "click" | "aitm" | "mfa_denied";

export function credPhish(
  x: Ctx,
  opts: { fresh?: boolean; evasive?: boolean; click?: Click; cookie?: boolean } = {},
): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x);
  const [display, origin, subject] = rng.pick(CRED_LURES);
  const senderDomain =
    origin === "org"
      ? lookalike(rng, ORG_DOMAIN)
      : origin === "throwaway"
        ? throwawayDomain(rng)
        : lookalike(rng, origin.slice(10));
  const kitHost = opts.fresh || rng.chance(0.5) ? senderDomain : throwawayDomain(rng);
  const url = `https://${rng.chance(0.5) ? "" : "login."}${kitHost}/${rng.pick(["auth", "owa", "secure", "doc"])}/${rng.hex(10)}`;
  const known = !opts.fresh;
  // known kits are often already taken down when the sandbox gets there; TI still remembers them
  const takenDown = known && rng.chance(0.25);
  const det: Detonation = takenDown
    ? {
        verdict: "clean",
        score: rng.int(0, 5),
        behaviours: ["Landing host answers HTTP 404: page already removed", "No credential form observed"],
        final_url: url,
        page_title: "404 Not Found",
      }
    : opts.evasive
      ? {
          verdict: "clean",
          score: rng.int(5, 15),
          behaviours: [
            "Landing page served a human-verification challenge to the sandbox; analysis could not proceed",
            "No credential form observed",
          ],
          final_url: url,
          page_title: "Just a moment…",
        }
      : {
          verdict: known ? "malicious" : "suspicious",
          score: known ? rng.int(85, 100) : rng.int(55, 72),
          behaviours: [
            `Login form posts credentials to https://${urlHost(url)}/next.php`,
            origin === "org"
              ? "Page copies Kestrel Logistics sign-in branding (logo, favicon)"
              : `Page imitates ${display} branding`,
            ...(known
              ? ["Obfuscated JavaScript (atob/eval) loads the form", "Kit fingerprint matches a known phishing kit"]
              : []),
            ...(rng.chance(0.5) ? ["Redirect chain: 2 hops before the landing page"] : []),
          ],
          credential_form: true,
          final_url: `https://${urlHost(url)}/auth/login.php`,
          page_title: origin === "org" ? "Kestrel Logistics – Sign in" : `${display} – Sign in to view`,
          network: [{ host: urlHost(url), ip: rng.ipv4Public(), port: 443 }],
          mitre: ["T1566.002", "T1056.003"],
        };
  const link: Link = {
    url,
    rep: known
      ? { positives: rng.int(2, 6), category: "phishing", host_age_days: rng.int(2, 30) }
      : { positives: 0, category: "newly registered", host_age_days: rng.int(0, 4), unseen: true },
    det,
  };
  const host = `mail.${senderDomain}`;
  const mail: Mail = {
    subject,
    body: `${subject}. To avoid interruption, verify within 24 hours: ${url} . ${display}`,
    sender: externalSender(rng, display, `${rng.pick(["no-reply", "support", "notice"])}@${senderDomain}`, host),
    auth: attackerAuth(x, senderDomain),
    links: [link],
    attachments: [],
    message_id: messageId(rng, host),
    sent_at: x.sent_at,
  };
  const click =
    opts.click ??
    rng.weighted<Click>([
      ["none", 12],
      ["click", 3],
      ["aitm", 3],
      ["mfa_denied", 2],
    ]);
  const signins: SigninPlan = {};
  const recipients = recipientsOf(x, reporter, rng.int(0, 12), { reporterClicked: click !== "none", othersClick: 0.1 });
  if (click !== "none") signins.click_at = recipients.rows[0]!.clicked_at;
  if (click === "aitm" || click === "mfa_denied")
    signins.compromise = {
      asn: rng.pick(HOSTILE_ASNS),
      replay_asn: rng.pick(HOSTILE_ASNS),
      ip: rng.ipv4Public(),
      replay_ip: rng.ipv4Public(),
      outcome: click === "aitm" ? "aitm" : "mfa_denied",
      cookie: opts.cookie,
    };
  const actions = ["quarantine_message", "purge_message", "block_url", "block_sender_domain", "add_case_note"];
  if (click === "aitm") actions.push("revoke_user_sessions", "reset_user_password", "escalate_severity");
  if (click === "mfa_denied") actions.push("reset_user_password");
  const decisive = [
    "headers",
    ...(opts.evasive || takenDown ? ["sender"] : ["det:url:0"]),
    ...(known ? ["url:0"] : ["sender"]),
  ];
  if (click !== "none") decisive.push(`rcp:${reporter.upn}`);
  if (click === "aitm") decisive.push("sgn:replay");
  if (click === "mfa_denied") decisive.push("sgn:attacker");
  return {
    ...base,
    kind: opts.evasive ? "malicious.cred_phish_evasive" : known ? "malicious.cred_phish" : "malicious.cred_phish_fresh",
    reporter,
    mail,
    history: {
      first_seen_days: null,
      messages_90d: rng.int(0, 1),
      recipients_90d: rng.int(1, 15),
      org_replies_90d: 0,
      domain_age_days: known ? rng.int(3, 40) : rng.int(0, 5),
    },
    verdict: "true_positive",
    escalate: true, // every confirmed phish goes to incident response for tenant-wide scoping
    actions: [...new Set(actions)],
    minutes: click === "aitm" ? [60, 150] : click === "mfa_denied" ? [35, 60] : click === "click" ? [25, 45] : [10, 25],
    notes:
      click === "aitm"
        ? "Credential phish; reporter clicked and an adversary-in-the-middle session was replayed from hosting infrastructure."
        : takenDown
          ? "Phishing URL known to several TI engines, already taken down when detonated; first-contact lookalike sender."
          : opts.evasive
            ? "Kit hides behind a human-verification gate; first-contact sender on a days-old lookalike domain decided it."
            : `Credential-harvesting page${known ? " known to TI" : " on a newly registered domain"}; ${
                click === "none" ? "no click" : "reporter clicked"
              }.`,
    decisive,
    recipients,
    signins,
    severity: severityOf(rng, known ? "high" : "mid"),
  };
}
