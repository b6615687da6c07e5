import { formatPath } from "../io/errors.js";

/**
 * Why a case that overflowed the stack (isStackOverflow) is refused: storing it (`JSON.stringify`)
 * and some scorers recurse. That is the dataset's fault, so it is refused like any other bad line
 * (file:line: field, exit 2, a fresh run removed) instead of crashing the run half-written:
 * `file:line: alert.raw.x: nested 10001 levels deep …` for the case `value`, or null if it is not deep. */
export function tooDeepMessage(file: string, line: number, value: unknown, can: "store" | "show" = "store"): string {
  const { path, depth } = deepest(value);
  // the field as far as a reader needs to find it; the rest of a 10,000-level path says nothing
  const shown = formatPath(path.slice(0, 4)) + (path.length > 4 ? "…" : "");
  return `${file}:${line}: ${shown || "(case)"}: nested ${depth} levels deep, more than soceval can ${can}; flatten it`;
}

type Node = { v: unknown; depth: number; key?: string | number; up?: Node };

/**
 * The path to the deepest object or array, walked without recursion so that it cannot overflow
 * itself; each node points at its parent, so a 10,000-level chain costs 10,000 nodes, not a path each.
 */
function deepest(value: unknown): { path: (string | number)[]; depth: number } {
  let best: Node | null = null;
  const todo: Node[] = [{ v: value, depth: 1 }];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (n.v === null || typeof n.v !== "object") continue;
    if (!best || n.depth > best.depth) best = n;
    const isList = Array.isArray(n.v);
    for (const [k, child] of Object.entries(n.v))
      todo.push({ v: child, depth: n.depth + 1, key: isList ? Number(k) : k, up: n });
  }
  const path: (string | number)[] = [];
  for (let n: Node | undefined = best ?? undefined; n?.key !== undefined; n = n.up) path.unshift(n.key);
  return { path, depth: best?.depth ?? 0 };
}
