import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null = null;

/**
 * The soceval package folder (where package.json, reports/ and readiness/ live), found by walking
 * up from this module: the same answer from src/ under tsx and from the compiled dist/ chunks.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "reports"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`soceval: package folder not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  root = dir;
  return dir;
}
