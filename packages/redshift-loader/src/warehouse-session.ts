import type { Logger, SluiceError } from "@sluice/core";
import { ResultAsync } from "neverthrow";
import pg from "pg";
import { renderCreateLedger } from "./load-ledger.js";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { warehouseError } from "./warehouse-errors.js";
import type { WarehouseConnection, WarehouseDialect } from "./warehouse-url.js";

/**
 * One pg session (Redshift speaks the PostgreSQL protocol). The session time zone is
 * UTC so TIMESTAMP text without an offset means UTC, as parquet-writer wrote it.
 */
export function connectWarehouse(
  connection: WarehouseConnection,
  timeoutMs: number,
  logger: Logger,
): ResultAsync<pg.Client, SluiceError> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    connectionTimeoutMillis: timeoutMs,
    ssl:
      connection.sslMode === "disable"
        ? false
        : {
            rejectUnauthorized: connection.sslMode === "verify-full",
            servername: connection.tlsServerName ?? connection.host,
          },
  });
  // A dropped idle connection is reported by the next query; without a listener
  // the 'error' event would crash the process.
  client.on("error", (error) => logger.warn("warehouse connection error", { message: error.message }));
  const connect = async () => {
    try {
      await client.connect();
      await client.query("SET timezone TO 'UTC'");
      return client;
    } catch (thrown) {
      await client.end().catch(() => {});
      throw thrown;
    }
  };
  return ResultAsync.fromPromise(connect(), (thrown) =>
    warehouseError(thrown, "connection", `connecting to ${connection.displayUrl}`),
  );
}

/**
 * Creates the ledger schema and table when missing. On PostgreSQL a transaction-level
 * advisory lock serializes concurrent first runs (parallel `CREATE ... IF NOT EXISTS`
 * can otherwise fail on the catalog's unique index).
 */
export function ensureLedger(
  client: pg.Client,
  connection: WarehouseConnection,
  ledger: WarehouseTable,
): ResultAsync<void, SluiceError> {
  const work = async () => {
    await client.query("BEGIN");
    try {
      if (connection.dialect === "postgres")
        await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice ddl'))");
      if (ledger.schema !== null)
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(ledger.schema)}`);
      await client.query(renderCreateLedger(ledger));
      await client.query("COMMIT");
    } catch (thrown) {
      await client.query("ROLLBACK").catch(() => {});
      throw thrown;
    }
  };
  return ResultAsync.fromPromise(work(), (thrown) =>
    warehouseError(thrown, "load", `creating the load ledger ${qualifiedName(ledger)}`),
  );
}

/** `CREATE SCHEMA IF NOT EXISTS` in its own short transaction, tolerant of a concurrent creator. */
export async function ensureSchema(
  client: pg.Client,
  dialect: WarehouseDialect,
  schema: string,
): Promise<void> {
  await client.query("BEGIN");
  try {
    if (dialect === "postgres") await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice ddl'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query("COMMIT");
  } catch (thrown) {
    await client.query("ROLLBACK").catch(() => {});
    throw thrown;
  }
}
