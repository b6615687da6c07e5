import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { RuntimeFailure } from "../io/errors.js";
import type { CaseLine, CaseOutcome, ChunkReply, ChunkRequest, WorkerRun, WorkerSetup } from "./worker.js";

/**
 * Cases per chunk: ~32 investigations, so that a chunk's rows stay a few hundred KB whatever the
 * agents and epochs (a case's investigations never split across chunks). With 32 cases a chunk,
 * `--epochs 2000` put 64,000 investigations in each worker's reply.
 */
export function chunkOf(setup: Pick<WorkerSetup, "agents" | "epochs">): number {
  return Math.max(1, Math.floor(32 / (setup.agents.length * setup.epochs)));
}

/** A replay worker's semi-space, in MB: its young generation is three of them (two, and new large objects). */
export const WORKER_SEMI_SPACE_MB = 4;

/** Compiled (dist/) next to this chunk, or the TypeScript sources through tsx. */
function workerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("./worker-boot.mjs", import.meta.url)
    : new URL("./replay-worker.mjs", import.meta.url);
}

/**
 * Replay workers for the playbook agent. Lines go out in chunks, round robin; outcomes come back
 * to `onOutcome` in the dataset's order, whatever worker finished first, so the first bad line is
 * always the one reported. At most `ahead` chunks are out at once: memory stays flat however big
 * the dataset.
 */
export class ReplayPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (reply: ChunkReply) => void>();
  private readonly inOrder: Promise<void>[] = [];
  private tail: Promise<void> = Promise.resolve();
  private chunk: CaseLine[] = [];
  /** the chunk's lines, back to back (CaseLine says where each is) */
  private bytes = new Uint8Array(1 << 20);
  private used = 0;
  private seq = 0;
  private failure: unknown = null;
  private onOutcome: (o: CaseOutcome, frame: Uint8Array) => void = () => {};

  /** The workers start loading at once, so they are ready by the time the run is opened (`start`). */
  constructor(
    setup: WorkerSetup,
    size: number,
    private readonly chunkSize = chunkOf(setup),
    private readonly ahead = 4 * size,
  ) {
    // V8 sizes a young generation of up to 48 MB by default; the worker's objects die young (a
    // case, its transcript), and a small one keeps memory off the run's peak. `resourceLimits`
    // alone does not size it: the process's --max-semi-space-size (2 MB, for the main thread:
    // RUN_NODE_FLAGS) overrides it in every isolate, and at 2 MB the worker spent 0.34 s of a
    // 10,000-case run in 630 scavenges. V8 reads the flag when it creates an isolate, so setting it
    // here sizes the workers' heaps and leaves the main thread's as it started (bench/README.md,
    // twenty-first session: 2.8 → 2.55 s for +3 MB).
    setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(workerUrl(), {
        workerData: setup,
        resourceLimits: { maxYoungGenerationSizeMb: 3 * WORKER_SEMI_SPACE_MB },
      });
      w.on("message", (reply: ChunkReply) => {
        this.pending.get(reply.id)?.(reply);
        this.pending.delete(reply.id);
      });
      w.on("error", (e) => this.fail(new RuntimeFailure(`replay worker failed: ${e.message}`)));
      w.on("exit", (code) => {
        if (this.pending.size > 0) this.fail(new RuntimeFailure(`replay worker exited (code ${code}) mid-run`));
      });
      return w;
    });
  }

  /** The run the workers encode rows for, and what it already stored; before the first `submit`. */
  start(run: WorkerRun, onOutcome: (o: CaseOutcome, frame: Uint8Array) => void): void {
    this.onOutcome = onOutcome;
    for (const w of this.workers) w.postMessage(run);
  }

  /**
   * Queue one dataset line, as its bytes (a worker decodes it); waits while too much is in flight.
   * Throws what an earlier outcome threw.
   */
  async submit(line: number, text: Uint8Array): Promise<void> {
    this.check();
    if (this.used + text.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.used + text.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(text, this.used);
    this.chunk.push({ line, at: this.used, length: text.length });
    this.used += text.length;
    if (this.chunk.length >= this.chunkSize) this.send();
    while (this.inOrder.length > this.ahead) await this.inOrder.shift();
    this.check();
  }

  /** Everything submitted is replayed and handed to `onOutcome`. */
  async drain(): Promise<void> {
    if (this.chunk.length > 0) this.send();
    await this.tail;
    this.inOrder.length = 0;
    this.check();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private send(): void {
    const id = ++this.seq;
    const cases = this.chunk;
    this.chunk = [];
    // a buffer of its own, moved to the worker rather than copied
    const bytes = this.bytes.slice(0, this.used);
    this.used = 0;
    const reply = new Promise<ChunkReply>((resolve) => this.pending.set(id, resolve));
    this.workers[id % this.workers.length]!.postMessage({ id, cases, bytes } satisfies ChunkRequest, [
      bytes.buffer as ArrayBuffer,
    ]);
    this.tail = this.tail
      .then(() => reply)
      .then((r) => {
        if (this.failure) return;
        for (const o of r.outcomes) this.onOutcome(o, r.frame);
      })
      .catch((e: unknown) => this.fail(e));
    this.inOrder.push(this.tail);
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    // a dead worker never answers: release everything that waits on it
    for (const resolve of this.pending.values()) resolve({ id: -1, outcomes: [], frame: new Uint8Array(0) });
    this.pending.clear();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
