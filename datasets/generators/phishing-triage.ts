import type { Case } from "../../src/schema/index.js";
import { assemble } from "./phishing-triage/assemble.js";
import { bec, compromisedVendor } from "./phishing-triage/bec.js";
import { internalNotice, marketing, vendorInvoice } from "./phishing-triage/benign.js";
import { campaign } from "./phishing-triage/campaigns.js";
import { exonerating } from "./phishing-triage/exonerating.js";
import { credPhish } from "./phishing-triage/malicious.js";
import { malware } from "./phishing-triage/payload.js";
import { saasNotice } from "./phishing-triage/saas.js";
import type { Ctx, Scenario } from "./phishing-triage/scenario.js";
import { humanOnly, injection, sensitive, tiFalsePositive, unavailable } from "./phishing-triage/traps.js";
import { simulation, spam } from "./phishing-triage/unwanted.js";
import { buildWorld } from "./phishing-triage/world.js";
import type { Generator, Rng } from "./rng.js";

/**
 * Synthetic user-reported phishing cases for the phishing-triage workflow. Most reports are
 * legitimate mail (newsletters, internal notices, invoices, SaaS notifications, sanctioned
 * simulations, spam); roughly a quarter are real phishing. Trap cases are a fixed share of the set.
 */

/** Trap builders and how many of each a 320-case set holds; scaled with the count. */
const TRAPS: [(x: Ctx, i: number) => Scenario, number][] = [
  [tiFalsePositive, 14],
  [exonerating, 16],
  [injection, 12],
  [unavailable, 14],
  [sensitive, 12],
  [humanOnly, 12],
];
const CAMPAIGNS_PER_320 = 5;
const CAMPAIGN_SIZE = 4;

const BASE: [(x: Ctx) => Scenario, number][] = [
  [(x) => marketing(x), 40],
  [internalNotice, 28],
  [(x) => vendorInvoice(x), 28],
  [(x) => saasNotice(x), 24],
  [simulation, 26],
  [spam, 16],
  [(x) => credPhish(x), 10],
  [(x) => credPhish(x, { fresh: true }), 4],
  [(x) => credPhish(x, { fresh: true, evasive: true }), 3],
  [(x) => malware(x), 7],
  [(x) => malware(x, true), 3],
  [(x) => bec(x, "ceo_freemail"), 3],
  [(x) => bec(x, "vendor_lookalike"), 3],
  [(x) => bec(x, "spoofed_reply_to"), 4],
  [compromisedVendor, 3],
];

const START = Date.parse("2025-01-06T00:00:00Z"); // a Monday

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Office-hours weekdays mostly; reports follow the message within minutes to hours. */
function when(rng: Rng): { sent_at: string; reported_at: string } {
  const day = rng.chance(0.93) ? rng.int(0, 24) * 7 + rng.int(0, 4) : rng.int(0, 24) * 7 + rng.int(5, 6);
  const sent = START + day * 86400000 + rng.int(6 * 60, 18 * 60) * 60000 + rng.int(0, 59) * 1000;
  const delay = rng.weighted([
    [rng.int(15, 45), 5],
    [rng.int(45, 180), 3],
    [rng.int(180, 600), 1],
  ] as const);
  return { sent_at: iso(sent), reported_at: iso(sent + delay * 60000) };
}

export const generator: Generator = {
  workflow: "phishing-triage",
  version: "1",
  defaultCount: 320,
  defaultSeed: 20250106,
  generate(rng: Rng, count: number): Case[] {
    const world = buildWorld(rng);
    const scale = count / 320;
    const scenarios: Scenario[] = [];
    const run = (make: (x: Ctx) => Scenario | Scenario[]) => {
      const x: Ctx = { rng, world, ...when(rng) };
      for (const s of [make(x)].flat()) scenarios.push({ ...s, reported_at: s.reported_at ?? x.reported_at });
    };
    for (const [make, per320] of TRAPS) {
      const n = Math.round(per320 * scale);
      for (let i = 0; i < n; i++) run((x) => make(x, i));
    }
    const campaigns = Math.round(CAMPAIGNS_PER_320 * scale);
    for (let i = 0; i < campaigns; i++) run((x) => campaign(x, i, CAMPAIGN_SIZE));
    for (const make of baseMix(rng, count - scenarios.length)) run(make);

    const cases = scenarios.slice(0, count).map((s) => assemble(rng, s, s.reported_at!));
    return cases
      .map((c, i) => ({ c, i }))
      .sort((a, b) => a.c.alert.time.localeCompare(b.c.alert.time) || a.i - b.i)
      .map(({ c }, n) => ({ id: `phish-${String(n + 1).padStart(4, "0")}`, ...c }) as Case);
  },
};

/** The ordinary reports in fixed proportions (largest remainder), shuffled, so every seed has the same mix. */
function baseMix(rng: Rng, n: number): ((x: Ctx) => Scenario)[] {
  if (n <= 0) return [];
  const total = BASE.reduce((sum, [, w]) => sum + w, 0);
  const quota = BASE.map(([make, w]) => ({ make, exact: (w * n) / total, k: Math.floor((w * n) / total) }));
  let left = n - quota.reduce((sum, q) => sum + q.k, 0);
  for (const q of [...quota].sort((a, b) => b.exact - b.k - (a.exact - a.k))) if (left-- > 0) q.k++;
  return rng.sample(
    quota.flatMap((q) => Array.from({ length: q.k }, () => q.make)),
    n,
  );
}
