import { configError, redactUrl, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";

export type WarehouseDialect = "postgres" | "redshift";

/** How to reach a warehouse; parsed from a URL by `parseWarehouseUrl`. */
export interface WarehouseConnection {
  readonly dialect: WarehouseDialect;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Never print this; `displayUrl` is the printable form. */
  readonly password: string;
  readonly database: string;
  /** `?schema=`: target schema for every table (default: the source schema name). */
  readonly schema?: string;
  /** `?iam_role=`: the role Redshift COPY assumes to read the lake. */
  readonly iamRole?: string;
  /**
   * TLS: `disable` (plain), `require` (encrypted, certificate not checked) or
   * `verify-full`. Redshift defaults to `verify-full`, PostgreSQL to `disable`.
   */
  readonly sslMode: "disable" | "require" | "verify-full";
  /**
   * The name TLS checks the certificate against when `host` is not the warehouse's
   * own (an SSH tunnel's loopback end); default `host`.
   */
  readonly tlsServerName?: string;
  /** The URL with its password replaced by `***`, for messages and logs. */
  readonly displayUrl: string;
}

const acceptedForms =
  "use postgres://user:pass@host:5432/db or redshift://user:pass@cluster.region.redshift.amazonaws.com:5439/db?iam_role=arn:aws:iam::123456789012:role/name (optional &schema=name, &sslmode=disable|require|verify-full; percent-encode special characters)";

const defaultPorts: Record<WarehouseDialect, number> = { postgres: 5432, redshift: 5439 };
const sslModes = ["disable", "require", "verify-full"] as const;
const knownParameters = new Set(["iam_role", "schema", "sslmode"]);

/**
 * Parses `postgres://user:pass@host:port/db` (also `postgresql://`) or
 * `redshift://user:pass@host:5439/db?iam_role=arn:...&schema=...`. User and password
 * are percent-decoded. Errors are one line with the URL redacted.
 */
export function parseWarehouseUrl(url: string): Result<WarehouseConnection, SluiceError> {
  const fail = (reason: string) =>
    err(configError(`target URL ${redactUrl(url)} ${reason}; ${acceptedForms}`));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail("is not a valid URL");
  }
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  const dialect: WarehouseDialect | null =
    scheme === "postgres" || scheme === "postgresql" ? "postgres" : scheme === "redshift" ? "redshift" : null;
  if (!dialect) return fail(`has scheme "${scheme}", expected postgres or redshift`);
  if (!parsed.hostname) return fail("has no host");
  let user: string;
  let password: string;
  let database: string;
  try {
    user = decodeURIComponent(parsed.username);
    password = decodeURIComponent(parsed.password);
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  } catch {
    return fail("has a malformed percent-encoding");
  }
  if (!user) return fail("has no user");
  if (!database || database.includes("/")) return fail("must name exactly one database as its path");
  const port = parsed.port ? Number(parsed.port) : defaultPorts[dialect];
  for (const name of parsed.searchParams.keys()) {
    if (!knownParameters.has(name))
      return fail(`has unknown parameter "${name}" (known: iam_role, schema, sslmode)`);
  }
  const iamRole = parsed.searchParams.get("iam_role") ?? undefined;
  if (iamRole !== undefined && dialect !== "redshift")
    return fail("sets iam_role, which only redshift:// uses");
  if (iamRole !== undefined && !isIamRole(iamRole)) {
    return fail(`has iam_role "${iamRole}", expected arn:aws:iam::<account>:role/<name> or default`);
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !/^[A-Za-z0-9_$]+$/.test(schema)) {
    return fail(`has schema "${schema}" with characters other than letters, digits, _ and $`);
  }
  const sslText = parsed.searchParams.get("sslmode") ?? (dialect === "redshift" ? "verify-full" : "disable");
  const sslMode = sslModes.find((mode) => mode === sslText);
  if (!sslMode) return fail(`has sslmode "${sslText}", expected disable, require or verify-full`);
  return ok({
    dialect,
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    user,
    password,
    database,
    sslMode,
    displayUrl: redactUrl(parsed),
    ...(schema !== undefined ? { schema } : {}),
    ...(iamRole !== undefined ? { iamRole } : {}),
  });
}

/** `default` (the cluster's default role) or one or more comma-chained role ARNs. */
export function isIamRole(text: string): boolean {
  if (text === "default") return true;
  return text
    .split(",")
    .every((part) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/.test(part));
}
