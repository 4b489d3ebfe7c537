import type { SqlFragment } from "@sluice/core";
import { sql } from "kysely";
import type { WarehouseDialect } from "./warehouse-url.js";

/**
 * A text hashed to an exact number, the same number the source computes
 * (`mysqlMd5Number` in connectors): the first 15 hex digits (60 bits) of its MD5.
 * Redshift has STRTOL; PostgreSQL converts hex through bit(60). Summed as exact decimals.
 */
export function warehouseMd5Number(text: SqlFragment, dialect: WarehouseDialect): SqlFragment {
  const digits = sql`SUBSTRING(MD5(${text}), 1, 15)`;
  return dialect === "redshift"
    ? sql`CAST(STRTOL(${digits}, 16) AS DECIMAL(38,0))`
    : sql`CAST(CAST(CAST('x' || ${digits} AS BIT(60)) AS BIGINT) AS NUMERIC)`;
}
