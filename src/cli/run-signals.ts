import { existsSync } from "node:fs";
import type { Store } from "../store/db.js";
import { RUN_TABLES } from "../store/tables.js";
import { EXIT } from "./exit.js";
import { type Created, removeCreatedNow, removeSpillNow } from "./fresh-store.js";
import { offStopSignals, onStopSignals } from "./stop-signals.js";

/** A Ctrl-C or SIGTERM came while `run` was starting: it stops at its next step, before any case. */
export class StoppedBeforeStart extends Error {
  override name = "StoppedBeforeStart";
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal}) before the run started`);
  }
}

/** The line `run` ends with when it stopped before replaying a case. */
export function beforeStartLine(signal: NodeJS.Signals): string {
  return `soceval: interrupted (${signal}) before the run started; nothing was stored\n`;
}

/**
 * Ctrl-C and SIGTERM for `run`, heard from the moment its flags are read. Without them a signal while
 * the suite loaded or the store opened ended the process silently (exit 130), and could leave the empty
 * store it had just created, which later read as "no runs stored yet". While starting, a signal stops
 * the command at its next step (`checkpoint`); once the replay runs, the first one stops dispatching
 * (the runner's AbortSignal) and a second quits at once.
 */
export class RunSignals {
  private readonly ctrl = new AbortController();
  private received: NodeJS.Signals | null = null;
  private replaying = false;
  /** A store this command created, removed if a second signal quits before the replay. */
  private created: { path: string; created: Created; spillFound: boolean } | null = null;

  constructor(private readonly quitLine: () => string) {
    onStopSignals(this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.ctrl.signal.aborted) {
      if (this.created) removeSpillNow(this.created.path, this.created.spillFound);
      if (this.replaying) process.stderr.write(this.quitLine());
      else {
        // nothing of a run is in it yet: the process ends now, and with it the store's handle
        if (this.created) removeCreatedNow(this.created.path, this.created.created);
        process.stderr.write(beforeStartLine(signal));
      }
      process.exit(EXIT.runtime);
    }
    this.received = signal;
    if (this.replaying)
      process.stderr.write(
        "\nsoceval: stopping — storing the cases in flight that finish; a model's investigations still waiting are cut short, for --resume to replay (Ctrl-C again to quit now)…\n",
      );
    this.ctrl.abort();
  };

  /** The first signal that came, if one did. */
  get signal(): NodeJS.Signals | null {
    return this.received;
  }

  /** The store this command opened at `path`, and what opening it created. */
  opened(path: string, created: Created): void {
    this.created = { path, created, spillFound: existsSync(`${path}.tmp`) };
  }

  /** Between two start-up steps: throws StoppedBeforeStart once a signal came. */
  checkpoint(): void {
    if (this.received && !this.replaying) throw new StoppedBeforeStart(this.received);
  }

  /** The replay begins: from here a signal stops dispatching, which the runner hears through this. */
  replay(): AbortSignal {
    this.replaying = true;
    return this.ctrl.signal;
  }

  dispose(): void {
    offStopSignals(this.onSignal);
  }
}

/**
 * Whether a run holds nothing but its own rows (runs, run_agents): no case, investigation or model call.
 * A new run that a signal stopped this early replayed nothing, and is no run to list or resume.
 */
export async function holdsNothing(store: Store, runId: string): Promise<boolean> {
  for (const t of RUN_TABLES.filter((t) => t !== "runs" && t !== "run_agents")) {
    const [row] = await store.query(`SELECT 1 FROM ${t} WHERE run_id = ? LIMIT 1`, [runId]);
    if (row) return false;
  }
  return true;
}
