import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from "kysely";

/**
 * SQL text with its bound values in placeholder order, ready for a driver
 * (mysql2 `?`, pg `$1`).
 */
export interface SqlStatement {
  readonly sql: string;
  readonly values: unknown[];
}

/** A piece of SQL built with kysely's `sql` template: text, identifiers and bound values together. */
export type SqlFragment = RawBuilder<unknown>;

/**
 * Kysely instances that only compile (ADR 0023): the dummy driver never connects,
 * the query compilers quote identifiers (backticks / double quotes, the quote
 * doubled inside a name) and number placeholders (`?` / `$n`) in text order, so a
 * value can never be bound to the wrong placeholder however a statement is nested.
 */
const mysqlCompiler = new Kysely<never>({
  dialect: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  },
});

const postgresCompiler = new Kysely<never>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** MySQL/MariaDB text: backtick identifiers, `?` placeholders. */
export function compileMysql(fragment: SqlFragment): SqlStatement {
  const compiled = fragment.compile(mysqlCompiler);
  return { sql: compiled.sql, values: [...compiled.parameters] };
}

/** PostgreSQL/Redshift text: double-quoted identifiers, `$1..$n` placeholders. */
export function compilePostgres(fragment: SqlFragment): SqlStatement {
  const compiled = fragment.compile(postgresCompiler);
  return { sql: compiled.sql, values: [...compiled.parameters] };
}
