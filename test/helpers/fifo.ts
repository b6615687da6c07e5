import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";

/**
 * A named pipe at `path` with a reader on its far end (`cat`), as `--out /dev/stdout | next-tool`
 * gives a command: `text()` is all the reader got once the writer closed; `stop()` ends it early.
 */
export function fifoWithReader(path: string): { text: () => Promise<string>; stop: () => void } {
  execFileSync("mkfifo", [path]);
  const reader = spawn("cat", [path]);
  let got = "";
  reader.stdout.on("data", (c) => {
    got += String(c);
  });
  const closed = once(reader, "close");
  return {
    text: async () => {
      await closed;
      return got;
    },
    stop: () => reader.kill(),
  };
}
