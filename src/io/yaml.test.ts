import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InputError } from "./errors.js";
import { fieldError, loadYaml } from "./yaml.js";

const file = (name: string, text: string) => {
  const p = join(mkdtempSync(join(tmpdir(), "soceval-yaml-")), name);
  writeFileSync(p, text);
  return p;
};
const Schema = z.strictObject({ name: z.string() });

describe("loadYaml", () => {
  it("names the field a typo meant, through arrays, optional wrappers and records keyed by an enum", () => {
    const Phase = z.enum(["shadow", "assisted"]);
    const Deep = z.strictObject({
      seed: z.number().default(1),
      exit_criteria: z.partialRecord(Phase, z.array(z.strictObject({ metric: z.string(), op: z.string() }))).optional(),
      gate: z.strictObject({ no_new_critical_miss: z.boolean() }).optional(),
    });
    const refused = (text: string) => () => loadYaml(file("s.yaml", text), Deep);
    expect(refused("sed: 3\n")).toThrow(/:1: sed: unknown field "sed" \(did you mean "seed"\?\)$/);
    expect(refused("exit_criteria:\n  shadw: []\n")).toThrow(
      /:2: exit_criteria\.shadw: unknown field "shadw" \(did you mean "shadow"\?\)$/,
    );
    expect(refused("exit_criteria:\n  shadow:\n    - { metric: m, opp: x }\n")).toThrow(
      /exit_criteria\.shadow\[0\]\.opp: unknown field "opp" \(did you mean "op"\? It is required and missing\)$/,
    );
    // nothing near enough: no guess
    expect(refused("colour: red\n")).toThrow(/colour: unknown field "colour"$/);
    // YAML 1.2 reads `yes` as text, which a YAML 1.1 habit meant as true
    expect(refused("gate:\n  no_new_critical_miss: yes\n")).toThrow(
      /:2: gate\.no_new_critical_miss: .*expected boolean.* \("yes": write true or false\)$/,
    );
  });

  it.each([
    ["empty", ""],
    ["comments only", "# nothing answered yet\n\n"],
  ])("names a file that is %s as empty, not as a type error", (_what, text) => {
    const f = file("a.yaml", text);
    expect(() => loadYaml(f, Schema)).toThrow(`${f}:1: the file is empty (no YAML content)`);
  });

  it("refuses a byte that is not UTF-8 with its line and column, instead of reading it as U+FFFD", () => {
    // a Latin-1 editor's José: 0xE9 on line 2
    const f = file("latin1.yaml", "");
    writeFileSync(f, Buffer.concat([Buffer.from("# owner\nname: Jos"), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(() => loadYaml(f, Schema)).toThrow(`${f}:2: not UTF-8 text (a byte that is not UTF-8 at column 10)`);
    expect(loadYaml(file("utf8.yaml", "name: José\n"), Schema)).toEqual({ name: "José" });
  });

  it("still reads a file with content, and names a field that is wrong", () => {
    expect(loadYaml(file("b.yaml", "name: x\n"), Schema)).toEqual({ name: "x" });
    const f = file("c.yaml", "# header\nname: 5\n");
    expect(() => loadYaml(f, Schema)).toThrow(`${f}:2: name:`);
  });

  it.each([
    ["an alias to an anchor never set", "name: x\nowner: *nobody\n", 2, "Unresolved alias"],
    [
      "an alias bomb",
      "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
      2,
      "Excessive alias count",
    ],
    ["an unknown tag", "name: !vault x\n", 1, "Unresolved tag: !vault"],
    ["a standard tag its value does not fit", "name: x\nseed: !!int abc\n", 2, "the value is not a valid !!int"],
    ["two documents", "name: x\n---\nname: y\n", 2, "more than one YAML document"],
  ])("refuses %s as bad input at its line (exit 2, not a runtime failure)", (_what, text, line, message) => {
    const f = file("d.yaml", text);
    let err: unknown;
    try {
      loadYaml(f, z.looseObject({}));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(`${f}:${line}: YAML`);
    expect((err as Error).message).toContain(message);
  });

  it("reads merge keys (<<: *anchor), as YAML 1.1 tools write them", () => {
    const S = z.strictObject({
      base: z.unknown(),
      faults: z.array(z.strictObject({ tool: z.string(), rate: z.number() })),
    });
    const f = file("e.yaml", "base: &b { tool: a, rate: 0.1 }\nfaults:\n  - *b\n  - { <<: *b, tool: c }\n");
    expect(loadYaml(f, S).faults).toEqual([
      { tool: "a", rate: 0.1 },
      { tool: "c", rate: 0.1 },
    ]);
  });

  it("finds the line of a key written as a number", () => {
    const f = file("g.yaml", "name: x\nlimits:\n  a: 1\n  42: 2\n");
    expect(fieldError(f, ["limits", "42"], "no such limit").message).toBe(`${f}:4: limits.42: no such limit`);
  });
});
