import type { ConnectionOptions } from "mysql2";
/** Everything needed to open a MySQL/MariaDB session; the password never appears in messages. */
export interface MysqlConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * A duplex stream factory, e.g. an SSH tunnel's `forwardOut` channel; handed to
   * mysql2 as `stream`, in which case host/port only name the server in messages.
   */
  readonly stream?: () => unknown;
}

/**
 * The mysql2 settings of every session sluice opens (extraction and the `info` probe):
 * nothing lossy on the way in (see SourceValue in @sluice/core), utf8mb4, and no
 * driver-side time zone conversion.
 */
export function mysqlSessionConfig(options: MysqlConnectionOptions): ConnectionOptions {
  return {
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.stream ? { stream: options.stream } : {}),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    charset: "utf8mb4",
    timezone: "+00:00",
  };
}
