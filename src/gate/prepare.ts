import { existsSync } from "node:fs";
import { loadRunInfo, resolveRunId } from "../analytics/run.js";
import { InputError } from "../io/errors.js";
import { fileSha256 } from "../io/hash.js";
import type { GateRules } from "../schema/index.js";
import type { Store } from "../store/db.js";
import { loadSuite } from "../workflow/load.js";
import type { BaselineRow } from "./baseline.js";
import type { Side } from "./cases.js";
import { DEFAULT_GATE } from "./rules.js";

/** Which baseline agent a candidate is judged against: same name, or the baseline's only agent. */
export function pickBaselineAgent(rows: BaselineRow[], candidate: string, explicit?: string): BaselineRow {
  const want = explicit ?? (rows.some((r) => r.agent === candidate) ? candidate : undefined);
  if (want) {
    const r = rows.find((x) => x.agent === want);
    if (!r)
      throw new InputError(
        `--baseline-agent: baseline ${rows[0]!.name} has no agent "${want}" (has ${rows.map((x) => x.agent).join(", ")})`,
      );
    return r;
  }
  if (rows.length === 1) return rows[0]!;
  throw new InputError(
    `baseline ${rows[0]!.name} has agents ${rows.map((x) => x.agent).join(", ")}: name the one to compare with --baseline-agent`,
  );
}

/** A baseline is only comparable on the dataset version it was made on. */
export async function checkSameDataset(baselineHash: string, datasetFile: string, name: string): Promise<void> {
  const now = await fileSha256(datasetFile);
  if (now !== baselineHash)
    throw new InputError(
      `baseline "${name}" was made on another version of ${datasetFile} (sha256 ${baselineHash.slice(0, 12)}…, now ${now.slice(0, 12)}…): re-run and re-bless the baseline on this dataset`,
    );
}

/** Gate rules for stored runs: the candidate run's suite file if it still exists, else defaults. */
export async function rulesForRun(
  store: Store,
  runId: string,
): Promise<{ rules: GateRules; where: string; datasetHash: string | null }> {
  const info = await loadRunInfo(store, runId);
  if (info.suite_path && existsSync(info.suite_path)) {
    const ls = loadSuite(info.suite_path);
    return { rules: ls.suite.gate ?? DEFAULT_GATE, where: info.suite_path, datasetHash: info.dataset_hash };
  }
  return { rules: DEFAULT_GATE, where: "default gate rules", datasetHash: info.dataset_hash };
}

export async function storedSide(store: Store, runRef: string, agent?: string): Promise<Side> {
  const runId = await resolveRunId(store, runRef);
  const info = await loadRunInfo(store, runId);
  const agents = info.agents;
  if (agent) {
    if (!agents.includes(agent))
      throw new InputError(`run ${runId} has no agent "${agent}" (has ${agents.join(", ")})`);
    return { run_id: runId, agent };
  }
  if (agents.length !== 1)
    throw new InputError(`run ${runId} has agents ${agents.join(", ")}: name one with --agent/--baseline-agent`);
  return { run_id: runId, agent: agents[0]! };
}
