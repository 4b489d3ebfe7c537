import { configError, type SluiceError } from "@sluice/core";
import type { FlagValue, PipelineFile, SourceConnectionEntry, TargetConnectionEntry } from "@sluice/pipeline";
import { err, ok, type Result } from "neverthrow";
import type { Provenance } from "./pipeline-run-plan.js";

export interface FileConnectionSettings {
  /** Connection flags (`source`, `lake`, `target`, `sshBastion`, ...) as the file sets them. */
  readonly flags: Record<string, FlagValue>;
  readonly provenance: ReadonlyMap<string, Provenance>;
  /**
   * Settings the CLI reads from variables (S3 region/endpoint/keys, key passphrases),
   * laid over the environment for this run only: one place reads them either way.
   */
  readonly env: Record<string, string>;
}

/**
 * `connections:` of a pipeline file into the flags and variables the CLI already
 * understands, so a value from the file and one from the command line take the same
 * path (and the same checks) from here on.
 */
export function connectionSettingsFromFile(
  pipeline: PipelineFile,
): Result<FileConnectionSettings, SluiceError> {
  const flags: Record<string, FlagValue> = {};
  const provenance = new Map<string, Provenance>();
  const env: Record<string, string> = {};
  const connections = pipeline.content.connections ?? {};
  const set = (key: string, value: FlagValue | undefined, at: (string | number)[]) => {
    if (value === undefined) return;
    flags[key] = value;
    provenance.set(key, { source: "file", detail: pipeline.locate(at) });
  };
  const setEnv = (name: string, value: string | undefined, at: (string | number)[]) => {
    if (value === undefined) return;
    env[name] = value;
    provenance.set(name, { source: "file", detail: pipeline.locate(at) });
  };

  const source = connections.source;
  if (source) {
    const url = databaseUrl(source, "mysql", 3306);
    if (url instanceof Error) {
      return err(
        configError(`${pipeline.locate(["connections", "source"])}: connections.source ${url.message}`),
      );
    }
    set("source", url, ["connections", "source"]);
    if (source.ssh) {
      set("sshBastion", source.ssh.bastion, ["connections", "source", "ssh", "bastion"]);
      set("sshKey", source.ssh.key_path, ["connections", "source", "ssh", "key_path"]);
      set("sshHostKey", source.ssh.host_key, ["connections", "source", "ssh", "host_key"]);
      setEnv("SLUICE_SSH_KEY_PASSPHRASE", source.ssh.key_passphrase, ["connections", "source", "ssh"]);
    }
  }
  const lake = connections.lake;
  if (lake) {
    set("lake", lake.url, ["connections", "lake", "url"]);
    setEnv("AWS_REGION", lake.region, ["connections", "lake", "region"]);
    setEnv("AWS_ENDPOINT_URL_S3", lake.endpoint, ["connections", "lake", "endpoint"]);
    setEnv("AWS_ACCESS_KEY_ID", lake.access_key_id, ["connections", "lake", "access_key_id"]);
    setEnv("AWS_SECRET_ACCESS_KEY", lake.secret_access_key, ["connections", "lake", "secret_access_key"]);
  }
  const target = connections.target;
  if (target) {
    const url = databaseUrl(
      target,
      target.dialect ?? "redshift",
      target.dialect === "postgres" ? 5432 : 5439,
    );
    if (url instanceof Error) {
      return err(
        configError(`${pipeline.locate(["connections", "target"])}: connections.target ${url.message}`),
      );
    }
    set("target", url, ["connections", "target"]);
    set("targetSchema", target.schema, ["connections", "target", "schema"]);
    set("iamRole", target.iam_role, ["connections", "target", "iam_role"]);
    set("copyOption", target.copy_options, ["connections", "target", "copy_options"]);
    if (target.ssh) {
      set("targetSshBastion", target.ssh.bastion, ["connections", "target", "ssh", "bastion"]);
      set("targetSshKey", target.ssh.key_path, ["connections", "target", "ssh", "key_path"]);
      set("targetSshHostKey", target.ssh.host_key, ["connections", "target", "ssh", "host_key"]);
      setEnv("SLUICE_TARGET_SSH_KEY_PASSPHRASE", target.ssh.key_passphrase, ["connections", "target", "ssh"]);
    }
  }
  return ok({ flags, provenance, env });
}

/**
 * A URL as written, or one built from host/port/user/password/database (what a `.env`
 * of the replaced system holds); user and password are percent-encoded here, so
 * passwords with `@` or `/` need no care in the file.
 */
function databaseUrl(
  entry: SourceConnectionEntry | TargetConnectionEntry,
  scheme: string,
  defaultPort: number,
): string | Error | undefined {
  const parts = ["host", "port", "user", "password", "database"] as const;
  const hasParts = parts.some((part) => entry[part] !== undefined);
  if (entry.url !== undefined) {
    if (hasParts) return new Error("sets both url and host/port/user/password/database; keep one form");
    return entry.url;
  }
  if (!hasParts) return undefined;
  const missing = (["host", "user", "database"] as const).filter((part) => !entry[part]);
  if (missing.length > 0) return new Error(`needs ${missing.join(", ")} (or a url)`);
  const credentials = `${encodeURIComponent(entry.user ?? "")}${
    entry.password ? `:${encodeURIComponent(entry.password)}` : ""
  }`;
  return `${scheme}://${credentials}@${entry.host}:${entry.port ?? defaultPort}/${encodeURIComponent(entry.database ?? "")}`;
}
