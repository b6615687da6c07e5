import { randomBytes } from "node:crypto";
import { appendFileSync, closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { InputError, mainIssue } from "../io/errors.js";
import { makeDirs } from "../io/make-dirs.js";
import { utf8OrRefuse } from "../io/utf8-text.js";
import { partsDiff, RequestParts, requestKey, requestParts } from "./request-key.js";
import { type Completion, type CompletionRequest, type Provider, ProviderError, TimeBudgetSpent } from "./types.js";

export { requestKey };

const RecordedCompletion = z.object({
  message: z.object({
    role: z.literal("assistant"),
    content: z.string().nullable(),
    tool_calls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.unknown()) })),
  }),
  model: z.string(),
  tokens_in: z.number().nonnegative(),
  tokens_out: z.number().nonnegative(),
  tokens_cached_in: z.number().nonnegative().optional(),
  tokens_cache_write: z.number().nonnegative().optional(),
  latency_ms: z.number().nonnegative(),
  usage_reported: z.boolean().optional(),
  refusal: z.string().optional(),
  cut_short: z.boolean().optional(),
  earlier_attempts_ms: z.number().nonnegative().optional(),
  earlier_wait_ms: z.number().nonnegative().optional(),
  retried: z.array(z.string()).optional(),
});

/** A call the investigation's max_seconds stopped before its answer came: the replay stops there too. */
const RecordedStop = z.strictObject({
  max_seconds_after_ms: z.number().nonnegative(),
  /** the stop's message, naming the live provider; the call's wait since its first attempt, and why those failed */
  error: z.string().optional(),
  earlier_wait_ms: z.number().nonnegative().optional(),
  retried: z.array(z.string()).optional(),
});

/** One line of a recordings file. */
export const Recording = z
  .object({
    key: z.string().regex(/^[0-9a-f]{64}$/),
    /** the epoch that asked; absent in recordings made before soceval kept it */
    epoch: z.number().int().nonnegative().optional(),
    /** the --record session (one soceval process) that wrote it: a later session's recording of a request supersedes */
    session: z.string().optional(),
    /** what the key covers, part by part: a later miss names the part that changed */
    parts: RequestParts.optional(),
    completion: RecordedCompletion.optional(),
    stopped: RecordedStop.optional(),
  })
  .refine((r) => (r.completion === undefined) !== (r.stopped === undefined), {
    message: "a recording holds a completion or a stop, one of the two",
  });
export type Recording = z.infer<typeof Recording>;

/**
 * A recordings file about to be appended to: a crash mid-append can leave its last line cut short,
 * and a line appended onto that fragment would make the whole file unreadable to the replay
 * provider. When the file does not end with a newline, the fragment after its last newline is
 * dropped (only the tail is read) and a one-line warning names the file. Returns the bytes dropped.
 */
export function dropIncompleteLastLine(file: string, warn: (msg: string) => void = defaultWarn): number {
  let fd: number;
  try {
    fd = openSync(file, "r+");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw new InputError(`--record ${file}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = -1;
    while (end > 0 && keep === -1) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      // the very last byte a newline: the file is whole
      if (end === size && buf[n - 1] === 0x0a) return 0;
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl !== -1) keep = start + nl + 1;
      end = start;
    }
    const cut = keep === -1 ? 0 : keep;
    ftruncateSync(fd, cut);
    warn(
      `soceval: warning: ${file}: dropped an incomplete last line (${size - cut} bytes, a crash while recording?) before appending\n`,
    );
    return size - cut;
  } finally {
    closeSync(fd);
  }
}

const defaultWarn = (msg: string) => process.stderr.write(msg);

/**
 * `--record` appends to the file it names, after cutting what follows its last newline: named at
 * the store, the dataset or a suite file by mistake, it would damage that file. One that is there
 * must open with a recording (a line too long to check here must at least begin as one).
 */
export function refuseOtherFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return; // not there yet (a new file), or not readable: dropIncompleteLastLine names it
  }
  let head: string;
  try {
    const buf = Buffer.alloc(1024 * 1024);
    head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  const lines = head.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  if (at === -1) return;
  const first = lines[at]!.trim();
  // the last piece read may be cut by the read, or by a crash while recording
  let ok = at === lines.length - 1 && first.startsWith('{"key":');
  if (!ok)
    try {
      ok = Recording.safeParse(JSON.parse(first)).success;
    } catch {
      ok = false;
    }
  if (!ok)
    throw new InputError(
      `--record ${file}: not a recordings file (its first line is not a recording), and recording appends to it; name a new file or one --record wrote`,
      file,
    );
}

/**
 * Wraps any provider and appends every completion it returns to `file` as {key, completion}, with
 * how long the call's failed attempts took; and a call that max_seconds stopped as {key, stopped}, so
 * that the replay spends the same time and stops where the recorded investigation stopped.
 */
export function createRecorder(file: string, inner: Provider): Provider {
  makeDirs(dirname(file));
  refuseOtherFile(file);
  dropIncompleteLastLine(file);
  const session = randomBytes(6).toString("hex");
  // one synchronous append per line: concurrent cases cannot interleave within a line
  const append = (line: Omit<Recording, "session">) =>
    appendFileSync(file, `${JSON.stringify({ ...line, session })}\n`);
  return {
    kind: inner.kind,
    simulated: inner.simulated,
    async complete(req: CompletionRequest): Promise<Completion> {
      let completion: Completion;
      try {
        completion = await inner.complete(req);
      } catch (e) {
        if (e instanceof TimeBudgetSpent)
          append({
            key: requestKey(req),
            epoch: req.epoch,
            parts: requestParts(req),
            stopped: {
              max_seconds_after_ms: e.after_ms,
              error: e.message,
              ...(req.earlier_wait_ms ? { earlier_wait_ms: req.earlier_wait_ms } : {}),
              ...(req.earlier_failures?.length ? { retried: req.earlier_failures } : {}),
            },
          });
        throw e;
      }
      const earlier = {
        ...(req.earlier_attempts_ms ? { earlier_attempts_ms: req.earlier_attempts_ms } : {}),
        ...(req.earlier_wait_ms ? { earlier_wait_ms: req.earlier_wait_ms } : {}),
        ...(req.earlier_failures?.length ? { retried: req.earlier_failures } : {}),
      };
      append({
        key: requestKey(req),
        epoch: req.epoch,
        parts: requestParts(req),
        completion: { ...completion, ...earlier },
      });
      return completion;
    },
  };
}

type Recorded = {
  epoch?: number;
  session?: string;
  completion?: Completion;
  stopped?: z.infer<typeof RecordedStop>;
};

/** A file's recordings by key, and the parts of the newest recorded request of each conversation. */
export type Recordings = { byKey: Map<string, Recorded[]>; conversations: Map<string, RequestParts> };

export function loadRecordings(file: string): Recordings {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read recordings (${(e as NodeJS.ErrnoException).code ?? String(e)})`, file);
  }
  // a hand-edited answer saved as Latin-1 would replay with U+FFFD in place of a host or account name
  let text = utf8OrRefuse(file, bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const byKey = new Map<string, Recorded[]>();
  const conversations = new Map<string, RequestParts>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      // the last line with no newline after it: the append a crash cut short
      if (i === lines.length - 1)
        throw new InputError(
          `${file}:${i + 1}: incomplete last line (a crash while recording?): ${(e as Error).message}; ` +
            "delete that line, or record again with --record, which drops it",
          file,
          i + 1,
        );
      throw new InputError(`${file}:${i + 1}: malformed JSON: ${(e as Error).message}`, file, i + 1);
    }
    const parsed = Recording.safeParse(json);
    if (!parsed.success)
      throw new InputError(`${file}:${i + 1}: ${mainIssue(parsed.error.issues, Recording).text}`, file, i + 1);
    const list = byKey.get(parsed.data.key) ?? [];
    const { epoch, session, completion, stopped, parts } = parsed.data;
    if (parts) conversations.set(parts.messages, parts);
    list.push({ epoch, session, completion, stopped });
    byKey.set(parsed.data.key, list);
  }
  return { byKey, conversations };
}

/** In a miss's message, where what changed since the recording begins (`changedOf` reads it). */
const CHANGED = ". Against the recorded request of the same conversation, what changed: ";

/** What a miss's message says changed since the recording, or null when it could not tell. */
export function changedOf(error: string): string | null {
  const at = error.indexOf(CHANGED);
  return at === -1 ? null : error.slice(at + CHANGED.length);
}

/**
 * Why no recording holds `req`, beyond the key: the parts of the recorded request that started the
 * same conversation and differ now, or that none did. Empty for a file recorded before parts were kept.
 */
function whatChanged({ conversations }: Recordings, req: CompletionRequest): string {
  if (conversations.size === 0) return "";
  const now = requestParts(req);
  const recorded = conversations.get(now.messages);
  if (!recorded)
    return ". No recorded request has this conversation so far (the case was not recorded, or its opening message or a tool's answer differs)";
  const changed = partsDiff(now, recorded);
  return changed.length > 0 ? `${CHANGED}${changed.join("; ")}` : "";
}

/** How a miss for an epoch the recordings do not hold begins, as stored (with the provider's prefix). */
export const EPOCH_MISS = "provider: replay: no recorded response for epoch ";

/** The --epochs a recording run needs so that every epoch of a replay run has its own answers. */
export const recordEpochs = (epochs: number | null): string => (epochs && epochs > 1 ? ` --epochs ${epochs}` : "");

/** In a miss's message, what follows the recordings file: where `recordingsFileOf` stops reading. */
const AFTER_FILE = "; the key covers";

/** The SQL pattern (regexp_extract, group 1) and the reader of the recordings file a miss names. */
export const MISSED_FILE_PATTERN = ` in (.+?)${AFTER_FILE}`;
export function recordingsFileOf(error: string): string | null {
  return new RegExp(MISSED_FILE_PATTERN).exec(error)?.[1] ?? null;
}

/**
 * Answers from a recordings file. A key recorded several times (epochs of a sampled model start
 * from the same request) answers each epoch with its own recordings, in turn: however concurrency
 * orders the requests, every (case, epoch) gets what it got when recorded. A file that names no
 * epochs (an older soceval's) is answered in turn across epochs. A request recorded again by a later
 * --record session (the same file recorded afresh) is answered by that session's recordings only.
 */
export function createReplayProvider(file: string): Provider {
  const recordings = loadRecordings(file);
  const { byKey } = recordings;
  const served = new Map<string, number>();
  return {
    kind: "replay",
    simulated: false,
    async complete(req: CompletionRequest): Promise<Completion> {
      const key = requestKey(req);
      const list = byKey.get(key);
      if (!list || list.length === 0)
        throw new ProviderError(
          // the usual cause is a replay agent file that differs from the recording one in what the key covers
          `replay: no recorded response for request ${key} (model ${req.model}) in ${file}${AFTER_FILE} ` +
            "model, prompt, tools, temperature and max_tokens, so the replay agent must match the recording agent in each, " +
            "or record it again with --record" +
            whatChanged(recordings, req),
          false,
          undefined,
          undefined,
          "not recorded",
        );
      const own = list.filter((r) => r.epoch === req.epoch);
      // recordings that name their epochs hold none for this one: borrowing another epoch's answer
      // would make a run of more epochs than recorded look steadier than the model is
      const epochs = [...new Set(list.flatMap((r) => (r.epoch === undefined ? [] : [r.epoch])))].sort((a, b) => a - b);
      if (own.length === 0 && req.epoch !== undefined && epochs.length > 0)
        throw new ProviderError(
          `${EPOCH_MISS.slice("provider: ".length)}${req.epoch} of request ${key} (model ${req.model}) in ${file}${AFTER_FILE} ` +
            `each epoch: this request was recorded in epoch${epochs.length === 1 ? "" : "s"} ${epochs.join(", ")} only, ` +
            "and an epoch replays its own answers, never another's; record it with the live agent and as many --epochs",
          false,
          undefined,
          undefined,
          "not recorded",
        );
      const pool = own.length > 0 ? own : list;
      // the newest session that recorded it; within one, repeats (two cases with one alert) answer in turn
      const newest = pool[pool.length - 1]!.session;
      const from = pool.filter((r) => r.session === newest);
      const turn = own.length > 0 ? `${key}:${req.epoch}` : key;
      const n = served.get(turn) ?? 0;
      served.set(turn, n + 1);
      const recorded = from[n % from.length]!;
      if (recorded.stopped) {
        const { max_seconds_after_ms, ...call } = recorded.stopped;
        throw new TimeBudgetSpent("replay", max_seconds_after_ms, call);
      }
      return structuredClone(recorded.completion!);
    },
  };
}
