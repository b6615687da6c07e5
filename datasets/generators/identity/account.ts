import { alertFor, baseline, pushActivity } from "./baseline.js";
import { audit, deviceRecord, ipIntel, risk, saas, shift, signin } from "./builder.js";
import { defaultMethod, FIREFOX, MFA } from "./helpers.js";
import type { Scenario } from "./outcome.js";
import { guid, ipIn, mobileNet, PLACES, residentialNet, saseNet, UA } from "./world.js";

/** New phone: helpdesk issued a temporary access pass, the user enrolled the authenticator on it. */
export const newPhone: Scenario = (b, o) => {
  const { rng, user } = b;
  baseline(b);
  const ios = rng.chance(0.55);
  const phone = {
    id: guid(rng),
    name: ios ? "iPhone 15" : rng.pick(["Pixel 9", "Galaxy S24"]),
    os: ios ? "iOS 17.6" : "Android 14",
    kind: "phone" as const,
    ownership: user.phone.ownership,
    managed: false,
    compliant: false,
    ua: ios ? UA.outlookIos : UA.teamsAndroid,
  };
  const net = mobileNet(user.office);
  const ip = ipIn(rng, net);
  const viaTap = o.sensitive || rng.chance(0.6);
  const ticket = `HD-${rng.int(100000, 999999)}`;
  const tap = viaTap
    ? audit(b, shift(b.t0, -rng.int(10, 40)), {
        event: "temporary_access_pass_issued",
        initiated_by: "helpdesk",
        operator: `hd.${rng.pick(["ops", "tier1", "desk"])}@halvorsen.example`,
        ticket,
        lifetime_minutes: 60,
        verification: "video call, confirmed by line manager",
      })
    : "";
  if (o.sensitive) {
    const code = `${rng.hex(4).toUpperCase()}-${rng.hex(4)}-${rng.hex(4).toUpperCase()}`;
    audit(b, shift(b.t0, -rng.int(5, 9)), { ticket, temporary_access_pass: `TAP ${code}` }, true);
  }
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: phone,
    ua: phone.ua,
    clientApp: "Mobile Apps and Desktop clients",
    mfa: viaTap
      ? { required: true, method: "Temporary Access Pass", result: "satisfied" }
      : MFA.satisfied(user.mfaMethods.find((m) => m.startsWith("FIDO2")) ?? "TOTP (authenticator app code)"),
    risk: "medium",
  });
  const reg = b.add("idp.mfa", shift(b.t0, rng.int(2, 12)), [b.account(), { type: "ip", value: ip }], {
    event: "method_registered",
    method: "Authenticator push (number matching)",
    device_name: phone.name,
    from_ip: ip,
    from_country: net.place.country,
    registration_auth: viaTap ? "temporary_access_pass" : "mfa_existing_method",
  });
  deviceRecord(b, phone, { edr: false, note: "enrollment in progress" });
  risk(b, "unfamiliarFeatures", rng.pick(["low", "medium"]), ip, net);
  ipIntel(b, ip, net, { usersSeen30d: rng.int(15, 200) });
  return {
    alert: alertFor(b, {
      detection: "unfamiliarFeatures",
      level: "medium",
      ip,
      net,
      ua: phone.ua,
      device: phone,
      description: `Sign-in for ${user.upn} from an unfamiliar device (${phone.name}) on ${net.org}.`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: viaTap ? [flagged, reg, tap] : [flagged, reg],
    minutes: [8, 16],
    notes: viaTap
      ? `New phone; helpdesk ${ticket} issued a TAP after manager verification; authenticator enrolled from it.`
      : "New phone enrolled using the existing strong method; home carrier, same country.",
  };
};

/** A few mistyped passwords from home in a new browser. */
export const typoFailures: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const base = baseline(b);
  for (let i = rng.int(2, 5); i > 0; i--)
    signin(b, {
      time: shift(b.t0, -i),
      net: user.home,
      ip: base.homeIp,
      device: user.laptop,
      ua: FIREFOX,
      result: "failure",
      errorCode: 50126,
      failure: "Invalid username or password",
      mfa: { required: true, method: null, result: "not_attempted" },
    });
  const flagged = signin(b, {
    time: b.t0,
    net: user.home,
    ip: base.homeIp,
    device: user.laptop,
    ua: FIREFOX,
    mfa: MFA.satisfied(defaultMethod(b)),
    risk: "low",
  });
  ipIntel(b, base.homeIp, user.home, { usersSeen30d: 1 });
  risk(b, "unfamiliarFeatures", "low", base.homeIp, user.home);
  return {
    alert: alertFor(b, {
      detection: "unfamiliarFeatures",
      level: "low",
      ip: base.homeIp,
      net: user.home,
      ua: FIREFOX,
      device: user.laptop,
      description: `Failed sign-ins then success for ${user.upn} with an unfamiliar browser.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [flagged, base.laptop],
    minutes: [3, 8],
    notes: "Typos from the usual home IP on the user's own compliant laptop, new browser; MFA passed.",
  };
};

/** The user changed broadband provider: a new ASN in the same city. */
export const newIsp: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  baseline(b);
  let net = residentialNet(rng, user.office);
  for (let i = 0; i < 4 && net.org === user.home.org; i++) net = residentialNet(rng, user.office);
  const ip = ipIn(rng, net);
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
    risk: "medium",
  });
  const intel = ipIntel(b, ip, net, { usersSeen30d: 1 });
  risk(b, "unfamiliarFeatures", "medium", ip, net);
  return {
    alert: alertFor(b, {
      detection: "unfamiliarFeatures",
      level: "medium",
      ip,
      net,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `Sign-in for ${user.upn} from a new network (${net.org}).`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [flagged, intel],
    minutes: [5, 10],
    notes: `New residential ISP in ${user.office.city}, compliant laptop, MFA satisfied. User moved provider.`,
  };
};

/** Number matching: the user typed the wrong number a couple of times, then approved. */
export const mfaDeniedAccident: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const base = baseline(b);
  const denied = rng.weighted([
    [1, 4],
    [2, 4],
    [3, 2],
  ] as const);
  const push = pushActivity(b, b.t0, base.homeIp, user.home, {
    prompts: denied + 1,
    denied,
    approved: 1,
    window: rng.int(2, 6),
    numberMatching: true,
  });
  const flagged = signin(b, {
    time: b.t0,
    net: user.home,
    ip: base.homeIp,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied("Authenticator push (number matching)"),
  });
  ipIntel(b, base.homeIp, user.home, { usersSeen30d: 1 });
  return {
    alert: alertFor(b, {
      detection: "mfaPushBurst",
      level: "low",
      ip: base.homeIp,
      net: user.home,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `${denied} denied MFA prompts followed by an approval for ${user.upn}.`,
    }),
    verdict: "false_positive",
    escalate: false,
    actions: ["add_case_note"],
    required: [push, flagged],
    minutes: [4, 9],
    notes: "Prompts came from the user's own sign-in at home on the usual laptop; wrong number typed, then approved.",
  };
};

/** The user forwards work mail to a personal mailbox: a policy problem, not a compromise. */
export const forwardPersonal: Scenario = (b) => {
  b.withCompliantDevices();
  const { rng, user } = b;
  const base = baseline(b);
  const flagged = signin(b, {
    time: shift(b.t0, -rng.int(5, 30)),
    net: user.home,
    ip: base.homeIp,
    device: user.laptop,
    ua: user.laptop.ua,
    mfa: MFA.satisfied(defaultMethod(b)),
  });
  const personal = `${user.upn.split("@")[0]!.replace(".", "")}${rng.int(1, 99)}@inboxly.example`;
  const rule = saas(b, b.t0, base.homeIp, {
    workload: "Exchange",
    operation: "New-InboxRule",
    rule_name: rng.pick(["Forward to home", "copy all", "Personal backup"]),
    conditions: "all messages",
    rule_actions: { forward_to: personal },
    forwards_to_external: true,
    user_agent: user.laptop.ua,
  });
  ipIntel(b, base.homeIp, user.home, { usersSeen30d: 1 });
  risk(b, "suspiciousInboxForwarding", "medium", base.homeIp, user.home);
  return {
    alert: alertFor(b, {
      detection: "suspiciousInboxForwarding",
      level: "medium",
      ip: base.homeIp,
      net: user.home,
      ua: user.laptop.ua,
      device: user.laptop,
      description: `Inbox rule forwarding all mail of ${user.upn} to an external address.`,
    }),
    verdict: "benign_positive",
    escalate: false,
    actions: ["remove_mail_forwarding_rule", "confirm_with_user"],
    required: [rule, flagged],
    minutes: [10, 20],
    notes:
      "User set the rule from home on the usual laptop to read mail on a personal account; rule removed, policy reminder.",
  };
};

/** Quarterly emergency-access test, announced by a change ticket. Always handled by a person. */
export const breakGlassTest: Scenario = (b) => {
  const { rng, user } = b;
  baseline(b);
  const net = saseNet(user.office.country === "US" ? PLACES.ashburn : PLACES.london);
  const ip = ipIn(rng, net);
  const change = `CHG-${rng.int(10000, 99999)}`;
  const chg = audit(b, shift(b.t0, -rng.int(60, 600)), {
    event: "emergency_access_test_scheduled",
    initiated_by: "change_management",
    ticket: change,
    window_hours: 2,
  });
  const flagged = signin(b, {
    time: b.t0,
    net,
    ip,
    device: null,
    ua: UA.edge,
    app: "Azure Portal",
    mfa: MFA.satisfied("FIDO2 security key"),
    risk: "none",
  });
  ipIntel(b, ip, net, { usersSeen30d: rng.int(80, 600), note: "Zephyr SASE egress" });
  return {
    alert: alertFor(b, {
      detection: "emergencyAccessSignin",
      level: "high",
      ip,
      net,
      ua: UA.edge,
      description: `Emergency access account ${user.upn} signed in to the Azure Portal.`,
    }),
    verdict: "benign_positive",
    escalate: true,
    actions: ["add_case_note"],
    required: [flagged, chg],
    minutes: [10, 20],
    notes: `Scheduled break-glass test under ${change}; FIDO2 key from the vault. Lead informed.`,
  };
};
