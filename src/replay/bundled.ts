import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bundledPath } from "../io/bundled-path.js";

/** The bundled shadow suites, one per workflow folder, in a stable order. */
export function bundledSuites(root = bundledPath("suites")): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name, "shadow.suite.yaml"))
    .filter((f) => existsSync(f))
    .sort();
}
