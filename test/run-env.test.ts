import { describe, expect, it } from "vitest";
import { RUN_ALLOCATOR, setRunEnv } from "../bin/run-env.mjs";

describe("what `soceval run` sets before DuckDB loads (bin/run-env.mjs)", () => {
  it("tells DuckDB's allocator to hand memory back for the commands that move a whole run, never over the user's own value", () => {
    const env = (argv: string[], given: Record<string, string> = {}) => {
      const e: Record<string, string | undefined> = { ...given };
      setRunEnv(["node", "bin/soceval.js", ...argv], e);
      return e.DUCKDB_JE_MALLOC_CONF;
    };
    expect(env(["run", "s.yaml"])).toBe(RUN_ALLOCATOR);
    expect(env(["start"])).toBe(RUN_ALLOCATOR);
    expect(env(["export", "--run", "latest"])).toBe(RUN_ALLOCATOR);
    expect(env(["runs", "merge", "a.duckdb"])).toBe(RUN_ALLOCATOR);
    expect(env(["rescore", "--run", "latest"])).toBe(RUN_ALLOCATOR);
    expect(RUN_ALLOCATOR).toBe("dirty_decay_ms:0,muzzy_decay_ms:0");
    for (const other of [["report"], ["query", "run"], ["runs", "list"], [], ["--help"]])
      expect(env(other)).toBeUndefined();
    expect(env(["run", "s.yaml"], { DUCKDB_JE_MALLOC_CONF: "narenas:1" })).toBe("narenas:1");
  });
});
