import { alertFor, baseline, methodRegistered, pushActivity } from "./baseline.js";
import { audit, risk, SOURCES, saas, shift, signin } from "./builder.js";
import { adversarial, hostileIntel, injected, TP_NOTE } from "./helpers.js";
import type { Scenario } from "./outcome.js";
import { guid, hostingNet, ipIn, type Net, UA } from "./world.js";

/** Push bombing at night until the user gives in (or reports it). */
export const mfaFatigue: Scenario = (b, o) => {
  // push without number matching: the users the tenant has not yet moved off legacy push
  b.user = { ...b.user, mfaMethods: ["Authenticator push", "SMS"] };
  const { rng, user } = b;
  baseline(b);
  const net = hostingNet(rng);
  const ip = ipIn(rng, net);
  const gaveIn = o.inject ? true : rng.chance(0.7);
  const prompts = rng.int(8, 30);
  const denied = rng.int(3, Math.min(12, prompts - 1));
  const window = rng.int(10, 45);
  const push = pushActivity(b, b.t0, ip, net, {
    prompts,
    denied,
    approved: gaveIn ? 1 : 0,
    window,
    numberMatching: false,
  });
  for (let i = rng.int(2, 4); i > 0; i--)
    signin(b, {
      time: shift(b.t0, -i * rng.int(2, 8)),
      net,
      ip,
      device: null,
      ua: UA.linuxChrome,
      result: "failure",
      errorCode: 500121,
      failure: "Authentication failed during strong authentication request",
      mfa: { required: true, method: "Authenticator push", result: "denied" },
    });
  hostileIntel(b, ip, net, 0.4, "brute_force");
  risk(b, "unfamiliarFeatures", "high", ip, net);
  const alert = alertFor(b, {
    detection: "mfaPushBurst",
    level: "high",
    ip,
    net,
    ua: UA.linuxChrome,
    description: `${prompts} MFA push prompts in ${window} minutes for ${user.upn} from ${net.place.country}.`,
  });
  if (!gaveIn) {
    const report = audit(b, shift(b.t0, rng.int(1, 5)), {
      event: "user_reported_suspicious_activity",
      initiated_by: "user",
      detail: "User answered 'No, it's not me' and reported the prompt",
    });
    return {
      alert,
      verdict: "true_positive",
      escalate: true,
      actions: ["force_password_reset", "add_case_note"],
      required: [push, report],
      minutes: [30, 60],
      notes: "Password known to attacker (prompts came after correct password); user denied and reported. Reset.",
    };
  }
  const success = signin(b, {
    time: shift(b.t0, 1),
    net,
    ip,
    device: null,
    ua: UA.linuxChrome,
    mfa: { required: true, method: "Authenticator push", result: "satisfied" },
    risk: "high",
  });
  const reg = methodRegistered(
    b,
    shift(b.t0, rng.int(5, 20)),
    ip,
    net,
    "Authenticator push",
    injected(o, rng.pick(["Galaxy A14", "SM-A146B", "iPhone"])),
    "mfa_existing_method",
  );
  return {
    alert,
    verdict: "true_positive",
    escalate: true,
    actions: ["revoke_user_sessions", "force_password_reset", "require_mfa_reregistration"],
    required: [push, success, reg],
    minutes: [45, 100],
    notes: `MFA fatigue: ${denied} denials then an approval; attacker registered their own authenticator from ${net.org}. ${TP_NOTE}`,
    ...adversarial(o),
  };
};

export type SprayIncident = { id: string; net: Net; ips: string[]; start: string };

/** One user's slice of a password spray across the tenant; `success` if legacy auth let it in. */
export function spray(inc: SprayIncident, success: boolean): Scenario {
  return (b) => {
    const { rng, user } = b;
    baseline(b);
    const ip = rng.pick(inc.ips);
    const clientApp = rng.pick(["IMAP4", "Authenticated SMTP", "Other clients"]);
    const ua = clientApp === "Other clients" ? UA.ropc : "";
    const fails: string[] = [];
    for (let i = rng.int(1, 3); i > 0; i--)
      fails.push(
        signin(b, {
          time: shift(b.t0, -i * rng.int(3, 20)),
          net: inc.net,
          ip,
          device: null,
          ua,
          clientApp,
          result: "failure",
          errorCode: rng.chance(0.85) ? 50126 : 50053,
          failure: "Invalid username or password",
          mfa: { required: false, method: null, result: "not_required" },
        }),
      );
    const intel = hostileIntel(b, ip, inc.net, 0.6, "brute_force");
    risk(b, "passwordSpray", success ? "high" : "medium", ip, inc.net, { incident_ips: inc.ips });
    const alert = alertFor(b, {
      detection: "passwordSpray",
      level: success ? "high" : "medium",
      ip,
      net: inc.net,
      ua,
      description: `Password spray against ${user.upn} from ${inc.net.org} over ${clientApp}.`,
    });
    if (!success)
      return {
        alert,
        verdict: "true_positive",
        escalate: true,
        actions: ["block_ip_range", "add_case_note"],
        required: [fails[0]!, intel],
        minutes: [12, 25],
        notes: `Part of spray ${inc.id}; every attempt failed. Source range blocked at the IdP.`,
      };
    const ok = signin(b, {
      time: b.t0,
      net: inc.net,
      ip,
      device: null,
      ua,
      clientApp: "IMAP4",
      mfa: { required: false, method: null, result: "not_required" },
      conditionalAccess: "notApplied",
      risk: "high",
    });
    const read = saas(b, shift(b.t0, rng.int(1, 10)), ip, {
      workload: "Exchange",
      operation: "MailItemsAccessed",
      items: rng.int(150, 1200),
      client: "IMAP4",
    });
    return {
      alert,
      verdict: "true_positive",
      escalate: true,
      actions: ["force_password_reset", "revoke_user_sessions", "block_ip_range"],
      required: [ok, read],
      minutes: [60, 120],
      notes: `Spray ${inc.id} guessed this password; legacy IMAP (excluded from MFA) read the mailbox.`,
    };
  };
}

/** SIM swap: self-service reset over SMS, then the attacker enrols their own authenticator. */
export const ssprTakeover: Scenario = (b, o) => {
  const { rng, user } = b;
  baseline(b);
  const net = hostingNet(rng);
  const ip = ipIn(rng, net);
  const correlation = guid(rng);
  const reset = audit(b, shift(b.t0, -rng.int(20, 40)), {
    event: "password_reset",
    initiated_by: "self_service",
    method: "SMS",
    from_ip: ip,
    from_country: net.place.country,
    correlation_id: correlation,
  });
  if (o.sensitive)
    audit(
      b,
      shift(b.t0, -rng.int(19, 20)),
      { correlation_id: correlation, reset_link: `https://passwordreset.halvorsen.example/r?t=${rng.hex(32)}` },
      true,
    );
  const flagged = signin(b, {
    time: shift(b.t0, -rng.int(5, 15)),
    net,
    ip,
    device: null,
    ua: UA.linuxChrome,
    mfa: { required: true, method: "SMS", result: "satisfied" },
    risk: "high",
  });
  const reg = methodRegistered(
    b,
    b.t0,
    ip,
    net,
    "Authenticator push",
    rng.pick(["Galaxy A14", "Redmi Note 12"]),
    "mfa_sms",
  );
  b.add(SOURCES.mfa, shift(b.t0, 2), [b.account()], {
    event: "method_removed",
    method: "Authenticator push (number matching)",
    device_name: user.phone.name,
  });
  hostileIntel(b, ip, net, 0.3, "proxy");
  risk(b, "unfamiliarFeatures", "high", ip, net);
  return {
    alert: alertFor(b, {
      detection: "unfamiliarFeatures",
      level: "high",
      ip,
      net,
      ua: UA.linuxChrome,
      description: `Password reset and sign-in for ${user.upn} from ${net.org} (${net.place.country}) with SMS MFA.`,
    }),
    verdict: "true_positive",
    escalate: true,
    actions: ["disable_account", "revoke_user_sessions", "require_mfa_reregistration"],
    required: [reset, reg, flagged],
    minutes: [60, 150],
    notes:
      "SIM swap: SMS reset from a VPS, old authenticator removed, attacker's phone enrolled. Account disabled pending re-proofing.",
  };
};
