import type { SluiceError } from "@sluice/core";
import { configError, redactUrl } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { MysqlConnectionOptions } from "./mysql-connection-options.js";

const expectedForm = "mysql://user:password@host:3306/database (percent-encode special characters)";

/** Parses `mysql://user:pass@host:port/db`; user, password and database are percent-decoded. */
export function parseMysqlUrl(url: string): Result<MysqlConnectionOptions, SluiceError> {
  const bad = (why: string) =>
    err(configError(`source URL ${redactUrl(url)} ${why}; expected ${expectedForm}`));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad("is not a URL");
  }
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") {
    return bad(`has scheme "${parsed.protocol.replace(/:$/, "")}"`);
  }
  if (!parsed.hostname) return bad("has no host");
  const port = parsed.port === "" ? 3306 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return bad("has an invalid port");
  const decoded = decodeParts(parsed);
  if (!decoded) return bad("contains an invalid percent-encoding");
  if (!decoded.user) return bad("has no user");
  if (!decoded.database || decoded.database.includes("/")) return bad("does not name one database");
  // WHATWG URL keeps IPv6 literals bracketed; the socket layer wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return ok({ host, port, user: decoded.user, password: decoded.password, database: decoded.database });
}

function decodeParts(parsed: URL): { user: string; password: string; database: string } | null {
  try {
    return {
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    };
  } catch {
    return null;
  }
}
