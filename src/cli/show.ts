import type { Command } from "commander";
import type { Investigation } from "../analytics/investigation.js";
import { loadInvestigation } from "../analytics/investigation.js";
import { InputError, isStackOverflow } from "../io/errors.js";
import { tooDeepMessage } from "../replay/too-deep.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { newestFirst, resolveRunId } from "../store/run-ref.js";
import { optionalCount } from "./count-flag.js";
import { action, EXIT } from "./exit.js";
import { investigationText } from "./show-text.js";

type Flags = { run?: string; agent?: string; epoch?: string; format: string; db: string };

export function register(program: Command): void {
  program
    .command("show")
    .description(
      "one case of a run: the alert, every step the agent took, its answer, its scores and findings, and the evidence behind them",
    )
    .argument("<case>", "case id, e.g. phish-0042")
    .option(
      "--run <id>",
      "run id or `latest` (default: the newest run that holds the case, by --agent and in --epoch when given)",
    )
    .option("--agent <name>", "only this agent's investigation")
    .option("--epoch <n>", "only this epoch")
    .option("--format <f>", "text or json", "text")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (caseId: string, flags: Flags) => {
        if (!["text", "json"].includes(flags.format))
          throw new InputError(`--format: expected text or json, got "${flags.format}"`);
        const epoch = optionalCount("--epoch", flags.epoch, { min: 0 });
        // writable, as `findings` opens it: a store from an older soceval gains its missing columns
        const store = await Store.open(flags.db, { readOnly: true });
        try {
          const runId =
            flags.run === undefined
              ? await newestRunWith(store, caseId, flags.agent, epoch)
              : await resolveRunId(store, flags.run);
          const inv = await loadInvestigation(store, runId, caseId, { agent: flags.agent, epoch });
          process.stdout.write(shown(inv, flags.format));
        } finally {
          store.close();
        }
        return EXIT.ok;
      }),
    );
}

/**
 * The newest run holding the case; with --agent or --epoch, the newest whose investigation of it is by that
 * agent in that epoch (a newer run of another agent would only be refused). When none is, the newest run
 * holding the case, whose refusal names the agents and epochs it has.
 */
async function newestRunWith(store: Store, caseId: string, agent?: string, epoch?: number): Promise<string> {
  if (agent !== undefined || epoch !== undefined) {
    const [r] = await store.query<{ run_id: string }>(
      `SELECT r.run_id FROM runs r WHERE EXISTS (SELECT 1 FROM transcripts t WHERE t.run_id = r.run_id AND t.case_id = ?
         AND (? IS NULL OR t.agent = ?) AND (?::INTEGER IS NULL OR t.epoch = ?::INTEGER))
       ORDER BY ${await newestFirst(store, "r")} LIMIT 1`,
      [caseId, agent ?? null, agent ?? null, epoch ?? null, epoch ?? null],
    );
    if (r) return r.run_id;
  }
  const [r] = await store.query<{ run_id: string }>(
    `SELECT r.run_id FROM runs r WHERE EXISTS (SELECT 1 FROM cases c WHERE c.run_id = r.run_id AND c.case_id = ?)
     ORDER BY ${await newestFirst(store, "r")} LIMIT 1`,
    [caseId],
  );
  if (!r) throw new InputError(`${store.path}: no stored run holds case ${caseId} (see \`soceval runs list\`)`);
  return r.run_id;
}

/**
 * The investigation as text or JSON. The run keeps evidence records out of the store, so it takes
 * a record nested deeper than JSON.stringify can walk; showing it overflows the stack. That is the
 * dataset line's fault, named like any bad input (file:line: field: how deep), not a runtime failure.
 */
function shown(inv: Investigation, format: string): string {
  try {
    return format === "json"
      ? `${JSON.stringify(inv, null, 2)}\n`
      : investigationText(inv, process.stdout.isTTY === true);
  } catch (e) {
    const d = inv.dataset_line;
    if (!isStackOverflow(e) || d.line === null) throw e;
    const records = { evidence: d.evidence.map((r) => ({ id: r.id, data: r.data })) };
    throw new InputError(tooDeepMessage(d.file, d.line, records, "show"), d.file, d.line);
  }
}
