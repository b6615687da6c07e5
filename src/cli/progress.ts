import cliProgress from "cli-progress";
import { printable } from "../io/printable.js";
import type { Progress } from "../replay/runner.js";

export type ProgressReporter = { update: (p: Progress) => void; stop: () => void };

type Options = {
  /** a live bar (a terminal) or plain lines (CI logs); default: whether stderr is a terminal */
  tty?: boolean;
  write?: (text: string) => void;
  now?: () => number;
  /** plain lines: at most this long without one, so a slow model's run still shows it is alive */
  heartbeatMs?: number;
};

/**
 * A live bar on a terminal; otherwise a plain line every 10%, and at least once a minute, so a CI
 * log stays readable and never looks stalled. Rate and ETA count only the cases this process
 * replays: after `--resume`, the cases already stored would otherwise make the run look far
 * faster than it is.
 */
export function progressReporter(name: string, opts: Options = {}): ProgressReporter {
  // a suite's name, as its YAML spells it: an escape sequence in it is shown, not sent to the terminal
  const label = printable(name);
  const now = opts.now ?? Date.now;
  const write = opts.write ?? ((text: string) => process.stderr.write(text));
  const started = now();
  const pace = (p: Progress) => paceOf(p, (now() - started) / 1000);
  if (opts.tty ?? liveBar(process.stderr.isTTY, process.env.TERM)) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {value}/{total} | {rate} | errors {errors} | ETA {remaining}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(p) {
        const { rate, eta } = pace(p);
        if (!begun) {
          bar.start(p.total, p.done, { errors: p.errors, rate, remaining: eta });
          begun = true;
        } else bar.update(p.done, { errors: p.errors, rate, remaining: eta });
      },
      stop: () => bar.stop(),
    };
  }
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  let nextMark = 0.1;
  let last: Progress | null = null;
  let lastLineAt = started;
  const line = (p: Progress) => {
    const { rate, eta } = pace(p);
    const resumed = p.skipped > 0 ? `, ${p.skipped} already stored` : "";
    write(
      `${label}: ${p.done}/${p.total} (${Math.round((100 * p.done) / p.total)}%), ${rate}, errors ${p.errors}${resumed}, ETA ${eta}\n`,
    );
    lastLineAt = now();
  };
  const heartbeat = setInterval(
    () => {
      if (last && last.done < last.total && now() - lastLineAt >= heartbeatMs) line(last);
    },
    Math.min(heartbeatMs, 10_000),
  );
  heartbeat.unref();
  return {
    update(p) {
      last = { ...p };
      if (p.total === 0 || p.done / p.total < nextMark) return;
      while (p.done / p.total >= nextMark) nextMark += 0.1;
      line(p);
    },
    stop: () => clearInterval(heartbeat),
  };
}

/** Cases per second (or per minute, for a slow model) and the time left, from this process's own replays. */
export function paceOf(p: Progress, elapsedSecs: number): { rate: string; eta: string } {
  const replayed = p.done - p.skipped;
  const perSec = replayed / Math.max(elapsedSecs, 0.001);
  const rate =
    perSec >= 10
      ? `${Math.round(perSec)}/s`
      : perSec >= 1
        ? `${perSec.toFixed(1)}/s`
        : `${(perSec * 60).toFixed(perSec * 60 >= 10 ? 0 : 1)}/min`;
  const left = p.total - p.done;
  const eta = left <= 0 ? "0s" : replayed > 0 ? duration(left / perSec) : "?";
  return { rate, eta };
}

function duration(secs: number): string {
  const s = Math.ceil(secs);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Whether progress is a live bar: on a terminal that can move its cursor. TERM=dumb (Emacs' shell, a
 * container's `docker run -t` under a CI agent that sets it) has none, and showed the bar's escape
 * sequences as text; it gets the plain lines a log gets.
 */
export function liveBar(isTTY: boolean | undefined, term: string | undefined): boolean {
  return isTTY === true && term !== "dumb";
}
