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
 * (the runner's AbortSignal) and a second quits at once. A second that comes before the new run's row
 * is stored quits as one before the start: nothing was stored, so there is no run to finish.
 */
export class RunSignals {
  private readonly ctrl = new AbortController();
  private received: NodeJS.Signals | null = null;
  private replaying = false;
  /** A store this command created, removed if a second signal quits before the run's row is stored. */
  private created: { path: string; created: Created; spillFound: boolean } | null = null;
  private store: Store | null = null;
  private resuming = false;
  /** the store's commits when the replay began: the first one after is the new run's row (RunWriter.begin) */
  private commitsBefore = 0;

  constructor(private readonly quitLine: () => string) {
    onStopSignals(this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.ctrl.signal.aborted) {
      if (this.created) removeSpillNow(this.created.path, this.created.spillFound);
      if (this.replaying && this.runStored) process.stderr.write(this.quitLine());
      else {
        // nothing of a run is in it yet: the process ends now, and with it the store's handle
        if (this.created) removeCreatedNow(this.created.path, this.created.created);
        process.stderr.write(beforeStartLine(signal));
      }
      process.exit(EXIT.runtime);
    }
    this.received = signal;
    // before the run's row, no case can be stored: it ends with beforeStartLine, as a stop while starting
    if (this.replaying && this.runStored)
      process.stderr.write(
        "\nsoceval: stopping — storing the cases in flight that finish; a model's investigations still waiting are cut short, for --resume to replay (Ctrl-C again to quit now)…\n",
      );
    this.ctrl.abort();
  };

  /** The first signal that came, if one did. */
  get signal(): NodeJS.Signals | null {
    return this.received;
  }

  /** The store this command opened, what opening it created, and whether it resumes a stored run. */
  opened(store: Store, created: Created, resuming: boolean): void {
    this.store = store;
    this.resuming = resuming;
    this.created = { path: store.path, created, spillFound: existsSync(`${store.path}.tmp`) };
  }

  /**
   * Whether the run is in the store, for `--resume` to finish: a resumed one is; a new one once the
   * replay has committed anything, its own row first. Asked in a signal handler, which cannot query
   * the store while the run streams rows into it.
   */
  private get runStored(): boolean {
    return this.resuming || (this.store !== null && this.store.commits > this.commitsBefore);
  }

  /** Between two start-up steps: throws StoppedBeforeStart once a signal came. */
  checkpoint(): void {
    if (this.received && !this.replaying) throw new StoppedBeforeStart(this.received);
  }

  /** The replay begins: from here a signal stops dispatching, which the runner hears through this. */
  replay(): AbortSignal {
    this.replaying = true;
    this.commitsBefore = this.store?.commits ?? 0;
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
