import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null | undefined;

/** The soceval checkout or package this code runs from (compiled in dist/ or as sources in src/). */
function packageRoot(): string | null {
  if (root !== undefined) return root;
  root = null;
  for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
    const pkg = join(d, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "soceval") {
      root = d;
      break;
    }
  }
  return root;
}

/**
 * A bundled file or folder (suites/, readiness/matrix.yaml, …) named relative to a checkout: as
 * given when the current folder has it, so a team's own copy wins; else the one soceval ships
 * with, so `soceval start` works from any folder. Unchanged when neither exists, for the error.
 */
export function bundledPath(rel: string): string {
  if (existsSync(rel)) return rel;
  const r = packageRoot();
  return r && existsSync(join(r, rel)) ? join(r, rel) : rel;
}
