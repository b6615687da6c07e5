import cliProgress from "cli-progress";
import type { Progress } from "../replay/runner.js";

/** A live bar on a terminal; a plain line every 10% otherwise (CI logs stay readable). */
export function progressReporter(label: string): { update: (p: Progress) => void; stop: () => void } {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {value}/{total} | {rate}/s | errors {errors} | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(p) {
        const rate = (p.done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(0);
        if (!begun) {
          bar.start(p.total, p.done, { errors: p.errors, rate });
          begun = true;
        } else bar.update(p.done, { errors: p.errors, rate });
      },
      stop: () => bar.stop(),
    };
  }
  let nextMark = 0.1;
  return {
    update(p) {
      if (p.total === 0 || p.done / p.total < nextMark) return;
      while (p.done / p.total >= nextMark) nextMark += 0.1;
      const secs = (Date.now() - started) / 1000;
      process.stderr.write(
        `${label}: ${p.done}/${p.total} (${Math.round((100 * p.done) / p.total)}%), ${(p.done / Math.max(secs, 0.001)).toFixed(0)}/s, errors ${p.errors}\n`,
      );
    },
    stop() {},
  };
}
