import { existsSync, statSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { formatOfName } from "../io/out-format.js";

/**
 * Parsers for the flags that name an output file or folder. An empty value is what `--out "$OUT"`
 * passes when OUT is unset: a report then went to stdout as if no --out were given (exit 0, no
 * file), export and start failed as runtime errors on the current folder, and `dataset generate`
 * wrote into it. Refused as a usage error (exit 2) instead, before any work.
 */
export function outFile(value: string): string {
  if (value === "") throw new InvalidArgumentError("an empty path; name a file (an unset shell variable?)");
  // `--out - | jq` made a file named "-" and printed "wrote -" into the pipe instead of the data
  if (value === "-") throw new InvalidArgumentError('"-" is not read as stdout here; name /dev/stdout');
  return value;
}

export function outDir(value: string): string {
  if (value === "") throw new InvalidArgumentError("an empty path; name a folder (an unset shell variable?)");
  // `start --out report.html` made a folder of that name, which a browser then shows as a listing
  const says = formatOfName(value);
  if (says && !(existsSync(value) && statSync(value).isDirectory()))
    throw new InvalidArgumentError(`${value}: the name says ${says}, but this writes a folder; name a folder`);
  return value;
}
