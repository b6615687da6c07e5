import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadYaml } from "./yaml.js";

const file = (name: string, text: string) => {
  const p = join(mkdtempSync(join(tmpdir(), "soceval-yaml-")), name);
  writeFileSync(p, text);
  return p;
};
const Schema = z.strictObject({ name: z.string() });

describe("loadYaml", () => {
  it.each([
    ["empty", ""],
    ["comments only", "# nothing answered yet\n\n"],
  ])("names a file that is %s as empty, not as a type error", (_what, text) => {
    const f = file("a.yaml", text);
    expect(() => loadYaml(f, Schema)).toThrow(`${f}:1: the file is empty (no YAML content)`);
  });

  it("still reads a file with content, and names a field that is wrong", () => {
    expect(loadYaml(file("b.yaml", "name: x\n"), Schema)).toEqual({ name: "x" });
    const f = file("c.yaml", "# header\nname: 5\n");
    expect(() => loadYaml(f, Schema)).toThrow(`${f}:2: name:`);
  });
});
