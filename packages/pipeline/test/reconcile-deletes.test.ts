import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileTable, syncTable } from "../src/index.js";
import {
  createSourceDatabase,
  dropTargetSchema,
  type MysqlConnection,
  mysqlRows,
  pgRows,
} from "./cdc-fixture.js";
import { createSettlementSource, localLake, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_reconcile";
const bigSchema = "pipeline_reconcile_big";
let source: MysqlConnection;
let big: MysqlConnection;

/**
 * Key shapes: a case-insensitive VARCHAR key with accents and mixed case (its byte
 * order differs from the collation's, so MySQL and PostgreSQL must agree on bytes),
 * a composite (VARCHAR, INT) key, and BINARY(16).
 */
beforeAll(async () => {
  const stamp = "TIMESTAMP('2025-03-01 08:00:00') + INTERVAL (seq % 13) SECOND";
  source = await createSourceDatabase(
    schema,
    `CREATE TABLE by_code (code VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at)) DEFAULT CHARSET=utf8mb4;
     INSERT INTO by_code SELECT CONCAT(ELT(1 + seq % 6, 'Zebra', 'apple', 'Éclair', 'banana', 'Ölfeld', 'ZZ top'), '-', seq), seq, ${stamp} FROM seq_1_to_3000;
     CREATE TABLE by_pair (region VARCHAR(8) NOT NULL, seq INT NOT NULL, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (region, seq), KEY (updated_at));
     INSERT INTO by_pair SELECT ELT(1 + seq % 3, 'eu', 'US', 'apac'), seq DIV 3, seq, ${stamp} FROM seq_1_to_3000;
     CREATE TABLE by_bin (bin BINARY(16) PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at));
     INSERT INTO by_bin SELECT UNHEX(MD5(seq)), seq, ${stamp} FROM seq_1_to_2000;`,
  );
  await dropTargetSchema(schema);
  big = await createSettlementSource(bigSchema, 100_000);
  await dropTargetSchema(bigSchema);
});
afterAll(async () => {
  await source?.end();
  await big?.query(`DROP DATABASE IF EXISTS ${bigSchema}`);
  await big?.end();
});

const ok = async (options: Parameters<typeof syncTable>[0]) => {
  const result = await syncTable(options);
  if (result.isErr()) throw new Error(result.error.message);
  return result.value;
};

describe("delete reconciliation by primary key (MariaDB -> PostgreSQL)", () => {
  it("finds 5 scattered deletes in a 100k-row table with a handful of queries, flags them, and a rerun finds nothing", async () => {
    const lake = await localLake();
    const table = { schema: bigSchema, table: "settlement" };
    const options = syncOptions(table, lake, {
      pageSize: 50_000,
      rowsPerFile: 200_000,
      reconcileDeletes: "every",
    });
    const first = await ok(options);
    expect(first.load?.rowsStaged).toBe(100_000);
    // Freshly loaded: the whole-table digests agree, two statements in all.
    expect(first.reconcile).toMatchObject({
      keysDeleted: 0,
      rangesCompared: 1,
      queries: { source: 1, target: 1 },
    });

    const gone = [7, 18_211, 50_000, 77_777, 99_999];
    await big.query(`DELETE FROM ${bigSchema}.settlement WHERE id IN (${gone.join(", ")})`);
    const second = await ok(options);
    const report = second.reconcile;
    expect(report).toMatchObject({ mode: "soft", keysDeleted: 5, keysMissing: 0, keysPending: 0 });
    const queries = (report?.queries.source ?? 0) + (report?.queries.target ?? 0);
    // 100k rows, fanout 16, leaves of <= 512 rows: whole (2), two levels of split + digest (4),
    // leaf key lists (2), one lookup: 9 statements whatever the table size (log16(100k / 512) ~ 2 levels).
    console.info(
      `reconcile 100k rows, 5 deletes: ${queries} queries (${report?.queries.source} MySQL, ${report?.queries.target} PostgreSQL), ${report?.rangesCompared} ranges compared, ${report?.rangesDrilled} drilled, ${report?.leafRanges} leaves, ${report?.keysListed} keys listed, ${report?.durationMs} ms`,
    );
    expect(queries).toBeLessThanOrEqual(12);
    expect(report?.keysListed).toBeLessThan(5 * 2 * 512 + 10);
    const flagged = await pgRows(
      `SELECT id::text FROM "${bigSchema}"."settlement" AS s WHERE "_sluice_deleted_at" IS NOT NULL ORDER BY s.id`,
    );
    expect(flagged.flat()).toEqual(gone.map(String));
    const live = await pgRows(
      `SELECT count(*)::text FROM "${bigSchema}"."settlement" WHERE "_sluice_deleted_at" IS NULL`,
    );
    expect(live).toEqual([["99995"]]);

    // Idempotent: the next run's digests agree again (flagged rows are not live).
    const third = await ok(options);
    expect(third.reconcile).toMatchObject({ keysDeleted: 0, queries: { source: 1, target: 1 } });
    const ledger = await pgRows(
      `SELECT keys_deleted::text FROM sluice.sluice_reconcile_ledger WHERE source_table = '${bigSchema}.settlement' `,
    );
    expect(ledger.flat().sort()).toEqual(["0", "0", "5"]);
  }, 240_000);

  for (const [name, mode] of [
    ["by_code", "soft"],
    ["by_pair", "hard"],
    ["by_bin", "hard"],
  ] as const) {
    it(`${name} (${mode}): deletes at either end and in the middle, then the target equals the source`, async () => {
      const lake = await localLake();
      const table = { schema, table: name };
      const options = syncOptions(table, lake, {
        reconcileDeletes: "every",
        deleteMode: mode,
        pageSize: 700,
      });
      await ok(options);
      const keys = (await mysqlRows(source, `SELECT * FROM ${schema}.${name} ORDER BY 1, 2`)).length;
      // The 3 smallest and largest keys in byte order, and every 97th row.
      await source.query(`DELETE FROM ${schema}.${name} WHERE v % 97 = 0 OR v IN (1, 2, 3)`);
      const afterDelete = await ok(options);
      const remaining = (await mysqlRows(source, `SELECT * FROM ${schema}.${name}`)).length;
      expect(afterDelete.reconcile?.keysDeleted).toBe(keys - remaining);
      expect(afterDelete.reconcile?.keysMissing).toBe(0);
      const liveFilter = mode === "soft" ? ` WHERE "_sluice_deleted_at" IS NULL` : "";
      const keyText =
        name === "by_code" ? "code" : name === "by_pair" ? "region || '/' || seq" : "encode(bin, 'hex')";
      const mysqlKey =
        name === "by_code" ? "code" : name === "by_pair" ? "CONCAT(region, '/', seq)" : "LOWER(HEX(bin))";
      const target = await pgRows(`SELECT ${keyText}, v::text FROM "${schema}"."${name}"${liveFilter}`);
      const expected = await mysqlRows(source, `SELECT ${mysqlKey}, CAST(v AS CHAR) FROM ${schema}.${name}`);
      const byKey = (rows: string[][]) => rows.map((row) => row.join("|")).sort();
      expect(byKey(target)).toEqual(byKey(expected));
      if (mode === "hard") {
        expect(await pgRows(`SELECT count(*)::text FROM "${schema}"."${name}"`)).toEqual([
          [String(remaining)],
        ]);
      }
      // Idempotent rerun: nothing differs any more.
      const rerun = await ok(options);
      expect(rerun.reconcile).toMatchObject({ keysDeleted: 0, rangesCompared: 1 });
    }, 120_000);
  }

  it("soft: a row that reappears in MySQL is un-flagged by the next merge", async () => {
    const lake = await localLake();
    const table = { schema, table: "by_code" };
    await source.query(`CREATE TABLE ${schema}.reappear LIKE ${schema}.by_code`);
    await source.query(`INSERT INTO ${schema}.reappear SELECT * FROM ${schema}.by_code LIMIT 200`);
    const options = syncOptions({ ...table, table: "reappear" }, lake, { reconcileDeletes: "every" });
    await ok(options);
    const [[code]] = (await mysqlRows(source, `SELECT code FROM ${schema}.reappear ORDER BY v LIMIT 1`)) as [
      [string],
    ];
    await source.query(`DELETE FROM ${schema}.reappear WHERE code = ?`, [code]);
    expect((await ok(options)).reconcile?.keysDeleted).toBe(1);
    const flag = () =>
      pgRows(
        `SELECT ("_sluice_deleted_at" IS NOT NULL)::text FROM "${schema}"."reappear" WHERE code = '${code}'`,
      );
    expect(await flag()).toEqual([["true"]]);
    await source.query(`INSERT INTO ${schema}.reappear VALUES (?, 424242, '2025-03-02 00:00:00')`, [code]);
    const back = await ok(options);
    expect(back.load?.rowsStaged).toBe(1);
    expect(back.reconcile?.keysDeleted).toBe(0);
    expect(await flag()).toEqual([["false"]]);
    expect(await pgRows(`SELECT v::text FROM "${schema}"."reappear" WHERE code = '${code}'`)).toEqual([
      ["424242"],
    ]);
  }, 60_000);

  it("reports rows missing from the target below the watermark, and ignores rows not extracted yet", async () => {
    const lake = await localLake();
    await source.query(`CREATE TABLE ${schema}.gaps LIKE ${schema}.by_pair`);
    await source.query(`INSERT INTO ${schema}.gaps SELECT * FROM ${schema}.by_pair`);
    const options = syncOptions({ schema, table: "gaps" }, lake, { deleteMode: "hard" });
    await ok(options);
    // Lost in the warehouse (not deleted in MySQL): reported, not fixed.
    await pgRows(`DELETE FROM "${schema}"."gaps" WHERE region = 'eu' AND seq = 5`);
    // Written after the last extraction: pending, not missing.
    await source.query(`INSERT INTO ${schema}.gaps VALUES ('zz', 1, 1, '2025-04-01 00:00:00')`);
    // Deleted in MySQL: a delete.
    await source.query(`DELETE FROM ${schema}.gaps WHERE region = 'US' AND seq = 7`);
    const reconciled = (await reconcileTable(options))._unsafeUnwrap();
    expect(reconciled.report).toMatchObject({ keysDeleted: 1, keysMissing: 1, keysPending: 1 });
    expect(reconciled.report.missingSample).toEqual([["eu", "5"]]);
    expect(reconciled.notes.join("\n")).toMatch(
      /1 row\(s\) of pipeline_reconcile\.gaps at or below the watermark .* \(eu, 5\).*sluice watermark reset -t pipeline_reconcile\.gaps/,
    );
    expect(
      await pgRows(`SELECT count(*)::text FROM "${schema}"."gaps" WHERE region = 'US' AND seq = 7`),
    ).toEqual([["0"]]);
    // The pending row arrives with the next sync; the missing one is still reported.
    const synced = await ok({ ...options, reconcileDeletes: "every" });
    expect(synced.load?.rowsStaged).toBe(1);
    expect(synced.reconcile).toMatchObject({ keysDeleted: 0, keysMissing: 1, keysPending: 0 });
  }, 60_000);

  it("stops without deleting when more keys would go than --reconcile-max-deletes", async () => {
    const lake = await localLake();
    await source.query(`CREATE TABLE ${schema}.guarded LIKE ${schema}.by_pair`);
    await source.query(`INSERT INTO ${schema}.guarded SELECT * FROM ${schema}.by_pair`);
    const options = syncOptions({ schema, table: "guarded" }, lake, { deleteMode: "hard" });
    await ok(options);
    const [[before]] = (await mysqlRows(source, `SELECT COUNT(*) FROM ${schema}.guarded`)) as [[string]];
    const [[eu]] = (await mysqlRows(
      source,
      `SELECT COUNT(*) FROM ${schema}.guarded WHERE region = 'eu'`,
    )) as [[string]];
    await source.query(`DELETE FROM ${schema}.guarded WHERE region = 'eu'`);
    const refused = await reconcileTable({ ...options, reconcileMaxDeletes: 100 });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: "config" });
    expect(refused._unsafeUnwrapErr().message).toMatch(/more than the limit of 100; nothing was deleted/);
    expect(await pgRows(`SELECT count(*)::text FROM "${schema}"."guarded"`)).toEqual([[before]]);
    const allowed = (await reconcileTable(options))._unsafeUnwrap();
    expect(allowed.report.keysDeleted).toBe(Number(eu));
  }, 60_000);
});
