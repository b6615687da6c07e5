import { createHash } from "node:crypto";
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { GENERATORS } from "../../datasets/generators/index.js";
import { Rng } from "../../datasets/generators/rng.js";
import { InputError, RuntimeFailure } from "../io/errors.js";
import { makeDirs } from "../io/make-dirs.js";
import { outTarget } from "../io/out-file.js";
import { Case } from "../schema/index.js";

export type GeneratedDataset = { workflow: string; file: string; manifest: string; cases: number; sha256: string };

/**
 * Write datasets/<workflow>/cases.jsonl and manifest.json for each generator. Every case is
 * validated before it is written: a generator bug must not ship a file the loaders reject.
 */
export function generateDatasets(opts: {
  outDir: string;
  workflows?: string[];
  seed?: number;
  count?: number;
}): GeneratedDataset[] {
  const chosen = opts.workflows?.length ? GENERATORS.filter((g) => opts.workflows!.includes(g.workflow)) : GENERATORS;
  for (const w of opts.workflows ?? [])
    if (!GENERATORS.some((g) => g.workflow === w))
      throw new InputError(`unknown workflow "${w}" (known: ${GENERATORS.map((g) => g.workflow).join(", ")})`);
  return chosen.map((g) => {
    const seed = opts.seed ?? g.defaultSeed;
    const count = opts.count ?? g.defaultCount;
    const cases = g.generate(new Rng(`${g.workflow}:${seed}`), count);
    const dir = join(opts.outDir, g.workflow);
    makeDirs(dir);
    const file = join(dir, "cases.jsonl");
    const manifestFile = join(dir, "manifest.json");
    // both written beside their targets and renamed once whole: a full disk or a Ctrl-C mid-write
    // left half a dataset under the previous manifest, which a run then read as the dataset
    // through a symlink to the file it names, as every --out file: the link stays
    const [casesAt, manifestAt] = [outTarget(file).file, outTarget(manifestFile).file];
    const [casesTmp, manifestTmp] = [`${casesAt}.partial`, `${manifestAt}.partial`];
    let sha256: string;
    try {
      // line by line: the whole file as one string stops near 40,000 cases (V8's string limit)
      const hash = createHash("sha256");
      const fd = openSync(casesTmp, "w");
      try {
        cases.forEach((c, i) => {
          const parsed = Case.safeParse(c);
          if (!parsed.success) throw new Error(`generator ${g.workflow} case ${i}: ${parsed.error.issues[0]?.message}`);
          const line = `${JSON.stringify(parsed.data)}\n`;
          hash.update(line);
          writeSync(fd, line);
        });
      } finally {
        closeSync(fd);
      }
      sha256 = hash.digest("hex");
      const manifest = {
        synthetic: true,
        note: "Synthetic cases written by soceval's seeded generator. Not real incidents; no real organisation, person or host.",
        workflow: g.workflow,
        generator: `datasets/generators/${g.workflow}.ts`,
        generator_version: g.version,
        seed,
        cases: cases.length,
        sha256,
        counts: countBy(cases),
      };
      writeFileSync(manifestTmp, `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (e) {
      rmSync(casesTmp, { force: true });
      rmSync(manifestTmp, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      // the write's failure names the file (a full disk exit 3, a folder not ours to write exit 2, as
      // an import's); a generator's own bug is said as it is
      if (!code) throw e;
      const text = `${file}: cannot write (${code})`;
      throw ["ENOSPC", "EDQUOT", "EFBIG", "EIO"].includes(code) ? new RuntimeFailure(text) : new InputError(text, file);
    }
    renameSync(casesTmp, casesAt);
    renameSync(manifestTmp, manifestAt);
    return { workflow: g.workflow, file, manifest: manifestFile, cases: cases.length, sha256 };
  });
}

function countBy(cases: Case[]) {
  const verdict: Record<string, number> = {};
  const tags: Record<string, number> = {};
  let escalated = 0;
  for (const c of cases) {
    const v = c.label?.verdict ?? "unlabeled";
    verdict[v] = (verdict[v] ?? 0) + 1;
    if (c.label?.escalate) escalated++;
    for (const t of c.tags) tags[t] = (tags[t] ?? 0) + 1;
  }
  return { verdict, escalated, tags };
}
