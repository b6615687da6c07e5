import { z } from "zod";
import { bundledPath } from "../io/bundled-path.js";
import { fieldError, loadYaml } from "../io/yaml.js";
import { DURATION_PATTERN } from "./duration.js";

export const DEFAULT_TELEMETRY = "readiness/telemetry.yaml";

const Duration = z.string().regex(DURATION_PATTERN, "a duration like 15m, 4h, 30d");

/** One data object a workflow's tools read (or change): the telemetry source-of-truth row. */
export const DataObject = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  object: z.string().describe("what the data is, in the SOC's words"),
  sources: z
    .array(z.string().min(1))
    .min(1)
    .describe("evidence source names the workflows' tools use for it (workflows name one object differently)"),
  kind: z
    .enum(["event", "reference", "action"])
    .describe(
      "event: logs and detections; reference: inventories, directories, reputation; action: a system respond tools change",
    ),
  system: z.string(),
  owner: z.string(),
  retention: Duration,
  freshness: Duration.describe("how late data is queryable after it happens (or how stale reference data gets)"),
  api: z.enum(["full", "read_only", "export_only", "none"]).describe("export_only: scheduled files, no queries"),
  status: z.enum(["available", "degraded", "unavailable"]),
  permissions: z.enum(["scoped_service_account", "shared_service_account", "analyst_credentials", "none"]),
  rate_limit: z.string().describe('e.g. "600 requests/min per app", or "none known"'),
  failure_mode: z
    .string()
    .describe("what a caller sees when it fails: an error, a timeout or — worst — an empty result"),
  notes: z.string().optional(),
});

export const TelemetryMatrix = z.strictObject({
  version: z.string(),
  organisation: z.string().optional(),
  synthetic: z.boolean().optional(),
  objects: z.array(DataObject).min(1),
});

export type DataObject = z.infer<typeof DataObject>;
export type TelemetryMatrix = z.infer<typeof TelemetryMatrix>;
export type LoadedTelemetry = TelemetryMatrix & { file: string; bySource: Map<string, DataObject> };

export function loadTelemetry(given: string = DEFAULT_TELEMETRY): LoadedTelemetry {
  const file = given === DEFAULT_TELEMETRY ? bundledPath(given) : given;
  const t = loadYaml(file, TelemetryMatrix);
  const bySource = new Map<string, DataObject>();
  const ids = new Set<string>();
  t.objects.forEach((o, i) => {
    if (ids.has(o.id)) throw fieldError(file, ["objects", i, "id"], `duplicate id "${o.id}"`);
    ids.add(o.id);
    o.sources.forEach((s, j) => {
      const prev = bySource.get(s);
      if (prev) throw fieldError(file, ["objects", i, "sources", j], `source "${s}" is also listed under ${prev.id}`);
      bySource.set(s, o);
    });
  });
  return { ...t, file, bySource };
}
