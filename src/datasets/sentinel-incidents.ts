import { InputError } from "../io/errors.js";
import type { Label, Verdict } from "../schema/index.js";
import { readCsv } from "./csv-reader.js";
import { isRecord, str } from "./values.js";

export type IncidentFacts = { incident_id: string; label?: Label };

const CLASSIFICATION: Record<string, Verdict> = {
  TruePositive: "true_positive",
  BenignPositive: "benign_positive",
  FalsePositive: "false_positive",
};

/**
 * A Sentinel `SecurityIncident` export, indexed by alert id (from each incident's `AlertIds`). The
 * incident's classification is the analyst's verdict for every alert in it; `Undetermined` or an
 * empty classification gives no label.
 */
export async function readIncidents(file: string): Promise<Map<string, IncidentFacts>> {
  const byAlert = new Map<string, IncidentFacts>();
  const rows = readCsv(file, {
    onHeader: (columns, line) => {
      for (const need of ["AlertIds", "Classification"])
        if (!columns.includes(need))
          throw new InputError(`${file}:${line}: header: column "${need}" is missing (not a SecurityIncident export?)`);
    },
  });
  for await (const { line, row } of rows) {
    const incident = str(row.ProviderIncidentId) ?? str(row.IncidentNumber) ?? str(row.IncidentName);
    if (!incident) throw new InputError(`${file}:${line}: ProviderIncidentId: the incident has no id`, file, line);
    let alertIds: unknown;
    try {
      alertIds = JSON.parse(row.AlertIds || "[]");
    } catch (e) {
      throw new InputError(`${file}:${line}: AlertIds: cell is not JSON (${(e as Error).message})`, file, line);
    }
    if (!Array.isArray(alertIds))
      throw new InputError(`${file}:${line}: AlertIds: expected a JSON list of alert ids`, file, line);
    const facts: IncidentFacts = { incident_id: incident, label: labelOf(row) };
    for (const id of alertIds) if (typeof id === "string") byAlert.set(id, facts);
  }
  return byAlert;
}

function labelOf(row: Record<string, string>): Label | undefined {
  const verdict = CLASSIFICATION[(row.Classification ?? "").trim()];
  if (!verdict) return undefined;
  const reason = [str(row.ClassificationReason), str(row.ClassificationComment)].filter(Boolean).join(" — ");
  const label: Label = {
    verdict,
    escalate: verdict === "true_positive",
    actions: [],
    required_evidence: [],
    notes: `Sentinel incident ${row.IncidentNumber || row.ProviderIncidentId} classified ${row.Classification}${reason ? `: ${reason}` : ""}`,
  };
  const analyst = ownerOf(row.Owner);
  if (analyst) label.analyst = analyst;
  return label;
}

function ownerOf(cell: string | undefined): string | undefined {
  if (!cell) return undefined;
  try {
    const o: unknown = JSON.parse(cell);
    return isRecord(o) ? (str(o.userPrincipalName) ?? str(o.email) ?? str(o.assignedTo)) : undefined;
  } catch {
    return str(cell);
  }
}
