import type { SqlFragment } from "@sluice/core";
import { sql } from "kysely";

/**
 * A text hashed to an exact number: the first 15 hex digits (60 bits) of its MD5,
 * so that a sum over millions of rows stays exact in DECIMAL and the warehouse can
 * compute the same number (`warehouseMd5Number` in redshift-loader). One definition
 * for key digests (reconciliation) and row checksums (verification).
 */
export function mysqlMd5Number(text: SqlFragment): SqlFragment {
  return sql`CAST(CONV(SUBSTRING(MD5(${text}), 1, 15), 16, 10) AS UNSIGNED)`;
}
