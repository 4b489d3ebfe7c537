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
