import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";

export interface SshUrlParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

const defaultSshPort = 22;

/** Parses `ssh://user@host[:port]`. A password in the URL is refused: bastions take keys. */
export function parseSshUrl(url: string): Result<SshUrlParts, SluiceError> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return err(configError(`invalid SSH URL "${shownUrl(url)}": expected ssh://user@host:port`));
  }
  if (parsed.protocol !== "ssh:") {
    return err(configError(`invalid SSH URL scheme "${parsed.protocol}": expected ssh://user@host:port`));
  }
  if (parsed.password) {
    return err(
      configError(
        "SSH URL must not carry a password: use ssh://user@host:port and pass the private key separately",
      ),
    );
  }
  const user = decodeURIComponent(parsed.username);
  if (!user) return err(configError(`SSH URL "${parsed.href}" lacks a user: expected ssh://user@host:port`));
  // URL keeps IPv6 literals in brackets; the socket layer wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return err(configError(`SSH URL "${parsed.href}" lacks a host: expected ssh://user@host:port`));
  if (parsed.pathname && parsed.pathname !== "/") {
    return err(configError(`SSH URL "${parsed.href}" has a path; expected ssh://user@host:port only`));
  }
  const port = parsed.port === "" ? defaultSshPort : Number(parsed.port);
  return ok({ host, port, user });
}

/** Never echo a password someone put in a malformed URL. */
function shownUrl(url: string): string {
  return url.replace(/:\/\/([^:/@\s]+):[^@\s]*@/, "://$1:***@");
}
