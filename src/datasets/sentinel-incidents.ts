import { InputError } from "../io/errors.js";
import type { Label, Verdict } from "../schema/index.js";
import { readCsv } from "./csv-reader.js";
import { isRecord, str, timeField } from "./values.js";

export type IncidentFacts = { incident_id: string; label?: Label };

/** One incident row as a claim on its alerts: which row, and when the incident was last changed. */
type Claim = { facts: IncidentFacts; line: number; modified: string | undefined; classification: string };

// keyed by the classification lower-cased without spaces, "_" or "-": a portal or hand-kept export
// writes "True positive" or "true_positive" for the table's TruePositive
const CLASSIFICATION: Record<string, Verdict | null> = {
  truepositive: "true_positive",
  benignpositive: "benign_positive",
  falsepositive: "false_positive",
  undetermined: null,
};

/**
 * The verdict an incident row's Classification gives; undefined when it gives none (empty or
 * Undetermined). Any other value is refused: read as no label, it would drop the alert from every
 * agreement figure without a word.
 */
function classificationVerdict(row: Record<string, string>, file: string, line: number): Verdict | undefined {
  const cell = (row.Classification ?? "").trim();
  if (!cell) return undefined;
  const verdict = CLASSIFICATION[cell.toLowerCase().replace(/[\s_-]/g, "")];
  if (verdict === undefined)
    throw new InputError(
      `${file}:${line}: Classification: "${cell}" is not a Sentinel classification (TruePositive, BenignPositive, FalsePositive or Undetermined)`,
      file,
      line,
    );
  return verdict ?? undefined;
}

/**
 * A Sentinel `SecurityIncident` export, indexed by alert id (from each incident's `AlertIds`). The
 * incident's classification is the analyst's verdict for every alert in it; `Undetermined` or an
 * empty classification gives no label.
 */
export async function readIncidents(file: string): Promise<Map<string, IncidentFacts>> {
  const byAlert = new Map<string, Claim>();
  const rows = readCsv(file, {
    onHeader: (columns, line) => {
      for (const need of ["AlertIds", "Classification"])
        if (!columns.includes(need))
          throw new InputError(
            `${file}:${line}: header: column "${need}" is missing (not a SecurityIncident export?)`,
            file,
            line,
          );
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
    const claim: Claim = {
      facts: { incident_id: incident, label: labelOf(row, classificationVerdict(row, file, line)) },
      line,
      modified: modifiedAt(row, file, line),
      classification: (row.Classification ?? "").trim() || "unclassified",
    };
    for (const id of alertIds) if (typeof id === "string") byAlert.set(id, current(byAlert.get(id), claim, id, file));
  }
  return new Map([...byAlert].map(([id, c]) => [id, c.facts]));
}

/**
 * When the incident row was last changed. The SecurityIncident table logs a row for every change
 * (New, then Active, then Closed with its classification), and an export sorted newest first is
 * common: so the last change decides, never the row order.
 */
function modifiedAt(row: Record<string, string>, file: string, line: number): string | undefined {
  for (const column of ["LastModifiedTime", "TimeGenerated"]) {
    const t = timeField(row[column], (msg) => {
      throw new InputError(`${file}:${line}: ${column}: ${msg}`, file, line);
    });
    if (t) return t;
  }
  return undefined;
}

/**
 * Which of two rows listing one alert holds its current classification: the one changed last. Rows
 * that times cannot order (no time, or the same) may only disagree about nothing that matters: two
 * verdicts for one alert would leave the label to the order of the rows.
 */
function current(held: Claim | undefined, next: Claim, alertId: string, file: string): Claim {
  if (!held) return next;
  if (held.modified && next.modified && held.modified !== next.modified)
    return new Date(next.modified) > new Date(held.modified) ? next : held;
  if (held.facts.label?.verdict === next.facts.label?.verdict) return next;
  const where = (c: Claim) => `incident ${c.facts.incident_id} on line ${c.line} (${c.classification})`;
  throw new InputError(
    `${file}:${next.line}: Classification: alert ${alertId} is in ${where(held)} and ${where(next)}, and no LastModifiedTime or TimeGenerated tells which is current`,
    file,
    next.line,
  );
}

function labelOf(row: Record<string, string>, verdict: Verdict | undefined): Label | undefined {
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
