import { bec } from "./bec.js";
import { internalNotice } from "./benign.js";
import type { RecipientRow } from "./evidence.js";
import { credPhish } from "./malicious.js";
import { malware } from "./payload.js";
import { saasNotice } from "./saas.js";
import { type Ctx, clickTime, colleagues, type Scenario } from "./scenario.js";
import { HOSTILE_ASNS } from "./world.js";

/**
 * Correlated reports: one message reaches many mailboxes and several people report it. Each report
 * is its own case with its own reporter, sign-ins and directory record, sharing an incident id and
 * the same message facts. In the credential campaigns one reporter clicked and was compromised.
 */

const CAMPAIGNS = [
  (x: Ctx) => credPhish(x, { click: "none" }),
  (x: Ctx) => malware(x),
  (x: Ctx) => credPhish(x, { fresh: true, click: "none" }),
  (x: Ctx) => bec(x, "vendor_lookalike"),
  (x: Ctx) => internalNotice(x),
  (x: Ctx) => saasNotice(x),
];

export function campaign(x: Ctx, index: number, size: number): Scenario[] {
  const { rng } = x;
  const make = CAMPAIGNS[index % CAMPAIGNS.length]!;
  const first = make(x);
  const reporters = [first.reporter, ...colleagues(x, size - 1, first.reporter)];
  const malicious = first.verdict === "true_positive";
  const victim = malicious && first.mail.links.length > 0 ? reporters[1] : undefined;
  const others = colleagues(x, 10, first.reporter).filter((p) => !reporters.includes(p));
  const rows: RecipientRow[] = [
    ...reporters.map((p) => ({
      person: p,
      folder: "Inbox" as const,
      read: true,
      reported: true,
      ...(p === victim ? { clicked_at: clickTime(x), click_blocked: false } : {}),
    })),
    ...others
      .slice(0, 8 - reporters.length)
      .map((p) => ({ person: p, folder: "Inbox" as const, read: rng.chance(0.5), reported: false })),
  ];
  const total = Math.max(first.recipients.total, rows.length + rng.int(4, 60));
  const incident = `INC-${rng.int(20000, 89999)}`;
  return reporters.map((reporter) => {
    const isVictim = reporter === victim;
    const decisive = first.decisive.filter((r) => !r.startsWith("rcp:") && !r.startsWith("sgn:"));
    const actions = malicious
      ? [...first.actions, ...(isVictim ? ["revoke_user_sessions", "reset_user_password", "escalate_severity"] : [])]
      : first.actions;
    return {
      ...first,
      reporter,
      recipients: { rows, total },
      signins: isVictim
        ? {
            click_at: rows.find((r) => r.person === reporter)!.clicked_at,
            compromise: {
              asn: rng.pick(HOSTILE_ASNS),
              replay_asn: rng.pick(HOSTILE_ASNS),
              ip: rng.ipv4Public(),
              replay_ip: rng.ipv4Public(),
              outcome: "aitm" as const,
            },
          }
        : {},
      escalate: malicious,
      actions: [...new Set(actions)],
      decisive: isVictim ? [...decisive, `rcp:${reporter.upn}`, "sgn:replay"] : decisive,
      minutes: isVictim ? [60, 140] : malicious ? [8, 20] : [2, 5],
      notes: `${first.notes} One of ${reporters.length} reports of the same message (${incident}).${
        isVictim ? " This reporter clicked and the session was replayed." : ""
      }`,
      incident_id: incident,
      reported_at: rng.timeAfter(x.sent_at, 15, 300),
      tags: [...first.tags, "trap:correlated"],
    };
  });
}
