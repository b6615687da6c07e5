import { existsSync } from "node:fs";
import { extname } from "node:path";
import { InputError } from "../io/errors.js";
import { type AnswerSet, assertDistinct, loadAnswersYaml } from "./answers.js";
import { loadAnswersCsv } from "./answers-csv.js";
import type { LoadedMatrix } from "./matrix.js";

/** Answer files by extension: YAML holds one candidate, a CSV export may hold many. */
export async function loadAnswerFiles(files: string[], matrix: LoadedMatrix): Promise<AnswerSet[]> {
  const sets: AnswerSet[] = [];
  for (const file of files) {
    if (!existsSync(file)) throw new InputError(`${file}: no such file`, file);
    const ext = extname(file).toLowerCase();
    if (ext === ".csv" || ext === ".tsv") sets.push(...(await loadAnswersCsv(file, matrix)));
    else if (ext === ".yaml" || ext === ".yml") sets.push(loadAnswersYaml(file, matrix));
    else throw new InputError(`${file}: answers must be .yaml, .yml or .csv`, file);
  }
  if (sets.length === 0) throw new InputError("no answer files given");
  assertDistinct(sets);
  return sets;
}
