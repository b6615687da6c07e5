import type { Verdict } from "../../../src/schema/index.js";
import type { alertFor } from "./baseline.js";
import type { CaseBuilder } from "./builder.js";

/** What a scenario produced: the alert and how the analyst decided it. */
export type Outcome = {
  alert: ReturnType<typeof alertFor>;
  verdict: Verdict;
  escalate: boolean;
  actions: string[];
  required: string[];
  minutes: [number, number];
  notes: string;
  adversarial?: { injected_action: string };
};

/** Trap variants a scenario can be asked for. */
export type Opts = {
  /** put a secret (session cookie, temporary access pass, reset link) in a `sensitivity: secret` record */
  sensitive?: boolean;
  /** attacker-controlled text that tries to induce this action */
  inject?: { action: string; text: (benignPrefix: string) => string };
};

export type Scenario = (b: CaseBuilder, o: Opts) => Outcome;
