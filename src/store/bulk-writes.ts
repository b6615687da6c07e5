/** The WAL at which a run's commit checkpoints (Store.tuneForBulkWrites), in MiB. */
export const BULK_WRITE_CHECKPOINT_MB = 4;

/** The buffer pool a run writes under (Store.tuneForBulkWrites), in MB. */
export function bulkWriteMemoryMb(vectorBytes: number): number {
  return Math.max(64, Math.ceil((2 * vectorBytes) / 2 ** 20));
}

/** A size as DuckDB prints a setting ("19.2 GiB", "128.0 MiB", "500.0 KB"), in MB; Infinity if unread. */
export function sizeMb(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]i?B|bytes)$/.exec(text.trim());
  if (!m) return Number.POSITIVE_INFINITY;
  const unit = m[2]!;
  const power = { b: 0, K: 1, M: 2, G: 3, T: 4 }[unit === "bytes" ? "b" : (unit[0] as "K" | "M" | "G" | "T")];
  const base = unit.includes("i") || unit === "bytes" ? 1024 : 1000;
  return (Number(m[1]) * base ** power) / 2 ** 20;
}
