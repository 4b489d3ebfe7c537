import type {
  AnyRowBatch,
  ExtractPlan,
  SluiceError,
  Source,
  SourceExtractOptions,
  TableSpec,
} from "@sluice/core";
import { batchRows, configError, formatTableRef, isPackedBatch, isSluiceError } from "@sluice/core";
import { type Connection, createConnection } from "mysql2";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  canonicalValueText,
  keysetCountQuery,
  lastKeyUpToQuery,
  maxKeyQuery,
  minKeyQuery,
} from "./keyset-query.js";
import {
  ceilingFromRow,
  ceilingStatements,
  isMissingProcessPrivilege,
  transactionReadDelayMs,
} from "./mysql-ceiling.js";
import { type MysqlConnectionOptions, mysqlSessionConfig } from "./mysql-connection-options.js";
import { describeMysqlTable } from "./mysql-describe-table.js";
import { type MysqlErrorContext, mysqlError } from "./mysql-errors.js";
import { extractPlanRows } from "./mysql-extract.js";
import { createMysqlKeyDigests } from "./mysql-key-digests.js";
import { mysqlKeyBoundaries, mysqlRangeChecksums } from "./mysql-range-checksums.js";

/** Extraction options of the MySQL source: the `Source` contract's, nothing more. */
export type MysqlExtractOptions = SourceExtractOptions;

/**
 * A MySQL/MariaDB table source over one session pinned to UTC: the `Source` seam of
 * `@sluice/core`, plus what only MySQL tooling asks of it.
 */
export interface MysqlSource extends Source {
  /** Always present here: MySQL snapshots of integer-led composite keys can be cut into ranges. */
  lastKeyUpTo: NonNullable<Source["lastKeyUpTo"]>;
  /** Always present here: rows stay packed wherever the result's types allow (packed-decodings.ts). */
  extractPacked: NonNullable<Source["extractPacked"]>;
  /** `MariaDB` or `MySQL` and the server version, e.g. `MariaDB 10.11.6`; empty until connected. */
  readonly serverVersion: string;
  /**
   * The server's `NOW(fsp)` as text. `clock: "utc"` (default) matches TIMESTAMP
   * cursors (read in the session zone, UTC); `"server"` is NOW() in the server's
   * default time zone, which is what `DEFAULT/ON UPDATE CURRENT_TIMESTAMP` writes into
   * a DATETIME cursor.
   */
  serverNow(fsp: number, clock?: "utc" | "server"): ResultAsync<string, SluiceError>;
}

/** A MySQL source that connects on first use, or when asked. */
export interface LazyMysqlSource extends MysqlSource {
  /** Connects if not connected (failing with the mapped error); the server version text. */
  connected(): ResultAsync<string, SluiceError>;
}

/**
 * Connects now (failing here on a wrong password, host or database), pins the session
 * to UTC and learns the server flavour. For a source that connects on first use, see
 * {@link createMysqlSource}.
 */
export function openMysqlSource(options: MysqlConnectionOptions): ResultAsync<MysqlSource, SluiceError> {
  const source = createMysqlSource(options);
  return source.connected().map(() => source as MysqlSource);
}

/**
 * A source that connects on first use and reconnects before the next call after its
 * connection was lost (a server restart, KILL, a network cut), so one instance serves
 * every run of a table and a retried run needs no new one. Nothing is connected until
 * a method is called; `close()` ends the connection if there is one.
 */
export function createMysqlSource(options: MysqlConnectionOptions): LazyMysqlSource {
  const context = (doing: string): MysqlErrorContext => ({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    doing,
  });
  return sourceOver(new LazySession(options, context), context);
}

async function connect(
  options: MysqlConnectionOptions,
): Promise<{ connection: Connection; version: string }> {
  const connection = createConnection(mysqlSessionConfig(options));
  try {
    await run(connection, "SET time_zone = '+00:00'");
    const rows = await run(connection, "SELECT VERSION() AS version");
    return { connection, version: String(rows[0]?.version ?? "") };
  } catch (thrown) {
    connection.destroy();
    throw thrown;
  }
}

/**
 * The one connection of a source, made on first use. A connection mysql2 reports as
 * lost (a fatal error: reset, KILL, server gone) is replaced before the next call
 * instead of failing every later call: the instance outlives a bad moment.
 */
class LazySession {
  private current: Connection | null = null;
  private opening: Promise<Connection> | null = null;
  private broken = false;
  version = "";

  constructor(
    private readonly options: MysqlConnectionOptions,
    private readonly context: (doing: string) => MysqlErrorContext,
  ) {}

  get mariadb(): boolean {
    return /mariadb/i.test(this.version);
  }

  /** The live connection, connecting (again) when there is none or it was lost. */
  connection(): Promise<Connection> {
    if (this.current && !this.broken && !isLost(this.current)) return Promise.resolve(this.current);
    if (this.current) {
      this.current.destroy();
      this.current = null;
    }
    this.opening ??= connect(this.options)
      .then(({ connection, version }) => {
        // A dropped connection emits 'error' outside any query; keep it from crashing
        // the process, and remember to replace it before the next call.
        connection.on("error", () => {
          this.broken = true;
        });
        this.current = connection;
        this.broken = false;
        this.version = version;
        return connection;
      })
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  ready(): ResultAsync<string, SluiceError> {
    return ResultAsync.fromPromise(
      this.connection().then(() => this.version),
      (thrown) => mysqlError(thrown, this.context("connecting")),
    );
  }

  /** The connection an extraction in progress holds (replaced by `reconnect`). */
  held(): Connection {
    if (!this.current) throw new Error("no MySQL connection: call connection() first");
    return this.current;
  }

  /** Replaces the connection now (an extraction resuming after a dropped one). */
  async reconnect(): Promise<void> {
    this.broken = true;
    await this.connection();
  }

  async query(sql: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const connection = await this.connection();
    try {
      return await run(connection, sql, values);
    } catch (thrown) {
      if ((thrown as { fatal?: boolean }).fatal) this.broken = true;
      throw thrown;
    }
  }

  close(): Promise<void> {
    const connection = this.current;
    this.current = null;
    if (!connection) return Promise.resolve();
    return new Promise<void>((resolve) => {
      connection.end(() => {
        // end() waits for queued queries; destroy() makes sure the socket is gone even after an error.
        connection.destroy();
        resolve();
      });
    });
  }
}

/** mysql2's own view (its `state` getter): a fatal or protocol error, or a closed socket. */
function isLost(connection: Connection): boolean {
  const state = (connection as unknown as { state?: string }).state;
  return state === "error" || state === "disconnected";
}

function sourceOver(session: LazySession, context: (doing: string) => MysqlErrorContext): LazyMysqlSource {
  const query = (sql: string, values: readonly unknown[]) => session.query(sql, values);
  /** One key tuple a probe statement selects, as canonical text; null when it finds no row. */
  const probeKey = (
    spec: TableSpec,
    doing: string,
    statement: () => { sql: string; values: readonly unknown[] },
  ) =>
    ResultAsync.fromPromise(
      (async () => {
        const made = statement();
        const rows = await query(made.sql, made.values);
        const row = rows[0];
        if (!row) return null;
        return Object.values(row).map((value) => canonicalValueText(value as never) ?? "");
      })(),
      (thrown) => mapUnlessSluice(thrown, context(`${doing} of ${formatTableRef(spec.ref)}`)),
    );
  /** The largest or smallest key tuple: one index probe from either end. */
  async function* extractBatches(
    spec: TableSpec,
    plan: ExtractPlan,
    options: SourceExtractOptions,
    packed: boolean,
  ): AsyncGenerator<AnyRowBatch> {
    const mapError = (thrown: unknown) =>
      mapUnlessSluice(thrown, context(`extracting ${formatTableRef(spec.ref)}`));
    await session.connection().catch((thrown: unknown) => {
      throw mapError(thrown);
    });
    const reconnect = () => session.reconnect();
    yield* extractPlanRows(() => session.held(), spec, plan, {
      batchRows: options.batchRows ?? 10_000,
      batchBytes: options.batchBytes,
      logger: options.logger,
      observer: options.observer,
      stopAtPageBoundary: options.stopAtPageBoundary,
      resume: options.retry
        ? { policy: options.retry, ...(options.retryHooks ? { hooks: options.retryHooks } : {}), reconnect }
        : undefined,
      mapError,
      packed,
    });
  }
  const edgeKey = (spec: TableSpec, keyColumns: readonly string[], edge: "largest" | "smallest") =>
    keyColumns.length === 0
      ? okAsync(null)
      : probeKey(spec, `reading the ${edge} key`, () =>
          (edge === "largest" ? maxKeyQuery : minKeyQuery)(spec, keyColumns),
        );
  return {
    connected: () => session.ready(),
    get serverVersion() {
      const version = session.version;
      if (version === "") return "";
      return `${session.mariadb ? "MariaDB" : "MySQL"} ${version.split("-")[0]}`;
    },
    describeTable: (ref) =>
      ResultAsync.fromPromise(
        session.connection().then(() => describeMysqlTable(query, ref, session.mariadb)),
        (thrown) => mapUnlessSluice(thrown, context(`describing ${formatTableRef(ref)}`)),
      ),
    serverNow(fsp, clock = "utc") {
      if (!Number.isInteger(fsp) || fsp < 0 || fsp > 6) {
        return errAsync(configError(`fractional second precision ${fsp} is not an integer from 0 to 6`));
      }
      return ResultAsync.fromPromise(serverNowText(query, fsp, clock), (thrown) =>
        mysqlError(thrown, context("reading the server clock")),
      );
    },
    captureCeiling(request) {
      if (!Number.isInteger(request.fsp) || request.fsp < 0 || request.fsp > 6) {
        return errAsync(
          configError(`fractional second precision ${request.fsp} is not an integer from 0 to 6`),
        );
      }
      const lag = request.safetyLagSeconds ?? 0;
      if (!Number.isFinite(lag) || lag < 0) {
        return errAsync(configError(`--safety-lag-seconds ${lag} is not a number of seconds >= 0`));
      }
      return ResultAsync.fromPromise(
        inClock(query, request.clock, async () => {
          const statements = ceilingStatements(lag * 1_000_000);
          const [clock] = await query(statements.clock, []);
          await new Promise((resolve) => setTimeout(resolve, transactionReadDelayMs));
          try {
            const [transactions] = await query(statements.transactions, []);
            return ceilingFromRow({ ...clock, ...transactions }, request, true);
          } catch (thrown) {
            if (!isMissingProcessPrivilege(thrown)) throw thrown;
            return ceilingFromRow(clock ?? {}, request, false);
          }
        }),
        (thrown) => mysqlError(thrown, context("capturing the extract ceiling")),
      );
    },
    maxKey: (spec, keyColumns) => edgeKey(spec, keyColumns, "largest"),
    minKey: (spec, keyColumns) => edgeKey(spec, keyColumns, "smallest"),
    lastKeyUpTo: (spec, keyColumns, after, leadingAtMost) =>
      probeKey(spec, `reading the last key with ${keyColumns[0] ?? "?"} <= ${leadingAtMost}`, () =>
        lastKeyUpToQuery(spec, keyColumns, after, leadingAtMost),
      ),
    estimateRows(ref) {
      return ResultAsync.fromPromise(
        (async () => {
          const rows = await query(
            "SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
            [ref.schema, ref.table],
          );
          return Number(rows[0]?.n ?? 0);
        })(),
        (thrown) => mysqlError(thrown, context(`estimating the rows of ${formatTableRef(ref)}`)),
      );
    },
    async *extract(spec, plan, options = {}) {
      // Never packed (packed: false): the decode below only narrows the type.
      for await (const batch of extractBatches(spec, plan, options, false)) {
        yield isPackedBatch(batch) ? { rows: batchRows(batch) } : batch;
      }
    },
    extractPacked(spec, plan, options = {}) {
      return extractBatches(spec, plan, options, true);
    },
    estimatePendingRows(spec, plan) {
      return ResultAsync.fromPromise(
        (async () => {
          const statement = keysetCountQuery(spec, plan);
          const rows = await query(`EXPLAIN ${statement.sql}`, statement.values);
          // One line per table access; the scan of this table is the largest.
          return rows.reduce((most, row) => Math.max(most, Number(row.rows ?? 0)), 0);
        })(),
        (thrown) =>
          mapUnlessSluice(thrown, context(`estimating the pending rows of ${formatTableRef(spec.ref)}`)),
      );
    },
    countRows(spec, plan) {
      return ResultAsync.fromPromise(
        (async () => {
          const statement = keysetCountQuery(spec, plan);
          const rows = await query(statement.sql, statement.values);
          return Number(rows[0]?.n ?? 0);
        })(),
        (thrown) => mapUnlessSluice(thrown, context(`counting rows of ${formatTableRef(spec.ref)}`)),
      );
    },
    keyBoundaries: (spec, rowsPerRange) =>
      ResultAsync.fromPromise(mysqlKeyBoundaries(query, spec, rowsPerRange), (thrown) =>
        mapUnlessSluice(thrown, context(`reading key ranges of ${formatTableRef(spec.ref)}`)),
      ),
    checksumRanges: (spec, ranges) =>
      ResultAsync.fromPromise(mysqlRangeChecksums(query, spec, ranges), (thrown) =>
        mapUnlessSluice(thrown, context(`checksumming ${formatTableRef(spec.ref)}`)),
      ),
    keyDigests(spec, options = {}) {
      const mapError = (thrown: unknown, doing: string) => mapUnlessSluice(thrown, context(doing));
      return ResultAsync.fromPromise(createMysqlKeyDigests(query, spec, options, mapError), (thrown) =>
        mapError(thrown, `reading the key columns of ${formatTableRef(spec.ref)}`),
      );
    },
    close: () => session.close(),
  };
}

async function serverNowText(
  query: (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>,
  fsp: number,
  clock: "utc" | "server",
): Promise<string> {
  return inClock(query, clock, async () => {
    const rows = await query(`SELECT NOW(${fsp}) AS now`, []);
    return String(rows[0]?.now);
  });
}

/**
 * Runs `work` with the session in the cursor's clock: UTC (the session's pinned zone)
 * or the server's default zone, restoring UTC afterwards.
 */
async function inClock<T>(
  query: (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>,
  clock: "utc" | "server",
  work: () => Promise<T>,
): Promise<T> {
  if (clock === "utc") return work();
  try {
    await query("SET time_zone = @@global.time_zone", []);
    return await work();
  } finally {
    await query("SET time_zone = '+00:00'", []);
  }
}

/** Metadata queries: rows as objects. */
function run(
  connection: Connection,
  sql: string,
  values: readonly unknown[] = [],
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, values: [...values] }, (error, rows) => {
      if (error) reject(error);
      else resolve(Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []);
    });
  });
}

function mapUnlessSluice(thrown: unknown, context: MysqlErrorContext): SluiceError {
  return isSluiceError(thrown) ? thrown : mysqlError(thrown, context);
}
