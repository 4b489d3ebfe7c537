import type { MysqlConnectionOptions, S3StoreOptions } from "@sluice/connectors";
import { openObjectStore, parseLakeUrl, parseMysqlUrl } from "@sluice/connectors";
import type { ObjectStore, SluiceError } from "@sluice/core";
import { configError } from "@sluice/core";
import type { WarehouseTarget } from "@sluice/pipeline";
import { createWarehouse, parseWarehouseUrl, type WarehouseConnection } from "@sluice/redshift-loader";
import { err, ok, type Result } from "neverthrow";

export interface ConnectionFlags {
  readonly source?: string;
  readonly lake?: string;
  readonly target?: string;
  readonly targetSchema?: string;
  readonly iamRole?: string;
}

/**
 * A table's warehouse settings as the CLI resolves them: the connection still as
 * settings (a tunnel may replace its host and port before anything connects).
 */
export type WarehouseSettings = Omit<WarehouseTarget, "connection"> & {
  readonly connection: WarehouseConnection;
};

export interface ResolvedConnections {
  readonly source?: MysqlConnectionOptions;
  readonly lake: ObjectStore;
  readonly warehouse?: WarehouseSettings;
}

/**
 * The pipeline's target: the warehouse opened over these settings (connecting per
 * table session, so nothing to close) and the table's settings beside it.
 */
export function openedTarget(settings: WarehouseSettings, lake: ObjectStore): WarehouseTarget {
  return { ...settings, connection: createWarehouse({ connection: settings.connection, lake }) };
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The standard AWS variables, read here (the app) and handed to the store explicitly,
 * so the CLI behaves the same in-process and in tests. What is not set is left to the
 * SDK's own chain (profiles, SSO, instance roles). An endpoint override means an
 * S3-compatible server, which virtual-host addressing rarely reaches: path style then.
 */
export function s3Settings(env: Environment): Omit<S3StoreOptions, "bucket" | "prefix"> {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    // Bounded memory: one part of 5 MiB (S3's minimum, and the AWS SDK's own multipart
    // default) in flight per upload; the upload of part file N overlaps the encoding of
    // N+1, so its buffers count at the peak. One rather than two: 184-187 MiB peak RSS
    // on 5M rows against 194-207, no slower (ADR 0017 §7). A run makes Parquet at
    // ~15 MB/s per connection; one stream to S3 carries several times that.
    partSizeBytes: 5 * 1024 * 1024,
    partConcurrency: 1,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  };
}

/**
 * Flags win over SLUICE_*_URL variables. S3 endpoint, region and credentials are left
 * to the AWS SDK's own chain (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_PROFILE, ...); we
 * only switch to path-style addressing when an endpoint override points at an
 * S3-compatible server, which virtual-host addressing rarely reaches.
 */
export function resolveConnections(
  flags: ConnectionFlags,
  env: Environment,
  needs: { source: boolean; target: boolean },
  /** S3 client settings from other flags, e.g. `maxAttempts` from `--retry-attempts`. */
  s3Overrides: Pick<S3StoreOptions, "maxAttempts"> = {},
): Result<ResolvedConnections, SluiceError> {
  const lakeUrl = flags.lake ?? env.SLUICE_LAKE_URL;
  if (!lakeUrl) {
    return err(
      configError("no lake given; pass --lake s3://bucket/prefix or file:///path, or set SLUICE_LAKE_URL"),
    );
  }
  const lakeLocation = parseLakeUrl(lakeUrl);
  if (lakeLocation.isErr()) return err(lakeLocation.error);
  const lake = openObjectStore(lakeLocation.value, { ...s3Settings(env), ...s3Overrides });

  let source: MysqlConnectionOptions | undefined;
  if (needs.source) {
    const sourceUrl = flags.source ?? env.SLUICE_SOURCE_URL;
    if (!sourceUrl) {
      return err(
        configError("no source given; pass --source mysql://user:pass@host:port/db or set SLUICE_SOURCE_URL"),
      );
    }
    const parsed = parseMysqlUrl(sourceUrl);
    if (parsed.isErr()) return err(parsed.error);
    source = parsed.value;
  }

  let warehouse: WarehouseSettings | undefined;
  if (needs.target) {
    const targetUrl = flags.target ?? env.SLUICE_TARGET_URL;
    if (!targetUrl) {
      return err(
        configError(
          "no target given; pass --target postgres://user:pass@host:port/db or redshift://..., set SLUICE_TARGET_URL, or use --backup-only",
        ),
      );
    }
    const parsed = parseWarehouseUrl(targetUrl);
    if (parsed.isErr()) return err(parsed.error);
    warehouse = {
      connection: parsed.value,
      ...(flags.targetSchema ? { targetSchema: flags.targetSchema } : {}),
      ...(flags.iamRole ? { iamRole: flags.iamRole } : {}),
    };
  }
  return ok({ lake, ...(source ? { source } : {}), ...(warehouse ? { warehouse } : {}) });
}
