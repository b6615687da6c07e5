import type { Entity } from "../schema/index.js";
import { addEntities, isRecord, str } from "./values.js";

/** OCSF observable `type_id` → our entity type (OCSF 1.x observable type enum). */
const OBSERVABLE_TYPES: Record<number, string> = {
  1: "host",
  2: "ip",
  3: "mac",
  4: "account",
  5: "email",
  6: "url",
  7: "file",
  8: "file_hash",
  9: "process",
  10: "resource",
  11: "port",
  12: "subnet",
  13: "command_line",
  14: "country",
  15: "process_id",
  16: "user_agent",
  17: "cwe",
  18: "cve",
  19: "credential",
  20: "host",
  21: "account",
  22: "email",
  23: "url",
  24: "file",
  25: "process",
};

export function observableEntity(o: unknown): Entity | undefined {
  if (!isRecord(o)) return undefined;
  const value = str(o.value);
  if (!value) return undefined;
  const known = typeof o.type_id === "number" ? OBSERVABLE_TYPES[o.type_id] : undefined;
  const type =
    known ??
    str(o.type)
      ?.replace(/[^A-Za-z0-9]+/g, "_")
      .toLowerCase() ??
    "other";
  return { type, value };
}

const ENDPOINT_KEYS = new Set(["device", "src_endpoint", "dst_endpoint", "endpoint", "proxy_endpoint"]);
const PROCESS_KEYS = new Set(["process", "parent_process", "actor_process"]);
const USER_KEYS = new Set(["user", "actor_user", "target_user"]);

/**
 * Entities named anywhere inside an OCSF object (an evidence artifact, a resource): OCSF puts the
 * same kinds of things under well-known keys, so the key tells us what a nested object is.
 */
export function entitiesIn(root: unknown): Entity[] {
  const out: Entity[] = [];
  const add = (type: string, v: unknown) => {
    const value = str(v);
    if (value) addEntities(out, [{ type, value }]);
  };
  const walk = (v: unknown, key: string, depth: number) => {
    if (depth > 6) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key, depth + 1);
      return;
    }
    if (!isRecord(v)) return;
    if (USER_KEYS.has(key)) {
      add("account", v.name ?? v.uid);
      add("email", v.email_addr);
    } else if (ENDPOINT_KEYS.has(key)) {
      add("host", v.hostname ?? v.name);
      add("ip", v.ip);
    } else if (PROCESS_KEYS.has(key)) add("process", v.name);
    else if (key === "file") {
      add("file", v.path ?? v.name);
      if (Array.isArray(v.hashes)) for (const h of v.hashes) if (isRecord(h)) add("file_hash", h.value);
    } else if (key === "url") {
      add("url", v.url_string);
      add("domain", v.hostname);
    } else if (key === "email") {
      add("email", v.from);
      for (const to of [v.to, v.cc].flat()) add("email", to);
    } else if (key === "query") add("domain", v.hostname);
    else if (key === "resources" || key === "resource") add("resource", v.uid ?? v.name);
    for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  walk(root, "", 0);
  return out;
}

/** The artifact kinds an OCSF evidence object may hold, most telling first: names the record's source. */
const ARTIFACT_KEYS = [
  "process",
  "file",
  "email",
  "url",
  "query",
  "api",
  "user",
  "device",
  "src_endpoint",
  "dst_endpoint",
  "connection_info",
  "database",
  "databucket",
  "container",
  "reg_key",
  "reg_value",
  "job",
  "actor",
  "data",
];

export function artifactKind(evidence: Record<string, unknown>): string {
  return ARTIFACT_KEYS.find((k) => evidence[k] !== undefined && evidence[k] !== null) ?? "evidence";
}
