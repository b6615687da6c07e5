import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "./errors.js";
import { checkOutDir, checkOutFile, writeOutFile } from "./out-file.js";

const tmp = () => mkdtempSync(join(tmpdir(), "soceval-out-file-"));

describe("output paths the user names", () => {
  it("writes a file, creating the folders it needs", () => {
    const file = join(tmp(), "a", "b", "report.md");
    writeOutFile("--out", file, "x");
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("refuses a folder where a file goes, and a path under a file, as bad input naming the flag", () => {
    const d = tmp();
    mkdirSync(join(d, "report.html"));
    writeFileSync(join(d, "notes"), "");
    expect(() => checkOutFile("--summary", join(d, "report.html"))).toThrow(InputError);
    expect(() => checkOutFile("--summary", join(d, "report.html"))).toThrow(
      `--summary ${join(d, "report.html")}: is a directory; name a file`,
    );
    expect(() => writeOutFile("--out", join(d, "notes", "sub", "r.md"), "x")).toThrow(
      `--out ${join(d, "notes", "sub", "r.md")}: ${join(d, "notes")} is a file, not a folder`,
    );
  });

  it("takes a folder that exists or can be made, and refuses a file where a folder goes", () => {
    const d = tmp();
    writeFileSync(join(d, "f"), "");
    expect(() => checkOutDir("--out", d)).not.toThrow();
    expect(() => checkOutDir("--out", join(d, "new", "reports"))).not.toThrow();
    expect(() => checkOutDir("--out", join(d, "f"))).toThrow(`--out ${join(d, "f")}: is a file; name a folder`);
    expect(() => checkOutDir("--out", join(d, "f", "reports"))).toThrow(
      `--out ${join(d, "f", "reports")}: ${join(d, "f")} is a file, not a folder`,
    );
  });
});
