import type { Command } from "commander";
import { refuseInputs } from "../io/out-file.js";
import { DEFAULT_DB, Store } from "../store/db.js";
import { runInputs } from "../workflow/suite-inputs.js";
import { action, EXIT } from "./exit.js";
import { outFile } from "./out-option.js";

type Opts = { runs: string[]; agents?: string[]; out?: string; format?: string; db: string };

export function register(program: Command): void {
  program
    .command("compare")
    .description("compare agents on the same cases: paired differences, McNemar, quality vs cost")
    .requiredOption("--runs <ids...>", "one run (compare its agents) or two runs (baseline first); latest works")
    .option("--agents <names...>", "agents to compare: in one run any number, with two runs one per run")
    .option("--out <file>", "write to this file (format from its extension) instead of stdout", outFile)
    .option("--format <format>", "html | md | json (default: from --out, else md)")
    .option("--db <path>", "DuckDB store", DEFAULT_DB)
    .action(
      action(async (opts: Opts) => {
        const { emit, formatOption, refuseFormatName } = await import("../report/output.js");
        const { buildComparison, resolveSides } = await import("../analytics/compare.js");
        const { renderComparison } = await import("../report/render.js");
        const format = formatOption(opts.format, opts.out);
        if (format === "html") (await import("../report/charts.js")).preloadCharts();
        const store = await Store.open(opts.db, { readOnly: true });
        try {
          const sides = await resolveSides(store, opts.runs, opts.agents);
          const runs = [...new Set(sides.map((s) => s.run_id))];
          if (opts.out) refuseInputs(await runInputs(store, runs), [["--out", opts.out]]);
          refuseFormatName(opts.format, opts.out);
          const doc = await buildComparison(store, sides);
          emit(await renderComparison(doc, format, opts.db), opts.out, "comparison");
          return EXIT.ok;
        } finally {
          store.close();
        }
      }),
    );
}
