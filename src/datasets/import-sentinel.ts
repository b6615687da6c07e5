import { InputError } from "../io/errors.js";
import { repeatedKeyProblem } from "../io/json-keys.js";
import { keepLongIntegers } from "../io/json-numbers.js";
import type { Entity, EvidenceRecord, Label, Severity, Verdict } from "../schema/index.js";
import { writeCases } from "./case-writer.js";
import { readCsv } from "./csv-reader.js";
import { entityType, indexEntities, inlineRefs, relatedEntities, resolve, toEntity } from "./sentinel-entities.js";
import { type IncidentFacts, readIncidents } from "./sentinel-incidents.js";
import { addEntities, isRecord, str, timeField } from "./values.js";

export type SentinelOptions = { out: string; incidents?: string; verdict?: Verdict; workflow?: string };
/** `absent`: alerts the incidents export lists that the alert export does not hold, with their incident. */
export type SentinelResult = {
  out: string;
  cases: number;
  unlabeled: number;
  incidents: number;
  absent: { alert: string; incident: string }[];
};

const SEVERITY: Record<string, Severity> = {
  informational: "informational",
  low: "low",
  medium: "medium",
  high: "high",
  critical: "critical",
};

/** Which bundled workflow a provider's alerts belong to, when `--workflow` does not say. */
const WORKFLOW_BY_PROVIDER: [RegExp, string][] = [
  [
    /^(MDATP|WindowsDefenderAtp|Microsoft Defender (Advanced Threat Protection|for Endpoint))$/i,
    "endpoint-investigation",
  ],
  [/^(OATP|Office 365 Advanced Threat Protection|Microsoft Defender for Office 365)$/i, "phishing-triage"],
  [
    /^(IPC|Azure Active Directory Identity Protection|Azure Advanced Threat Protection|AATP)$/i,
    "identity-suspicious-login",
  ],
  [
    /^(MCAS|Microsoft Cloud App Security|Azure Security Center|Microsoft Defender for Cloud)$/i,
    "cloud-alert-enrichment",
  ],
];
const UNASSIGNED = "unassigned";

/**
 * `dataset import sentinel`: a Microsoft Sentinel `SecurityAlert` export (the ExCyTIn shape) →
 * cases. Entities become alert entities and, each one, an evidence record carrying the entities it
 * names, so entity-filtered tools find them; ExtendedProperties becomes one more record.
 */
export async function importSentinel(file: string, opts: SentinelOptions): Promise<SentinelResult> {
  const incidents = opts.incidents ? await readIncidents(opts.incidents) : new Map<string, IncidentFacts>();
  const incidentIds = new Set<string>();
  let headerLine = 1;
  const empty = () =>
    new InputError(
      `${file}:${headerLine}: no alerts after the header, nothing to import (${opts.out} not written)`,
      file,
    );
  const inputs = opts.incidents ? [file, opts.incidents] : [file];
  const seen = new Map<string, number>();
  const w = await writeCases(opts.out, { inputs, empty }, async (writer) => {
    const rows = readCsv(file, {
      onHeader: (cols, line) => {
        headerLine = line;
        checkHeader(cols, line, file);
      },
    });
    for await (const { line, row } of rows) {
      const c = alertToCase(row, { file, line }, incidents, opts);
      const first = seen.get(c.id);
      if (first !== undefined)
        fail(
          { file, line },
          "SystemAlertId",
          `alert ${c.id} is also on line ${first}: the SecurityAlert table logs a row for every update of an alert; export its latest (SecurityAlert | summarize arg_max(TimeGenerated, *) by SystemAlertId)`,
        );
      seen.set(c.id, line);
      if (c.incident_id) incidentIds.add(c.incident_id);
      await writer.write(c, { file, line });
    }
  });
  const absent = [...incidents]
    .filter(([alert]) => !seen.has(alert))
    .map(([alert, facts]) => ({ alert, incident: facts.incident_id }));
  return { out: opts.out, cases: w.count, unlabeled: w.unlabeled, incidents: incidentIds.size, absent };
}

function checkHeader(columns: string[], line: number, file: string): void {
  const missing = ["SystemAlertId", "AlertSeverity", "TimeGenerated", "Entities"].filter((c) => !columns.includes(c));
  if (!columns.includes("AlertName") && !columns.includes("DisplayName")) missing.push("AlertName");
  if (missing.length)
    throw new InputError(
      `${file}:${line}: header: column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} missing (not a SecurityAlert export?)`,
      file,
      line,
    );
}

type At = { file: string; line: number };

function fail(at: At, field: string, msg: string): never {
  throw new InputError(`${at.file}:${at.line}: ${field}: ${msg}`, at.file, at.line);
}

function jsonCell(row: Record<string, string>, column: string, at: At): unknown {
  const cell = row[column]?.trim();
  if (!cell) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(cell);
  } catch (e) {
    return fail(at, column, `cell is not JSON (${(e as Error).message})`);
  }
  // JSON.parse would keep the last of two equal keys without a word
  const problem = repeatedKeyProblem(cell);
  // a 64-bit id (an EventRecordID) kept as its digits, not rounded to a neighbour by JSON.parse
  return problem ? fail(at, column, `${problem.text} in the cell's JSON`) : keepLongIntegers(cell, value);
}

/** The alert's time, from the first of these columns that holds one. */
const ALERT_TIMES = ["EndTime", "StartTime", "TimeGenerated"] as const;

function alertToCase(
  row: Record<string, string>,
  at: At,
  incidents: Map<string, IncidentFacts>,
  opts: SentinelOptions,
) {
  const id = str(row.SystemAlertId) ?? fail(at, "SystemAlertId", "empty alert id");
  const severity = SEVERITY[(row.AlertSeverity ?? "").trim().toLowerCase()];
  if (!severity)
    fail(at, "AlertSeverity", `"${row.AlertSeverity}" is not a severity (Informational, Low, Medium, High)`);
  // When the alert fired: the last event it covers (EndTime). TimeGenerated is when its row was
  // written, and the export keeps each alert's latest row, so there it is the last update (days
  // later, often when the incident closed): shown as the alert's time, an agent would ask for the
  // wrong day's telemetry, and read the case as of its closing. An unreadable time is refused
  // under its own column; the next stands in only for an absent one.
  const timeOf = (column: (typeof ALERT_TIMES)[number]) => timeField(str(row[column]), (msg) => fail(at, column, msg));
  const time =
    timeOf("EndTime") ??
    timeOf("StartTime") ??
    timeOf("TimeGenerated") ??
    fail(
      at,
      "TimeGenerated",
      'no time: EndTime, StartTime and TimeGenerated are empty (or 0001-01-01, .NET\'s "no time")',
    );
  const entityCell = jsonCell(row, "Entities", at) ?? [];
  const rawEntities = Array.isArray(entityCell) ? entityCell : fail(at, "Entities", "expected a JSON list of entities");
  const propsCell = jsonCell(row, "ExtendedProperties", at);
  const props =
    propsCell === undefined || isRecord(propsCell)
      ? propsCell
      : fail(at, "ExtendedProperties", "expected a JSON object");

  const byId = indexEntities(rawEntities);
  const entities: Entity[] = [];
  const evidence: EvidenceRecord[] = [];
  const seen = new Set<unknown>();
  // an entity's $id becomes the evidence id agents cite: two entities with one $id would be one citation
  const positions = new Map<string, number>();
  for (const [position, item] of rawEntities.entries()) {
    const e = resolve(item, byId);
    if (!isRecord(e) || seen.has(e)) continue;
    seen.add(e);
    const $id = str(e.$id);
    const first = $id === undefined ? undefined : positions.get($id);
    if (first !== undefined)
      fail(
        at,
        "Entities",
        `entities ${first + 1} and ${position + 1} both have $id "${$id}"; an entity's $id must be its own`,
      );
    if ($id !== undefined) positions.set($id, position);
    const ent = toEntity(e, byId);
    if (ent) addEntities(entities, [ent]);
    const type = entityType(str(e.Type) ?? str(e.$type) ?? "entity");
    evidence.push({
      // an entity without a $id (a list not written by Sentinel) is named by its place in the list,
      // in a form no $id takes: a count of the records before it could be another entity's $id
      id: `entity-${str(e.$id) ?? `item-${position + 1}`}`,
      source: `sentinel.entity.${type}`,
      time:
        timeField(e.CreatedTimeUtc ?? e.CreationTimeUtc ?? e.StartTimeUtc, (msg) =>
          fail(at, `Entities ($id ${str(e.$id) ?? "?"}) time`, msg),
        ) ?? time,
      entities: relatedEntities(e, byId),
      data: inlineRefs(e, byId),
    });
  }
  if (props)
    evidence.push({
      id: "extended-properties",
      source: "sentinel.extended_properties",
      time,
      entities: [...entities],
      data: props,
    });

  const incident = incidents.get(id);
  const title = str(row.AlertName) ?? str(row.DisplayName) ?? "";
  const provider = str(row.ProviderName) ?? str(row.ProductName) ?? "";
  return {
    id,
    workflow: opts.workflow ?? inferWorkflow(row),
    // the incidents export reflects merges done after the alert fired, so it wins over the alert's own IncidentId
    incident_id: incident?.incident_id ?? str(props?.IncidentId),
    alert: {
      title,
      rule: str(row.AlertType) ?? str(row.ProductComponentName) ?? title,
      source: provider,
      severity,
      time,
      entities,
      description: row.Description ?? "",
      raw: row,
    },
    evidence,
    unavailable: [],
    label: labelFor(incident, opts.verdict),
    tags: tacticTags(row.Tactics),
  };
}

function labelFor(incident: IncidentFacts | undefined, verdict: Verdict | undefined): Label | undefined {
  if (incident?.label) return incident.label;
  if (!verdict) return undefined;
  return {
    verdict,
    escalate: verdict === "true_positive",
    actions: [],
    required_evidence: [],
    notes: `--verdict ${verdict} applied to every imported alert`,
  };
}

function inferWorkflow(row: Record<string, string>): string {
  for (const name of [row.ProviderName, row.ProductName, row.AlertType])
    for (const [re, wf] of WORKFLOW_BY_PROVIDER) if (name && re.test(name.trim())) return wf;
  return UNASSIGNED;
}

/** `DefenseEvasion, Discovery` → tactic:defense_evasion, tactic:discovery. */
function tacticTags(cell: string | undefined): string[] {
  return (cell ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t && t.toLowerCase() !== "unknown")
    .map((t) => `tactic:${t.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()}`);
}
