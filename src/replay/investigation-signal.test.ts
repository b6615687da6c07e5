import { describe, expect, it } from "vitest";
import { investigationSignal } from "./investigation-signal.js";

describe("investigationSignal", () => {
  it("stops the investigations in flight with the run, and lets go of those that ended", () => {
    const run = new AbortController();
    const ended = investigationSignal(run.signal);
    const live = Array.from({ length: 20 }, () => investigationSignal(run.signal));
    ended.done();
    run.abort(new Error("Ctrl-C"));
    expect(live.every((l) => l.signal.aborted)).toBe(true);
    expect((live[0]!.signal.reason as Error).message).toBe("Ctrl-C");
    // an investigation that had ended is no longer tied to the run
    expect(ended.signal.aborted).toBe(false);
  });

  it("an investigation that starts after the stop is stopped already", () => {
    const run = new AbortController();
    run.abort();
    expect(investigationSignal(run.signal).signal.aborted).toBe(true);
  });
});
