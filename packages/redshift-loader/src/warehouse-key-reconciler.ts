import type {
  DeleteMode,
  KeyDigest,
  Logger,
  SluiceError,
  TableSpec,
  WarehouseKeyReconciler,
} from "@sluice/core";
import { findColumn, formatTableRef, isSluiceError, keyText, silentLogger, sluiceError } from "@sluice/core";
import { errAsync, ResultAsync } from "neverthrow";
import type pg from "pg";
import { defaultLedgerSchema } from "./load-ledger.js";
import { reconcileLedgerTable, renderCreateReconcileLedger } from "./reconcile-ledger.js";
import { formatWarehouseTable, qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { readCatalogColumns } from "./target-catalog.js";
import { mapColumnNames } from "./target-names.js";
import { resolveTargetTable } from "./target-table.js";
import { findDialect, type WarehouseSqlDialect } from "./warehouse-dialect.js";
import { warehouseError } from "./warehouse-errors.js";
import { deletedAtColumn, type WarehouseKeyColumn, warehouseKeySql } from "./warehouse-key-sql.js";
import { connectWarehouse, ensureSchema, takeDdlLock, takeTargetLock } from "./warehouse-session.js";
import type { WarehouseConnection } from "./warehouse-url.js";

export interface KeyReconcilerOptions {
  readonly connection: WarehouseConnection;
  /** The source table's shape (`schema.table`, columns, primary key). */
  readonly spec: TableSpec;
  readonly mode: DeleteMode;
  readonly targetSchema?: string;
  readonly targetName?: string;
  /** Schema of the ledgers; default `sluice`. */
  readonly ledgerSchema?: string;
  readonly logger?: Logger;
  /** Told every comparison statement (not the apply), for the reconciliation report. */
  readonly onQuery?: (sql: string) => void;
  readonly connectTimeoutMs?: number;
}

/** Keys per point-lookup or delete statement. */
const keysPerStatement = 500;

/**
 * Connects (session in UTC), resolves the target table, makes sure the ledger
 * exists and, for soft deletes, that the target has `_sluice_deleted_at TIMESTAMP`
 * (added when missing, under the load lock).
 */
export function openWarehouseKeyReconciler(
  options: KeyReconcilerOptions,
): ResultAsync<WarehouseKeyReconciler, SluiceError> {
  const table = formatTableRef(options.spec.ref);
  const found = findDialect(options.connection.dialect);
  if (found.isErr()) return errAsync(found.error);
  const dialect = found.value;
  const target = resolveTargetTable(table, dialect, {
    ...(options.targetSchema !== undefined ? { targetSchema: options.targetSchema } : {}),
    ...(options.targetName !== undefined ? { targetName: options.targetName } : {}),
    ...(options.connection.schema !== undefined ? { connectionSchema: options.connection.schema } : {}),
  });
  if (target.isErr()) return errAsync(target.error);
  const names = mapColumnNames(table, options.spec.columns, dialect);
  if (names.isErr()) return errAsync(names.error);
  const keyColumns: WarehouseKeyColumn[] = options.spec.primaryKey.map((name) => {
    const mapped = names.value.find((column) => column.source.name === name);
    return {
      source: mapped?.source ?? (findColumn(options.spec, name) as never),
      target: mapped?.target ?? name,
    };
  });
  const logger = options.logger ?? silentLogger;
  return connectWarehouse(options.connection, options.connectTimeoutMs ?? 10_000, logger).andThen((client) =>
    ResultAsync.fromPromise(prepare(client, dialect, options, target.value, keyColumns), (thrown) =>
      isSluiceError(thrown)
        ? thrown
        : warehouseError(thrown, "load", `preparing delete reconciliation of ${table}`),
    ).orElse((error) =>
      ResultAsync.fromSafePromise(client.end().catch(() => {})).andThen(() => errAsync(error)),
    ),
  );
}

async function prepare(
  client: pg.Client,
  dialect: WarehouseSqlDialect,
  options: KeyReconcilerOptions,
  target: WarehouseTable,
  keyColumns: readonly WarehouseKeyColumn[],
): Promise<WarehouseKeyReconciler> {
  const table = formatTableRef(options.spec.ref);
  const targetName = formatWarehouseTable(target);
  const ledger = reconcileLedgerTable(options.ledgerSchema ?? defaultLedgerSchema);
  await ensureSchema(client, dialect, ledger.schema as string);
  await inTransaction(client, async () => {
    await takeDdlLock(client, dialect);
    await client.query(renderCreateReconcileLedger(ledger));
  });
  let columns = await readCatalogColumns(client, dialect, target);
  const exists = columns !== null;
  for (const key of keyColumns) {
    if (columns && !columns.some((column) => column.name === key.target)) {
      throw sluiceError(
        "schema",
        `${table}: target ${targetName} has no column "${key.target}" for key column ${key.source.name}; the target was not created by sluice from this table: check --target-name, or drop it and resync`,
      );
    }
  }
  if (exists && options.mode === "soft" && !columns?.some((column) => column.name === deletedAtColumn)) {
    await inTransaction(client, async () => {
      await takeTargetLock(client, dialect.targetLock(target));
      columns = await readCatalogColumns(client, dialect, target);
      if (!columns?.some((column) => column.name === deletedAtColumn)) {
        await client.query(
          `ALTER TABLE ${qualifiedName(target)} ADD COLUMN ${quoteIdentifier(deletedAtColumn)} TIMESTAMP`,
        );
        options.logger?.info("soft-delete column added", { table, target: targetName });
      }
    });
    columns = await readCatalogColumns(client, dialect, target);
  }
  // Soft mode compares live rows; hard mode compares every row (flags left by an
  // earlier soft mode are then deleted like any other row the source lacks).
  const liveOnly = options.mode === "soft" && exists;
  const sql = warehouseKeySql(dialect, target, keyColumns, liveOnly);
  const keyOf = (row: Record<string, unknown>) => keyColumns.map((_, index) => String(row[`k${index}`]));
  const run = async (statement: { sql: string; values: unknown[] }) => {
    options.onQuery?.(statement.sql);
    return (await client.query(statement.sql, statement.values)).rows as Record<string, unknown>[];
  };
  const wrap = <T>(doing: string, work: () => Promise<T>): ResultAsync<T, SluiceError> =>
    ResultAsync.fromPromise(work(), (thrown) =>
      isSluiceError(thrown)
        ? thrown
        : warehouseError(thrown, "load", `${doing} of ${targetName} (source ${table})`),
    );
  let closed = false;
  return {
    target: targetName,
    exists,
    digest: (intervals) =>
      wrap("digesting key ranges", async () => {
        const digests: KeyDigest[] = intervals.map(() => ({ rows: 0, sum: "0" }));
        if (!exists) return digests;
        for (const row of await run(sql.digest(intervals))) {
          if (row.r !== null) digests[Number(row.r)] = { rows: Number(row.n), sum: String(row.s) };
        }
        return digests;
      }),
    keys: (intervals, limit) =>
      wrap("listing keys", async () => {
        const lists: string[][][] = intervals.map(() => []);
        if (!exists) return lists;
        for (const row of await run(sql.keys(intervals, limit))) {
          if (row.r !== null) lists[Number(row.r)]?.push(keyOf(row));
        }
        return lists;
      }),
    existing: (keys) =>
      wrap("looking keys up", async () => {
        const found = new Set<string>();
        if (!exists) return found;
        for (let start = 0; start < keys.length; start += keysPerStatement) {
          for (const row of await run(sql.existing(keys.slice(start, start + keysPerStatement))))
            found.add(keyText(keyOf(row)));
        }
        return found;
      }),
    applyDeletes: (input) =>
      wrap("applying deletes", async () => {
        let rows = 0;
        let skipped = false;
        await inTransaction(client, async () => {
          // The same lock a load takes, so a reconciliation never interleaves with a load of the table.
          await takeTargetLock(client, dialect.targetLock(target));
          const seen = await client.query(
            `SELECT 1 FROM ${qualifiedName(ledger)} WHERE "source_table" = $1 AND "target_table" = $2 AND "reconcile_id" = $3`,
            [table, targetName, input.reconcileId],
          );
          if (seen.rows.length > 0) {
            skipped = true;
            return;
          }
          const at = utcTimestampText(input.at);
          for (let start = 0; start < input.keys.length && exists; start += keysPerStatement) {
            const chunk = input.keys.slice(start, start + keysPerStatement);
            const statement = options.mode === "soft" ? sql.softDelete(chunk, at) : sql.hardDelete(chunk);
            rows += (await client.query(statement.sql, statement.values)).rowCount ?? 0;
          }
          await client.query(
            `INSERT INTO ${qualifiedName(ledger)} ("source_table", "target_table", "reconcile_id", "mode", "keys_deleted", "keys_missing", "reconciled_at") VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMPTZ))`,
            [table, targetName, input.reconcileId, options.mode, rows, input.keysMissing, `${at}+00`],
          );
        });
        return { rows, skipped };
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}

async function inTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query("BEGIN");
  try {
    await work();
    await client.query("COMMIT");
  } catch (thrown) {
    await client.query("ROLLBACK").catch(() => {});
    throw thrown;
  }
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC: a TIMESTAMP literal both dialects read the same way. */
function utcTimestampText(at: Date): string {
  return `${at.toISOString().replace("T", " ").replace("Z", "")}000`;
}
