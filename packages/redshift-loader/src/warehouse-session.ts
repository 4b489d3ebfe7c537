import type { Logger, SluiceError } from "@sluice/core";
import { ResultAsync } from "neverthrow";
import pg from "pg";
import { renderCreateLedger } from "./load-ledger.js";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import type { TargetLock, WarehouseSqlDialect } from "./warehouse-dialect.js";
import { warehouseError } from "./warehouse-errors.js";
import type { WarehouseConnection } from "./warehouse-url.js";

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
 * The dialect's DDL lock (`ddlLock`), when it has one: first in a transaction that
 * creates schemas or ledgers, so concurrent first runs do not race on the catalog.
 */
export async function takeDdlLock(client: pg.Client, dialect: WarehouseSqlDialect): Promise<void> {
  if (dialect.ddlLock !== null) await client.query(dialect.ddlLock);
}

/** Takes a target's lock (`dialect.targetLock`), with its parameters when it has any. */
export async function takeTargetLock(client: pg.Client, lock: TargetLock): Promise<void> {
  if (lock.values.length > 0) await client.query(lock.sql, [...lock.values]);
  else await client.query(lock.sql);
}

/** Creates the ledger schema and table when missing, under the dialect's DDL lock. */
export function ensureLedger(
  client: pg.Client,
  dialect: WarehouseSqlDialect,
  ledger: WarehouseTable,
): ResultAsync<void, SluiceError> {
  const work = async () => {
    await client.query("BEGIN");
    try {
      await takeDdlLock(client, dialect);
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
  dialect: WarehouseSqlDialect,
  schema: string,
): Promise<void> {
  await client.query("BEGIN");
  try {
    await takeDdlLock(client, dialect);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query("COMMIT");
  } catch (thrown) {
    await client.query("ROLLBACK").catch(() => {});
    throw thrown;
  }
}
