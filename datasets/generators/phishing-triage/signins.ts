import type { Rng } from "../rng.js";
import { after, type Sink } from "./evidence.js";
import { type Asn, CORP_ASN, ORG_DOMAIN, type Person } from "./world.js";

/**
 * The reporter's sign-in log around the message: ordinary activity from home or the office, and
 * whatever the scenario adds — an adversary-in-the-middle session after a click, a flagged but
 * harmless login through a corporate VPN abroad, or a password-reset/temporary-pass audit entry
 * that holds a live secret.
 */

export type SigninPlan = {
  click_at?: string;
  compromise?: {
    asn: Asn;
    replay_asn: Asn;
    ip: string;
    replay_ip: string;
    outcome: "aitm" | "mfa_denied";
    cookie?: boolean;
  };
  travel?: { asn: Asn; ip: string };
  reset?: "sspr" | "tap";
};

const APPS = ["Outlook (Exchange Online)", "Teams", "Kestrel SSO Portal", "Cobalt CRM", "Driftbox"];
const CITY: Record<string, string> = {
  PT: "Lisbon",
  SG: "Singapore",
  US: "Chicago",
  RO: "Bucharest",
  SC: "Victoria",
  NG: "Lagos",
  VN: "Hanoi",
};

function signin(s: Sink, role: string, p: Person, time: string, d: Record<string, unknown>, secret = false): void {
  const ip = d.ip as string;
  const id = `sgn-${s.rng.hex(8)}`;
  s.records.push({
    id,
    source: "idp.signins",
    time,
    entities: [
      { type: "account", value: p.upn },
      { type: "ip", value: ip },
    ],
    data: { user: p.upn, ...d },
    ...(secret ? { sensitivity: "secret" as const } : {}),
  });
  s.roles.set(role, id);
}

function ordinary(rng: Rng, p: Person, atOffice: boolean): Record<string, unknown> {
  const asn = atOffice ? CORP_ASN : p.home;
  return {
    app: rng.pick(APPS),
    client_app: rng.chance(0.7) ? "Browser" : "Mobile Apps and Desktop clients",
    ip: atOffice ? "192.0.2.1" : p.home_ip,
    asn: asn.asn,
    as_org: asn.org,
    asn_type: asn.kind,
    country: p.country,
    city: p.city,
    device: { os: p.device.os, browser: p.device.browser, device_id: p.device.id, managed: true, compliant: true },
    mfa: rng.chance(0.6)
      ? { required: true, method: "previously_satisfied", result: "satisfied" }
      : { required: true, method: "authenticator_number_match", result: "satisfied" },
    status: "success",
    risk_level: "none",
    risk_detail: null,
    conditional_access: "success",
  };
}

export function signinRecords(s: Sink, p: Person, sentAt: string, plan: SigninPlan): void {
  const { rng } = s;
  const n = rng.int(2, 4);
  for (let i = 0; i < n; i++) {
    const t = i === 0 ? after(rng, sentAt, -1800, -600) : after(rng, sentAt, -480, 120);
    signin(s, `sgn:n${i}`, p, t, ordinary(rng, p, rng.chance(0.55)));
  }
  if (plan.reset) {
    const t = after(rng, sentAt, -2, -1);
    const base = ordinary(rng, p, true);
    if (plan.reset === "sspr")
      signin(
        s,
        "sgn:reset",
        p,
        t,
        {
          ...base,
          app: "Kestrel SSO Password Reset",
          event: "self_service_password_reset",
          status: "reset link issued",
          reset_token: rng.hex(40),
          token_expires: after(rng, t, 15, 15),
        },
        true,
      );
    else
      signin(
        s,
        "sgn:reset",
        p,
        t,
        {
          ...base,
          app: "Kestrel Service Desk",
          event: "temporary_access_pass_issued",
          issued_by: `servicedesk.agent${rng.int(1, 9)}@${ORG_DOMAIN}`,
          status: "temporary access pass created",
          temporary_access_pass: `${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}`.toUpperCase(),
          lifetime_minutes: 60,
        },
        true,
      );
  }
  if (plan.travel) {
    const t = after(rng, plan.click_at ?? sentAt, 3, 40);
    signin(s, "sgn:travel", p, t, {
      ...ordinary(rng, p, false),
      ip: plan.travel.ip,
      asn: plan.travel.asn.asn,
      as_org: plan.travel.asn.org,
      asn_type: plan.travel.asn.kind,
      country: plan.travel.asn.country,
      city: CITY[plan.travel.asn.country] ?? "unknown",
      mfa: { required: true, method: "authenticator_number_match", result: "satisfied" },
      risk_level: "high",
      risk_detail: "unfamiliarFeatures, atypicalTravel",
    });
  }
  const c = plan.compromise;
  if (c && plan.click_at) {
    const t1 = after(rng, plan.click_at, 1, 4);
    const proxied = {
      app: "Kestrel SSO Portal",
      client_app: "Browser",
      ip: c.ip,
      asn: c.asn.asn,
      as_org: c.asn.org,
      asn_type: c.asn.kind,
      country: c.asn.country,
      city: CITY[c.asn.country] ?? "unknown",
      device: { os: "Windows 10", browser: "Chrome 121", device_id: null, managed: false, compliant: false },
      conditional_access: "success",
    };
    if (c.outcome === "mfa_denied") {
      signin(s, "sgn:attacker", p, t1, {
        ...proxied,
        mfa: { required: true, method: "authenticator_push", result: "denied" },
        status: "failure",
        failure_reason: "Correct password; MFA push denied by user",
        risk_level: "medium",
        risk_detail: "unfamiliarFeatures",
      });
      return;
    }
    signin(s, "sgn:attacker", p, t1, {
      ...proxied,
      mfa: { required: true, method: "authenticator_push", result: "satisfied" },
      status: "success",
      risk_level: "medium",
      risk_detail: "unfamiliarFeatures",
    });
    const replay: Record<string, unknown> = {
      ...proxied,
      app: "Outlook (Exchange Online)",
      ip: c.replay_ip,
      asn: c.replay_asn.asn,
      as_org: c.replay_asn.org,
      asn_type: c.replay_asn.kind,
      country: c.replay_asn.country,
      city: CITY[c.replay_asn.country] ?? "unknown",
      device: { os: "Linux", browser: "python-requests/2.31", device_id: null, managed: false, compliant: false },
      mfa: { required: true, method: "previously_satisfied", result: "satisfied" },
      status: "success",
      risk_level: "high",
      risk_detail: "anomalousToken",
      session_activity: [
        "New-InboxRule 'RSS Feeds': move mail containing 'invoice' or 'payment' to RSS Subscriptions",
        `MailItemsAccessed: ${rng.int(80, 400)} items`,
      ],
    };
    if (c.cookie) replay.session_cookie = `KSSO_SESSION=${rng.hex(32)}${rng.hex(32)}`;
    signin(s, "sgn:replay", p, after(rng, t1, 8, 90), replay, c.cookie);
  }
}
