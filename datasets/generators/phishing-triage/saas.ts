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

/** Notifications from the SaaS tools the company uses: e-signature, file sharing, CRM, travel, benefits. */

const base = () => ({ tags: [] as string[], unavailable: [] as string[], signins: {} });

export function saasNotice(x: Ctx, tiCdn = false): Scenario {
  const { rng } = x;
  const reporter = pickReporter(x);
  const v = rng.pick(
    x.world.vendors.filter((w) => ["esign", "fileshare", "saas", "travel", "benefits"].includes(w.kind)),
  );
  const who = rng.pick(x.world.staff).name;
  const doc = rng.pick([
    "Q2 route plan.xlsx",
    "Carrier contract 2025.pdf",
    "Warehouse rota.xlsx",
    "Customer SLA draft.docx",
  ]);
  const [subject, path] =
    v.kind === "esign"
      ? [`Please sign: ${doc.replace(/\.\w+$/, "")}`, `/sign/${rng.hex(16)}`]
      : v.kind === "fileshare"
        ? [`${who} shared "${doc}" with you`, `/s/${rng.hex(14)}`]
        : v.kind === "travel"
          ? [`Your trip to Hamburg – booking ref ${rng.hex(6).toUpperCase()}`, `/trips/${rng.hex(10)}`]
          : v.kind === "benefits"
            ? ["Open enrolment for 2025 benefits closes Friday", `/enrol/${rng.hex(10)}`]
            : [
                `Task assigned to you: follow up with ${rng.pick(["Nordhavn Foods", "Altmark Retail", "Baltic Pharma"])}`,
                `/tasks/${rng.hex(8)}`,
              ];
  const host = tiCdn ? "cdn.static-edge.example" : `app.${v.domain}`;
  const url = `https://${host}${path}`;
  const mail: Mail = {
    subject,
    body: `${subject}. Open: ${url} — sent by ${v.name} on behalf of ${who}.`,
    sender: externalSender(
      rng,
      v.kind === "fileshare" ? `${who} (via ${v.name})` : v.name,
      `no-reply@${v.domain}`,
      v.mta,
      v.ip,
    ),
    auth: AUTH_PASS(v.domain, "reject"),
    links: [
      {
        url,
        rep: tiCdn
          ? { positives: rng.int(2, 3), category: "content delivery network", host_age_days: 4700, shared_host: true }
          : {
              positives: 0,
              category: v.kind === "fileshare" ? "file sharing" : "business / SaaS",
              host_age_days: v.since_days + 2000,
            },
        det: CLEAN_PAGE(`https://app.${v.domain}${path}`, `${v.name}`),
      },
    ],
    attachments: [],
    message_id: messageId(rng, v.mta),
    sent_at: x.sent_at,
  };
  return {
    ...base(),
    kind: tiCdn ? "benign.saas_ti_hit" : "benign.saas_notification",
    reporter,
    mail,
    history: {
      first_seen_days: v.since_days,
      messages_90d: rng.int(10, 220),
      recipients_90d: rng.int(10, 300),
      org_replies_90d: 0,
      domain_age_days: v.since_days + rng.int(1000, 5000),
    },
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    minutes: tiCdn ? [8, 18] : [3, 9],
    notes: tiCdn
      ? "Engines flag the shared CDN host; the link redirects to the SaaS application and detonates clean; sender known."
      : `Genuine ${v.name} notification; aligned DKIM/DMARC, high-volume known sender.`,
    decisive: tiCdn ? ["url:0", "det:url:0", "sender"] : ["headers", "sender"],
    recipients: recipientsOf(x, reporter, rng.int(0, 4)),
    severity: tiCdn ? "medium" : severityOf(rng, "low"),
  };
}
