import pg from "pg";
import type { PostgresEndpoint } from "../services-contract.js";
import { compatSchema, varbyteDomain } from "./redshift-sql-translation.js";

/**
 * The PostgreSQL objects that stand in for Redshift features: a `redshift` schema
 * with domains SUPER (over jsonb: parsed like SUPER) and VARBYTE_<n> (bytea with
 * its byte limit), and GETDATE(). Created by a separate autocommit session so a
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

function ignoringDuplicates(statement: string): string {
  return `DO $compat$ BEGIN ${statement}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $compat$`;
}
