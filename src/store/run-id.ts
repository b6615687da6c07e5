import { randomBytes } from "node:crypto";

/** A new run id: its start time (sortable, readable in a listing) and a random suffix. */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${t}-${randomBytes(2).toString("hex")}`;
}
