import type { Entity } from "../schema/index.js";
import { addEntities, isRecord, str } from "./values.js";

type Obj = Record<string, unknown>;
type Refs = Map<string, Obj>;

/** Sentinel entity `Type` → our entity type and how to read its identifying value. */
const KINDS: Record<string, { type: string; value: (e: Obj, byId: Refs) => string | undefined }> = {
  account: { type: "account", value: accountName },
  host: { type: "host", value: hostName },
  ip: { type: "ip", value: (e) => str(e.Address) },
  file: { type: "file", value: filePath },
  filehash: { type: "file_hash", value: (e) => str(e.Value) },
  process: { type: "process", value: processName },
  url: { type: "url", value: (e) => str(e.Url) },
  dns: { type: "domain", value: (e) => str(e.DomainName) },
  mailbox: { type: "email", value: (e) => str(e.MailboxPrimaryAddress) ?? str(e.Upn) },
  mailMessage: { type: "message_id", value: (e) => str(e.InternetMessageId) ?? str(e.NetworkMessageId) },
  mailCluster: { type: "mail_cluster", value: (e) => str(e.ClusterByValue) ?? str(e.Query) },
  "cloud-application": { type: "cloud_app", value: (e) => str(e.Name) ?? str(e.AppId) },
  "oauth-application": { type: "oauth_app", value: (e) => str(e.Name) ?? str(e.OAuthAppId) },
  "cloud-logon-session": { type: "session", value: (e) => str(e.SessionId) },
  "cloud-logon-request": { type: "request", value: (e) => str(e.RequestId) },
  "azure-resource": { type: "resource", value: (e) => str(e.ResourceId) },
  "registry-key": { type: "registry_key", value: registryKey },
  "registry-value": { type: "registry_value", value: registryValue },
  "security-group": { type: "group", value: (e) => str(e.DistinguishedName) ?? str(e.SID) ?? str(e.ObjectGuid) },
  malware: { type: "malware", value: (e) => str(e.Name) },
  "network-connection": { type: "connection", value: connection },
  iotdevice: { type: "host", value: (e) => str(e.DeviceName) ?? str(e.DeviceId) },
};

function accountName(e: Obj): string | undefined {
  const upn = str(e.UserPrincipalName);
  if (upn) return upn;
  const name = str(e.Name) ?? str(e.AccountName);
  if (name && str(e.UPNSuffix)) return `${name}@${e.UPNSuffix}`;
  if (name && str(e.NTDomain)) return `${e.NTDomain}\\${name}`;
  return name ?? str(e.AadUserId) ?? str(e.Sid) ?? str(e.DisplayName);
}

function hostName(e: Obj): string | undefined {
  const fqdn = str(e.FQDN);
  if (fqdn) return fqdn;
  const name = str(e.HostName) ?? str(e.NetBiosName);
  if (name && str(e.DnsDomain)) return `${name}.${e.DnsDomain}`;
  return name ?? str(e.MdatpDeviceId) ?? str(e.AzureID);
}

function filePath(e: Obj): string | undefined {
  const name = str(e.Name);
  const dir = str(e.Directory)?.replace(/\\$/, "");
  if (!name || dir === undefined) return name;
  // an alert entered by hand in Defender may give the whole path as Directory: adding Name again
  // would name a file that is not there
  if (dir.toLowerCase().endsWith(`\\${name.toLowerCase()}`)) return dir;
  return `${dir}\\${name}`;
}

/**
 * A nested entity that an earlier one in the alert already carries is written as a `$ref`, so
 * whether it is inline depends only on the order the alert lists its entities: read it either way.
 */
function nested(v: unknown, byId: Refs): Obj | undefined {
  const o = resolve(v, byId);
  return isRecord(o) ? o : undefined;
}

function processName(e: Obj, byId: Refs): string | undefined {
  const image = str(nested(e.ImageFile, byId)?.Name);
  return image ?? str(e.CommandLine) ?? str(e.ProcessId);
}

function registryKey(e: Obj): string | undefined {
  const key = str(e.Key);
  const hive = str(e.Hive);
  return key && hive ? `${hive}\\${key}` : key;
}

function registryValue(e: Obj, byId: Refs): string | undefined {
  const keyEntity = nested(e.Key, byId);
  const key = keyEntity ? registryKey(keyEntity) : str(e.Key);
  const name = str(e.Name);
  return key && name ? `${key}\\${name}` : (name ?? key);
}

function connection(e: Obj, byId: Refs): string | undefined {
  const src = str(nested(e.SourceAddress, byId)?.Address);
  const dst = str(nested(e.DestinationAddress, byId)?.Address);
  return src || dst
    ? `${src ?? "?"}:${str(e.SourcePort) ?? ""} -> ${dst ?? "?"}:${str(e.DestinationPort) ?? ""}`
    : undefined;
}

/** One Sentinel entity's type in our vocabulary: the known table, else its own name in snake case. */
export function entityType(sentinelType: string): string {
  return KINDS[sentinelType]?.type ?? sentinelType.replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}

export function toEntity(e: Obj, byId: Refs): Entity | undefined {
  const t = str(e.Type) ?? str(e.$type);
  if (!t) return undefined;
  const kind = KINDS[t];
  const value = kind ? kind.value(e, byId) : (str(e.Name) ?? str(e.Value) ?? str(e.Id));
  return value ? { type: entityType(t), value } : undefined;
}

/** Sentinel serializes entity graphs with `$id` and `$ref`; index every object that carries an `$id`. */
export function indexEntities(list: unknown[]): Map<string, Obj> {
  const byId = new Map<string, Obj>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (isRecord(v)) {
      const id = str(v.$id);
      if (id && !byId.has(id)) byId.set(id, v);
      for (const x of Object.values(v)) visit(x);
    }
  };
  visit(list);
  return byId;
}

export function resolve(v: unknown, byId: Map<string, Obj>): unknown {
  if (isRecord(v) && typeof v.$ref === "string" && Object.keys(v).length === 1) return byId.get(v.$ref) ?? v;
  return v;
}

/** The entity itself plus every entity nested in it (a process's image file and hashes, its account, host, parent). */
export function relatedEntities(e: Obj, byId: Map<string, Obj>): Entity[] {
  const out: Entity[] = [];
  const seen = new Set<Obj>();
  const walk = (v: unknown, depth: number) => {
    const o = resolve(v, byId);
    if (Array.isArray(o)) {
      for (const x of o) walk(x, depth);
      return;
    }
    if (!isRecord(o) || seen.has(o) || depth > 4) return;
    seen.add(o);
    const ent = toEntity(o, byId);
    if (ent) addEntities(out, [ent]);
    for (const [k, x] of Object.entries(o)) if (k !== "ThreatAnalysisSummary") walk(x, depth + 1);
  };
  walk(e, 0);
  return out;
}

/** A copy of the entity with `$ref`s replaced by what they point to (cycles cut), for evidence data. */
export function inlineRefs(e: Obj, byId: Map<string, Obj>): Obj {
  const expand = (v: unknown, stack: Set<Obj>): unknown => {
    const o = resolve(v, byId);
    if (Array.isArray(o)) return o.map((x) => expand(x, stack));
    if (!isRecord(o)) return o;
    if (stack.has(o)) return { $ref: o.$id };
    const next = new Set(stack).add(o);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, expand(x, next)]));
  };
  return expand(e, new Set()) as Obj;
}
