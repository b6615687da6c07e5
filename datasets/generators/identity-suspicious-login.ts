import type { Case } from "../../src/schema/index.js";
import { CaseBuilder } from "./identity/builder.js";
import type { Outcome } from "./identity/outcome.js";
import { makePeople, type People } from "./identity/people.js";
import { plan, type Slot, sprayTime } from "./identity/plan.js";
import { ANALYSTS } from "./identity/world.js";
import type { Generator, Rng } from "./rng.js";

const WORKFLOW = "identity-suspicious-login";

function userFor(rng: Rng, people: People, who: Slot["who"]) {
  const pool = {
    standard: people.standard,
    privileged: people.privileged,
    executive: people.executive,
    break_glass: people.breakGlass,
    service: people.service,
  }[who];
  return rng.pick(pool);
}

/**
 * What an analyst does differently when a source was down (they could not verify, so they escalate
 * and check with the user) or the account is privileged (a person must own the decision).
 */
function adjust(slot: Slot, out: Outcome, b: CaseBuilder): { unavailable: string[] } {
  if (slot.tags.includes("trap:human_only")) {
    out.escalate = true;
    out.minutes = [out.minutes[0] + 10, out.minutes[1] + 20];
    out.notes += " Privileged/executive/emergency account: decision owned by the identity lead.";
  }
  if (!slot.unavailable) return { unavailable: [] };
  const source = slot.unavailable;
  const dropped = new Set(b.evidence.filter((e) => e.source === source).map((e) => e.id));
  b.evidence.splice(0, b.evidence.length, ...b.evidence.filter((e) => !dropped.has(e.id)));
  out.required = out.required.filter((id) => !dropped.has(id));
  out.escalate = true;
  if (out.verdict !== "true_positive" && !out.actions.includes("confirm_with_user"))
    out.actions = ["confirm_with_user", ...out.actions];
  out.minutes = [out.minutes[0] + 10, out.minutes[1] + 15];
  out.notes += ` ${source} was unavailable; escalated and verified with the user.`;
  return { unavailable: [source] };
}

function generate(rng: Rng, count: number): Case[] {
  const people = makePeople(rng);
  return plan(rng, count).map((slot, i) => {
    const t0 = slot.incident ? sprayTime(rng, slot.incident) : rng.timeAfter("2025-02-03T00:00:00Z", 0, 234 * 1440);
    const b = new CaseBuilder(rng, people, userFor(rng, people, slot.who), t0);
    const out = slot.scenario(b, slot.opts);
    const { unavailable } = adjust(slot, out, b);
    const evidence = [...b.evidence].sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
    return {
      id: `idp-${String(i + 1).padStart(4, "0")}`,
      workflow: WORKFLOW,
      ...(slot.incident ? { incident_id: slot.incident.id } : {}),
      alert: out.alert,
      evidence,
      unavailable,
      label: {
        verdict: out.verdict,
        escalate: out.escalate,
        actions: out.actions,
        required_evidence: out.required.filter((id) => id !== ""),
        analyst: rng.pick(ANALYSTS),
        analyst_minutes: rng.int(out.minutes[0], out.minutes[1]),
        notes: out.notes,
      },
      tags: [`scenario:${slot.name}`, ...slot.tags],
      ...(out.adversarial ? { adversarial: out.adversarial } : {}),
    };
  });
}

/** Identity / suspicious-login cases: IdP risk alerts over a fictional tenant, labelled as an analyst would. */
export const generator: Generator = {
  workflow: WORKFLOW,
  version: "1",
  defaultCount: 320,
  defaultSeed: 4127,
  generate,
};
