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
    for (const statement of reconciliationFunctions) await admin.query(statement);
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
 * Redshift functions delete reconciliation uses (AWS docs: STRTOL, TO_VARBYTE,
 * FROM_VARBYTE): STRTOL(text, base) to BIGINT (optional sign, leading blanks, `0x`
 * for base 16; out of the signed 64-bit range fails); TO_VARBYTE / FROM_VARBYTE with
 * the formats hex, utf8 (utf-8, utf_8) and base64 (`binary`, bit strings, is not emulated).
 */
const reconciliationFunctions = [
  `CREATE OR REPLACE FUNCTION ${compatSchema}.strtol(text, integer) RETURNS bigint LANGUAGE plpgsql IMMUTABLE STRICT AS $body$
DECLARE
  digits text := lower(ltrim($1));
  negative boolean := false;
  result numeric := 0;
  digit integer;
BEGIN
  IF $2 < 2 OR $2 > 36 THEN RAISE EXCEPTION 'STRTOL base % is not between 2 and 36', $2; END IF;
  IF left(digits, 1) IN ('+', '-') THEN negative := left(digits, 1) = '-'; digits := substr(digits, 2); END IF;
  IF $2 = 16 AND left(digits, 2) = '0x' THEN digits := substr(digits, 3); END IF;
  FOR i IN 1..length(digits) LOOP
    digit := strpos('0123456789abcdefghijklmnopqrstuvwxyz', substr(digits, i, 1)) - 1;
    EXIT WHEN digit < 0 OR digit >= $2;
    result := result * $2 + digit;
  END LOOP;
  RETURN CASE WHEN negative THEN -result ELSE result END;
END $body$`,
  `CREATE OR REPLACE FUNCTION ${compatSchema}.to_varbyte(text, text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $body$
SELECT CASE lower($2)
  WHEN 'hex' THEN decode(CASE WHEN length($1) % 2 = 1 THEN '0' || $1 ELSE $1 END, 'hex')
  WHEN 'utf8' THEN convert_to($1, 'UTF8') WHEN 'utf-8' THEN convert_to($1, 'UTF8') WHEN 'utf_8' THEN convert_to($1, 'UTF8')
  WHEN 'base64' THEN decode($1, 'base64') END $body$`,
  `CREATE OR REPLACE FUNCTION ${compatSchema}.from_varbyte(bytea, text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $body$
SELECT CASE lower($2)
  WHEN 'hex' THEN encode($1, 'hex')
  WHEN 'utf8' THEN convert_from($1, 'UTF8') WHEN 'utf-8' THEN convert_from($1, 'UTF8') WHEN 'utf_8' THEN convert_from($1, 'UTF8')
  WHEN 'base64' THEN encode($1, 'base64') END $body$`,
];

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
