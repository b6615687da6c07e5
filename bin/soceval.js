#!/bin/sh
":" //; case "$1" in run|start) export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"; exec node --max-semi-space-size=2 --heap-growing-percent=10 "$0" "$@" ;; esac; exec node "$0" "$@"
// The line above is POSIX sh, and to Node a string and a comment: sh starts Node with V8's heap
// flags and glibc's arena cap for the commands that replay a suite (RUN_NODE_FLAGS and
// RUN_MALLOC_ARENAS in run-env.mjs say why), in its own process (exec), so signals, the exit code
// and the process id are Node's own.
// Runs the compiled CLI in dist/ when it is current (npm ci builds it), else the TypeScript sources
// through tsx, so an edited checkout never runs stale code and a fresh clone needs no build step.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setRunEnv } from "./run-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function distIsCurrent() {
  try {
    const { built_at, inputs } = JSON.parse(readFileSync(`${root}dist/inputs.json`, "utf8"));
    return inputs.every((f) => statSync(root + f).mtimeMs <= built_at);
  } catch {
    return false;
  }
}

// before anything loads DuckDB's library, which reads it only then
setRunEnv(process.argv, process.env);

if (process.env.SOCEVAL_FROM_SOURCE !== "1" && distIsCurrent()) {
  await import("../dist/soceval.mjs");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
