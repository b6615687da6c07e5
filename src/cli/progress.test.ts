import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { liveBar, paceOf, progressReporter } from "./progress.js";

const at = (done: number, total: number, skipped = 0, errors = 0) => ({ done, total, skipped, errors });

describe("run progress", () => {
  it("is a live bar only on a terminal whose TERM can move the cursor", () => {
    expect(liveBar(true, "xterm-256color")).toBe(true);
    expect(liveBar(true, undefined)).toBe(true);
    expect(liveBar(true, "dumb")).toBe(false);
    expect(liveBar(false, "xterm")).toBe(false);
    expect(liveBar(undefined, "xterm")).toBe(false);
  });

  it("counts only the cases this process replays: a resume does not look 19 times faster than it is", () => {
    // 9,000 of 10,000 were stored by the interrupted run; 500 more replayed in 50 s
    expect(paceOf(at(9500, 10000, 9000), 50)).toEqual({ rate: "10/s", eta: "50s" });
    // nothing replayed yet: no rate to project from
    expect(paceOf(at(9000, 10000, 9000), 1).eta).toBe("?");
  });

  it("a slow model's rate reads per minute, and its ETA in minutes or hours", () => {
    expect(paceOf(at(3, 100), 60)).toEqual({ rate: "3.0/min", eta: "32m20s" });
    expect(paceOf(at(30, 3000), 60)).toEqual({ rate: "30/min", eta: "1h39m" });
    expect(paceOf(at(150, 300), 100)).toEqual({ rate: "1.5/s", eta: "1m40s" });
    expect(paceOf(at(300, 300), 100).eta).toBe("0s");
  });

  it("plain lines: one per 10% crossed, with rate, errors, what a resume skipped, and ETA", () => {
    const lines: string[] = [];
    let t = 0;
    const r = progressReporter("phish", { tty: false, write: (s) => lines.push(s), now: () => t });
    t = 10_000;
    r.update(at(5, 100));
    r.update(at(10, 100, 0, 1));
    t = 30_000;
    r.update(at(35, 100, 0, 2)); // crosses 20% and 30% at once: one line
    r.stop();
    expect(lines).toEqual([
      "phish: 10/100 (10%), 1.0/s, errors 1, ETA 1m30s\n",
      "phish: 35/100 (35%), 1.2/s, errors 2, ETA 56s\n",
    ]);
  });

  it("plain lines: a line at least every heartbeat while the run is not done, none after stop", async () => {
    const lines: string[] = [];
    const r = progressReporter("slow", { tty: false, write: (s) => lines.push(s), heartbeatMs: 20 });
    r.update(at(1, 100, 0));
    await sleep(120);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^slow: 1\/100 \(1%\), .*, errors 0, ETA /);
    r.update(at(100, 100));
    const afterDone = lines.length; // the 100% line
    await sleep(80);
    expect(lines.length).toBe(afterDone);
    r.stop();
  });
});
