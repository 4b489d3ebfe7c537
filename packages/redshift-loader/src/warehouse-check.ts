import { type Logger, type SluiceError, silentLogger } from "@sluice/core";
import { ResultAsync } from "neverthrow";
import { qualifiedName, type WarehouseTable } from "./sql-text.js";
import { warehouseError } from "./warehouse-errors.js";
import { connectWarehouse } from "./warehouse-session.js";
import type { WarehouseConnection } from "./warehouse-url.js";

/** The rights a load needs on one schema: CREATE for DDL (tables, staging, views). */
export interface SchemaRights {
  readonly schema: string;
  readonly exists: boolean;
  /** CREATE on the schema; when it does not exist yet, CREATE on the database (sluice creates it). */
  readonly create: boolean;
}

/** The rights a merge needs on a target table that already exists. */
export interface TableRights {
  readonly table: string;
  readonly exists: boolean;
  readonly select: boolean;
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** What `sluice info` reports of a warehouse. */
export interface WarehouseFacts {
  /** `PostgreSQL 16.2 ...` or `Redshift 1.0.7...`. */
  readonly serverVersion: string;
  readonly connectMs: number;
  readonly latencyMs: number;
  /** The session's time zone before sluice pins it to UTC (the user's / database's default). */
  readonly timeZone: string;
  readonly user: string;
  readonly schemas: readonly SchemaRights[];
  readonly tables: readonly TableRights[];
}

/**
 * Connects the way a load does and asks the catalog what the load will need:
 * `has_schema_privilege` / `has_table_privilege` exist in both PostgreSQL and
 * Redshift, so nothing is created or written to find out.
 */
export function checkWarehouse(
  connection: WarehouseConnection,
  wanted: { readonly schemas: readonly string[]; readonly tables: readonly WarehouseTable[] },
  options: { readonly timeoutMs?: number; readonly logger?: Logger } = {},
): ResultAsync<WarehouseFacts, SluiceError> {
  const started = performance.now();
  return connectWarehouse(connection, options.timeoutMs ?? 10_000, options.logger ?? silentLogger).andThen(
    (client) => {
      const connectMs = Math.round(performance.now() - started);
      const work = async (): Promise<WarehouseFacts> => {
        try {
          const before = performance.now();
          await client.query("SELECT 1");
          const latencyMs = Math.round((performance.now() - before) * 10) / 10;
          // connectWarehouse pinned the session to UTC; RESET shows the default it replaced.
          await client.query("RESET timezone");
          const zone = await client.query<{ timezone?: string; TimeZone?: string }>("SHOW timezone");
          const zoneRow = zone.rows[0] ?? {};
          const versionRow = await client.query<{ version: string; user: string }>(
            "SELECT version() AS version, current_user AS user",
          );
          const schemas: SchemaRights[] = [];
          for (const schema of new Set(wanted.schemas)) {
            const found = await client.query<{ n: string }>(
              "SELECT COUNT(*) AS n FROM pg_namespace WHERE nspname = $1",
              [schema],
            );
            const exists = Number(found.rows[0]?.n ?? 0) > 0;
            const right = exists
              ? await client.query<{ ok: boolean }>("SELECT has_schema_privilege($1, 'CREATE') AS ok", [
                  schema,
                ])
              : await client.query<{ ok: boolean }>(
                  "SELECT has_database_privilege(current_database(), 'CREATE') AS ok",
                );
            schemas.push({ schema, exists, create: right.rows[0]?.ok === true });
          }
          const tables: TableRights[] = [];
          for (const table of wanted.tables) {
            const name = qualifiedName(table);
            const found = await client.query<{ n: string }>(
              "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = $1 AND tablename = $2",
              [table.schema ?? "public", table.name],
            );
            if (Number(found.rows[0]?.n ?? 0) === 0) {
              tables.push({
                table: name,
                exists: false,
                select: false,
                insert: false,
                update: false,
                delete: false,
              });
              continue;
            }
            const rights = await client.query<{ s: boolean; i: boolean; u: boolean; d: boolean }>(
              "SELECT has_table_privilege($1, 'SELECT') AS s, has_table_privilege($1, 'INSERT') AS i, has_table_privilege($1, 'UPDATE') AS u, has_table_privilege($1, 'DELETE') AS d",
              [name],
            );
            const row = rights.rows[0];
            tables.push({
              table: name,
              exists: true,
              select: row?.s === true,
              insert: row?.i === true,
              update: row?.u === true,
              delete: row?.d === true,
            });
          }
          return {
            serverVersion: versionRow.rows[0]?.version ?? "",
            connectMs,
            latencyMs,
            timeZone: String(zoneRow.timezone ?? zoneRow.TimeZone ?? Object.values(zoneRow)[0] ?? ""),
            user: versionRow.rows[0]?.user ?? "",
            schemas,
            tables,
          };
        } finally {
          await client.end().catch(() => {});
        }
      };
      return ResultAsync.fromPromise(work(), (thrown) =>
        warehouseError(thrown, "connection", `checking ${connection.displayUrl}`),
      );
    },
  );
}
