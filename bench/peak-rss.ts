import { readFileSync } from "node:fs";

/**
 * This process's peak resident memory, in MB: Linux's VmHWM, the high-water mark of its own address
 * space (worker threads share it). Not `process.resourceUsage().maxRSS`: Linux carries a forked
 * child's starting RSS, its parent's, into it across exec, so a bench child started while the parent
 * held a generated 80,000-case dataset reported the parent's ~510 MB as its own peak. Elsewhere,
 * maxRSS is all there is.
 */
export function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
