/**
 * A run's stored status as a reader should hear it. Every command that reads a store holds its
 * lock (DuckDB refuses a second process while one writes), so a run still marked `running` has no
 * process behind it: it was killed, or its machine went down. Saying "running" would have a SOC
 * engineer wait for a process that does not exist.
 */
export function statusForReader(status: string | null | undefined): string {
  if (status === "running") return "stopped by a kill or crash";
  return status ?? "unknown";
}
