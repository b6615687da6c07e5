import { generator as cloudAlertEnrichment } from "./cloud-alert-enrichment.js";
import { generator as endpointInvestigation } from "./endpoint-investigation.js";
import { generator as identitySuspiciousLogin } from "./identity-suspicious-login.js";
import { generator as phishingTriage } from "./phishing-triage.js";
import type { Generator } from "./rng.js";

/** Every bundled workflow's case generator; `npm run datasets` writes each one's cases.jsonl. */
export const GENERATORS: Generator[] = [
  identitySuspiciousLogin,
  cloudAlertEnrichment,
  endpointInvestigation,
  phishingTriage,
];
