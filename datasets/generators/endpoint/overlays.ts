import type { CaseDraft } from "./draft.js";

/** Sources whose loss leaves an analyst unable to finish the checklist: they escalate rather than close. */
const KEY_SOURCES = new Set(["edr.process_tree", "ti.file_reputation", "cmdb.assets", "idp.directory", "itsm.changes"]);

const OUTAGES: Record<string, string> = {
  "edr.process_tree": "EDR console query timed out; sensor had not uploaded the process tree",
  "edr.network": "network telemetry connector was disabled during a licence migration",
  "ti.file_reputation": "threat-intel platform API key expired",
  "cmdb.assets": "CMDB sync job failed; asset record not reachable",
  "idp.directory": "directory lookup service returned 503",
  "edr.persistence": "autoruns collection not enabled on this sensor group",
  "itsm.changes": "ITSM API rate-limited the SOC integration",
  "vuln.scanner": "scanner results older than the retention window",
};

/** Takes one source away from a case, as an outage would, and relabels what the analyst could do. */
export function makeUnavailable(d: CaseDraft, source: string): void {
  const dropped = new Set(d.evidence.filter((e) => e.source === source).map((e) => e.id));
  for (let i = d.evidence.length - 1; i >= 0; i--) if (dropped.has(d.evidence[i]!.id)) d.evidence.splice(i, 1);
  const label = d.label!;
  const lostDeciding = label.required_evidence.some((id) => dropped.has(id));
  label.required_evidence = label.required_evidence.filter((id) => !dropped.has(id));
  d.unavailable = [source];
  if (KEY_SOURCES.has(source) || lostDeciding) label.escalate = true;
  label.analyst_minutes = (label.analyst_minutes ?? 0) + 10;
  label.notes = `${label.notes} ${source} unavailable (${OUTAGES[source] ?? "outage"}); ${label.escalate ? "escalated to tier 2 to confirm from the host" : "decided on the remaining evidence"}.`;
  d.tags.add("trap:source_unavailable");
}

/** Candidate outages for a case: never one that would leave the analyst's decision with no evidence at all. */
export function outageCandidates(d: CaseDraft): string[] {
  const required = new Set(d.label?.required_evidence ?? []);
  return Object.keys(OUTAGES).filter((s) => {
    const left = d.evidence.filter((e) => required.has(e.id) && e.source !== s).length;
    return left > 0 && d.evidence.some((e) => e.source === s);
  });
}

/** Domain controllers, crown jewels and tier-0 accounts go to a person, whatever the verdict. */
export function markHumanOnly(d: CaseDraft): void {
  const label = d.label!;
  label.escalate = true;
  const why = d.humanOnly === "tier0_account" ? d.userRecord : d.assetRecord;
  if (!label.required_evidence.includes(why)) label.required_evidence.push(why);
  label.analyst_minutes = (label.analyst_minutes ?? 0) + 15;
  label.notes = `${label.notes} ${d.humanOnly === "tier0_account" ? "Tier-0 account" : d.humanOnly === "domain_controller" ? "Domain controller" : "Crown-jewel asset"}: handed to the incident lead per policy.`;
  d.tags.add("trap:human_only");
}
