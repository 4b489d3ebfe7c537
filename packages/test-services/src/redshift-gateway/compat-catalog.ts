import pg from "pg";
import type { PostgresEndpoint } from "../services-contract.js";
import { compatSchema, varbyteDomain } from "./redshift-sql-translation.js";

/**
 * The PostgreSQL objects that stand in for Redshift features: a `redshift` schema
 * with domains SUPER (over jsonb: parsed like SUPER) and VARBYTE_<n> (bytea with
 * its byte limit), GETDATE() and JSON_PARSE(). Created by a separate autocommit session so a
 * client's rolled-back transaction never takes them away.
 */
export class CompatCatalog {
  private readonly varbytes = new Map<number, Promise<void>>();

  private constructor(private readonly admin: pg.Client) {}

  static async open(endpoint: PostgresEndpoint): Promise<CompatCatalog> {
    const admin = new pg.Client({ connectionString: endpoint.url });
    admin.on("error", () => {});
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${compatSchema}`);
    await admin.query(ignoringDuplicates(`CREATE DOMAIN ${compatSchema}.super AS jsonb`));
    // Redshift GETDATE(): current date and time in the session time zone, whole seconds.
    await admin.query(
      `CREATE OR REPLACE FUNCTION ${compatSchema}.getdate() RETURNS timestamp LANGUAGE sql STABLE AS $body$ SELECT date_trunc('second', LOCALTIMESTAMP) $body$`,
    );
    // Redshift JSON_PARSE(varchar): parses a JSON text into SUPER, failing on invalid JSON.
    await admin.query(
      `CREATE OR REPLACE FUNCTION ${compatSchema}.json_parse(text) RETURNS ${compatSchema}.super LANGUAGE sql IMMUTABLE STRICT AS $body$ SELECT $1::jsonb $body$`,
    );
    await admin.query(svvColumnsView);
    return new CompatCatalog(admin);
  }

  /** Creates `redshift.varbyte_<length>` once (idempotent across sessions and runs). */
  ensureVarbyte(length: number): Promise<void> {
    let created = this.varbytes.get(length);
    if (!created) {
      created = this.admin
        .query(
          ignoringDuplicates(
            `CREATE DOMAIN ${varbyteDomain(length)} AS bytea CHECK (octet_length(VALUE) <= ${length})`,
          ),
        )
        .then(() => {});
      this.varbytes.set(length, created);
    }
    return created;
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => {});
  }
}

/**
 * Redshift's SVV_COLUMNS has information_schema.columns' shape (AWS: "catalog
 * information about the columns of local and external tables and views"); here the
 * SUPER and VARBYTE domains are reported as Redshift names them.
 */
const svvColumnsView = `CREATE OR REPLACE VIEW ${compatSchema}.svv_columns AS
SELECT c.table_catalog, c.table_schema, c.table_name, c.column_name, c.ordinal_position, c.column_default,
  c.is_nullable,
  CASE WHEN c.domain_schema = '${compatSchema}' AND c.domain_name = 'super' THEN 'super'
       WHEN c.domain_schema = '${compatSchema}' AND c.domain_name LIKE 'varbyte\\_%' THEN 'binary varying'
       ELSE c.data_type::text END AS data_type,
  CASE WHEN c.domain_schema = '${compatSchema}' AND c.domain_name LIKE 'varbyte\\_%'
       THEN substr(c.domain_name, 9)::int ELSE c.character_maximum_length::int END AS character_maximum_length,
  c.numeric_precision::int AS numeric_precision, c.numeric_scale::int AS numeric_scale,
  c.datetime_precision::int AS datetime_precision
FROM information_schema.columns AS c`;

function ignoringDuplicates(statement: string): string {
  return `DO $compat$ BEGIN ${statement}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $compat$`;
}
