import type { Generator } from "./rng.js";

/** Every bundled workflow's case generator; `npm run datasets` writes each one's cases.jsonl. */
export const GENERATORS: Generator[] = [];
