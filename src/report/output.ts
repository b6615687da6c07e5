import { InputError } from "../io/errors.js";
import { checkOutFile, outTarget, writeOutFile } from "../io/out-file.js";
import { refuseOtherFormat } from "../io/out-format.js";
import { FORMAT_NAME, pickFormat } from "./render.js";

/** --format / --out → a format, or a one-line usage error. */
export function formatOption(format: string | undefined, out: string | undefined) {
  // checked with the format, before the report is built: a folder at --out is bad input, not a crash
  if (out) checkOutFile("--out", out);
  const f = pickFormat(format, out);
  if (!f)
    throw new InputError(
      format
        ? `--format: "${format}" is not one of html, md, json`
        : `--out ${out}: the format comes from its extension (.html, .md, .json) or --format`,
    );
  return f;
}

/**
 * A --format that the --out name contradicts (`--format json --out r.html`) is refused (exit 2); called
 * after the inputs are checked, so an --out naming one is refused as that first.
 */
export function refuseFormatName(format: string | undefined, out: string | undefined): void {
  const f = pickFormat(format, out);
  if (out && format && f) refuseOtherFormat("--out", out, FORMAT_NAME[f], `--format ${format}`, ", or drop --format");
}

/** Write to --out (creating its folder) or to stdout. */
export function emit(text: string, out: string | undefined, what: string): void {
  if (!out) {
    process.stdout.write(text);
    return;
  }
  writeOutFile("--out", out, text);
  // on stderr when the report itself went to a pipe or the terminal (--out /dev/stdout | jq), not into its data
  const to = outTarget(out).regular ? process.stdout : process.stderr;
  to.write(`${what} written to ${out}\n`);
}
