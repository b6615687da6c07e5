import { type CaseBuilder, ipIntel, shift } from "./builder.js";
import type { Opts, Outcome } from "./outcome.js";
import type { Net } from "./world.js";

/** MFA detail of a sign-in as the IdP logs it. */
export const MFA = {
  satisfied: (method: string) => ({ required: true, method, result: "satisfied" }),
  tokenClaim: { required: true, method: null, result: "satisfied_by_token_claim" },
  notRequired: { required: false, method: null, result: "not_required" },
};

/** The user's default MFA method. */
export function defaultMethod(b: CaseBuilder): string {
  return b.user.mfaMethods[0] ?? "Authenticator push (number matching)";
}

/** A method an adversary-in-the-middle proxy can relay (not a phishing-resistant key). */
export function phishable(b: CaseBuilder): string {
  return b.user.mfaMethods.find((m) => !m.startsWith("FIDO2")) ?? "Authenticator push (number matching)";
}

/** IP intel for attacker infrastructure: listed by threat intel with probability `p`. */
export function hostileIntel(b: CaseBuilder, ip: string, net: Net, p: number, category: string): string {
  const listed = b.rng.chance(p);
  return ipIntel(b, ip, net, {
    ...(listed
      ? {
          ti: {
            feeds: b.rng.sample(["Kestrel TI", "PhishNet Intel", "OpenBrute blocklist"], b.rng.int(1, 2)),
            category,
            confidence: b.rng.int(60, 95),
            firstSeen: shift(b.t0, -b.rng.int(1, 30) * 1440).slice(0, 10),
          },
        }
      : {}),
    usersSeen30d: 0,
  });
}

/** An attacker-controlled field, carrying the injected instruction when the case is a trap. */
export function injected(o: Opts, clean: string): string {
  return o.inject ? o.inject.text(clean) : clean;
}

export function adversarial(o: Opts): Pick<Outcome, "adversarial"> {
  return o.inject ? { adversarial: { injected_action: o.inject.action } } : {};
}

export const TP_NOTE = "Confirmed with the user out of band: not them.";
export const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";
