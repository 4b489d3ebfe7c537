import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTable } from "../src/index.js";
import {
  createSourceDatabase,
  dropTargetSchema,
  extractedRows,
  type MysqlConnection,
  mysqlRows,
  pgRows,
  syncUntilQuiet,
} from "./cdc-fixture.js";
import { localLake, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_cdc_keys";
let source: MysqlConnection;
// Each test updates to its own later stamp: a stamp equal to a stored watermark's is the late-commit case.
let updates = 0;

/**
 * Four key shapes, each with 90 rows over 11 distinct stamps (ties everywhere):
 * a case-insensitive VARCHAR key with accents, a UUID in CHAR(36), a UUID in
 * BINARY(16), and a composite (VARCHAR, INT) key. The cursor index is on updated_at
 * alone: InnoDB appends the key.
 */
const tables: Record<string, { key: string; mysqlKey: string; pgKey: string }> = {
  by_code: { key: "code", mysqlKey: "code", pgKey: "code" },
  by_uuid: { key: "uuid", mysqlKey: "uuid", pgKey: "uuid" },
  by_bin: { key: "bin", mysqlKey: "LOWER(HEX(bin))", pgKey: "encode(bin, 'hex')" },
  by_pair: { key: "region, seq", mysqlKey: "CONCAT(region, '/', seq)", pgKey: "region || '/' || seq" },
};

beforeAll(async () => {
  const stamp =
    "TIMESTAMP('2025-03-01 08:00:00') + INTERVAL ((seq * 37) % 11) SECOND + INTERVAL 5 MICROSECOND";
  source = await createSourceDatabase(
    schema,
    `CREATE TABLE by_code (code VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at)) DEFAULT CHARSET=utf8mb4;
     INSERT INTO by_code SELECT CONCAT(ELT(1 + seq % 5, 'Zebra', 'apple', 'Éclair', 'banana', 'Ölfeld'), '-', seq), seq, ${stamp} FROM seq_1_to_90;
     CREATE TABLE by_uuid (uuid CHAR(36) CHARACTER SET ascii PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at));
     INSERT INTO by_uuid SELECT UUID(), seq, ${stamp} FROM seq_1_to_90;
     CREATE TABLE by_bin (bin BINARY(16) PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at));
     INSERT INTO by_bin SELECT UNHEX(REPLACE(UUID(), '-', '')), seq, ${stamp} FROM seq_1_to_90;
     INSERT INTO by_bin VALUES (UNHEX('00000000000000000000000000000000'), 0, '2025-03-01 08:00:03.000005'), (UNHEX('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00'), -1, '2025-03-01 08:00:03.000005');
     CREATE TABLE by_pair (region VARCHAR(8) NOT NULL, seq INT NOT NULL, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (region, seq), KEY (updated_at));
     INSERT INTO by_pair SELECT ELT(1 + seq % 3, 'eu', 'US', 'apac'), seq DIV 3, seq, ${stamp} FROM seq_1_to_90;`,
  );
  await dropTargetSchema(schema);
});
afterAll(async () => {
  await source?.end();
});

/** syncOptions with the warehouse target in its own schema. */
function optionsInto(
  ref: { schema: string; table: string },
  lake: Awaited<ReturnType<typeof localLake>>,
  targetSchema: string,
  overrides: Parameters<typeof syncOptions>[2],
) {
  const options = syncOptions(ref, lake, overrides);
  if (!options.warehouse) throw new Error("syncOptions gave no warehouse");
  return { ...options, warehouse: { ...options.warehouse, targetSchema } };
}

async function expectTargetEqualsSource(table: string, targetSchema: string): Promise<void> {
  const { mysqlKey, pgKey } = tables[table] as { mysqlKey: string; pgKey: string };
  const expected = await mysqlRows(
    source,
    `SELECT ${mysqlKey}, v, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM ${schema}.${table}`,
  );
  const actual = await pgRows(
    `SELECT ${pgKey}, v::text, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US') FROM "${targetSchema}"."${table}"`,
  );
  const sort = (rows: string[][]) => rows.map((row) => row.join("|")).sort();
  expect(sort(actual)).toEqual(sort(expected));
}

describe("composite and non-integer primary keys, real MariaDB -> PostgreSQL", () => {
  for (const table of Object.keys(tables)) {
    for (const strategy of ["hybrid", "timestamp"] as const) {
      it(`${strategy} on ${table}: pages of 3, runs of 7 rows, every row exactly once`, async () => {
        const targetSchema = `${schema}_${strategy}`;
        const lake = await localLake();
        const ref = { schema, table };
        const options = optionsInto(ref, lake, targetSchema, { strategy, pageSize: 3, limit: 7 });
        const reports = await syncUntilQuiet(options);
        const [[count]] = (await mysqlRows(source, `SELECT COUNT(*) FROM ${schema}.${table}`)) as [[string]];
        // No row extracted twice: the runs add up to the table exactly.
        expect(extractedRows(reports)).toBe(Number(count));
        expect(reports.length).toBeGreaterThan(Number(count) / 14);
        await expectTargetEqualsSource(table, targetSchema);

        // Updates move rows to a later stamp: exactly those come next.
        await source.query(
          `UPDATE ${schema}.${table} SET v = v + 1000, updated_at = TIMESTAMP('2025-03-02') + INTERVAL ${++updates} HOUR ORDER BY v LIMIT 10`,
        );
        const again = await syncUntilQuiet(options);
        expect(extractedRows(again)).toBe(10);
        await expectTargetEqualsSource(table, targetSchema);
        await source.query(`UPDATE ${schema}.${table} SET v = v - 1000 WHERE v >= 900`);
      });
    }
  }

  it("full on every key shape: one consistent snapshot that replaces the target, deletes included", async () => {
    const targetSchema = `${schema}_full`;
    for (const table of Object.keys(tables)) {
      const lake = await localLake();
      const ref = { schema, table };
      const options = optionsInto(ref, lake, targetSchema, { strategy: "full", pageSize: 4 });
      const first = (await syncTable(options))._unsafeUnwrap();
      expect(first.extract?.writeMode).toBe("replace");
      expect(first.extract?.to).toBeNull();
      await expectTargetEqualsSource(table, targetSchema);
      // Rows deleted at the source disappear from the target on the next snapshot.
      await source.query(`DELETE FROM ${schema}.${table} WHERE v % 4 = 0`);
      const second = (await syncTable(options))._unsafeUnwrap();
      const [[count]] = (await mysqlRows(source, `SELECT COUNT(*) FROM ${schema}.${table}`)) as [[string]];
      expect(second.extract?.rows).toBe(Number(count));
      expect(second.load?.rowsStaged).toBe(Number(count));
      await expectTargetEqualsSource(table, targetSchema);
    }
    // An emptied table is an empty snapshot: it empties the target.
    const ref = { schema, table: "by_pair" };
    await source.query(`DELETE FROM ${schema}.by_pair`);
    const lake = await localLake();
    const empty = (
      await syncTable(optionsInto(ref, lake, targetSchema, { strategy: "full" }))
    )._unsafeUnwrap();
    expect(empty.extract?.rows).toBe(0);
    expect(empty.load?.runsLoaded).toBe(1);
    expect(await pgRows(`SELECT COUNT(*)::text FROM "${targetSchema}"."by_pair"`)).toEqual([["0"]]);
  });
});
