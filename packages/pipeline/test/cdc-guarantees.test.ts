import { createTestMysqlConnection } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
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

const schema = "pipeline_cdc_guarantees";
let source: MysqlConnection;

const precisionTables = [0, 1, 2, 3, 4, 5, 6].flatMap((fsp) => [`dt${fsp}`, `ts${fsp}`]);

beforeAll(async () => {
  const precision = precisionTables
    .map((name) => {
      const type = `${name.startsWith("dt") ? "DATETIME" : "TIMESTAMP"}(${name.slice(2)})`;
      // 8 rows, stamps shared by pairs, every fractional digit used (cut to the column's precision).
      return `CREATE TABLE ${name} (id INT PRIMARY KEY, c ${type} NOT NULL, KEY (c));
        INSERT INTO ${name} SELECT seq, TIMESTAMP('2025-05-05 10:00:00') + INTERVAL (seq DIV 2) * 1234567 MICROSECOND FROM seq_1_to_8;`;
    })
    .join("\n");
  source = await createSourceDatabase(
    schema,
    `CREATE TABLE late (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
       updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), KEY (updated_at));
     INSERT INTO late (v, updated_at) SELECT seq, TIMESTAMP('2025-01-01') + INTERVAL seq SECOND FROM seq_1_to_50;
     CREATE TABLE busy (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
       updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), KEY (updated_at));
     INSERT INTO busy (v, updated_at) SELECT seq, TIMESTAMP('2025-01-01') + INTERVAL seq SECOND FROM seq_1_to_2000;
     CREATE TABLE nullable (id INT PRIMARY KEY, updated_at DATETIME(6) NULL, KEY (updated_at));
     INSERT INTO nullable SELECT seq, IF(seq % 100 = 0, NULL, TIMESTAMP('2025-01-01') + INTERVAL seq SECOND) FROM seq_1_to_1000;
     CREATE TABLE unindexed (id INT PRIMARY KEY, updated_at DATETIME NOT NULL);
     INSERT INTO unindexed SELECT seq, TIMESTAMP('2025-01-01') + INTERVAL seq MINUTE FROM seq_1_to_30;
     ANALYZE TABLE unindexed;
     ${precision}`,
  );
  await dropTargetSchema(schema);
});
afterAll(async () => {
  await source?.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = async (sql: string) => (await mysqlRows(source, sql)).map((row) => row[0]);
const targetIds = async (table: string) =>
  (await pgRows(`SELECT t.id FROM "${schema}"."${table}" AS t ORDER BY t.id`)).map((row) => row[0]);

describe("late commits: a transaction open across a run", () => {
  it("holds the ceiling below it, and the next run picks up its row with the older stamp", async () => {
    const lake = await localLake();
    const options = syncOptions({ schema, table: "late" }, lake, { pageSize: 10 });
    const writer = await createTestMysqlConnection(inject("sluiceServices").mysql);
    try {
      // Stamped now, committed only after the run: the classic lost row.
      await writer.query(`START TRANSACTION`);
      await writer.query(`INSERT INTO ${schema}.late (v) VALUES (-1)`);
      await sleep(1_200);
      // Committed rows stamped after it: a run without the cap would take them and
      // move the watermark past the uncommitted row for good.
      await source.query(`INSERT INTO ${schema}.late (v) SELECT seq FROM seq_1000_to_1019`);
      const during = (await syncTable(options))._unsafeUnwrap();
      expect(during.extract?.ceilingBoundBy).toBe("open-transaction");
      expect(during.extract?.rows).toBe(50);
      expect(during.extract?.to?.keyValues).toEqual(["50"]);
      await writer.query("COMMIT");
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.end();
    }
    const after = await syncUntilQuiet(options);
    expect(extractedRows(after)).toBe(21);
    const target = await targetIds("late");
    expect(target).toEqual(await ids(`SELECT id FROM ${schema}.late ORDER BY id`));
    expect(target).toHaveLength(71);
  });
});

describe("ceiling protection: a table under constant inserts", () => {
  it("finishes the run, leaves the rows written during it for the next run, and a quiet run catches up", async () => {
    const lake = await localLake();
    const options = syncOptions({ schema, table: "busy" }, lake, { pageSize: 100 });
    const writer = await createTestMysqlConnection(inject("sluiceServices").mysql);
    await writer.query(`USE ${schema}`);
    let writing = true;
    let inserted = 0;
    const writes = (async () => {
      while (writing) {
        await writer.query(`INSERT INTO ${schema}.busy (v) SELECT -seq FROM seq_1_to_5`);
        inserted += 5;
        await sleep(3);
      }
    })();
    try {
      await sleep(100);
      const during = (await syncTable(options))._unsafeUnwrap();
      const ceiling = during.extract?.ceiling as string;
      // Everything taken is below the ceiling; what arrived after it is still waiting.
      expect(during.extract?.to?.cursorValue && during.extract.to.cursorValue < ceiling).toBe(true);
      await sleep(100);
      writing = false;
      await writes;
      const [[waiting]] = (await mysqlRows(
        source,
        `SELECT COUNT(*) FROM ${schema}.busy WHERE updated_at >= '${ceiling}'`,
      )) as [[string]];
      expect(Number(waiting)).toBeGreaterThan(0);
      const [[below]] = (await mysqlRows(
        source,
        `SELECT COUNT(*) FROM ${schema}.busy WHERE updated_at < '${ceiling}'`,
      )) as [[string]];
      expect(during.extract?.rows).toBe(Number(below));
    } finally {
      writing = false;
      await writes;
      await writer.end();
    }
    expect(inserted).toBeGreaterThan(0);
    await syncUntilQuiet(options);
    const target = await targetIds("busy");
    expect(target).toEqual(await ids(`SELECT id FROM ${schema}.busy ORDER BY id`));
  });
});

describe("precision: DATETIME/TIMESTAMP(0..6) cursors through the watermark", () => {
  it("round-trip at every precision: runs of 3 rows split tie pairs, nothing lost or repeated", async () => {
    for (const table of precisionTables) {
      const lake = await localLake();
      const options = syncOptions({ schema, table }, lake, {
        mode: "backup-only",
        pageSize: 2,
        limit: 3,
        cursorColumn: "c",
        initialSnapshot: false,
      });
      const reports = await syncUntilQuiet(options);
      expect(extractedRows(reports), table).toBe(8);
      const expected = await mysqlRows(
        source,
        `SELECT CAST(c AS CHAR), CAST(id AS CHAR) FROM ${schema}.${table} ORDER BY c, id`,
      );
      // Each watermark is exactly a row's (cursor, id) as MariaDB prints it at the column's precision.
      const positions = reports
        .slice(0, -1)
        .map((report) => [report.extract?.to?.cursorValue, ...(report.extract?.to?.keyValues ?? [])]);
      expect(positions, table).toEqual([3, 6, 8].map((n) => expected[n - 1]));
      const fsp = Number(table.slice(2));
      expect(positions[0]?.[0]).toMatch(fsp === 0 ? /:\d\d$/ : new RegExp(`\\.\\d{${fsp}}$`));
    }
  });
});

describe("run report and index checks", () => {
  it("counts queries and NULL cursors skipped, with a warning", async () => {
    const lake = await localLake();
    const run = (
      await syncTable(
        syncOptions({ schema, table: "nullable" }, lake, {
          mode: "backup-only",
          pageSize: 100,
          initialSnapshot: false,
        }),
      )
    )._unsafeUnwrap();
    expect(run.extract?.rows).toBe(990);
    expect(run.extract?.nullCursorRows).toBe(10);
    // 1 NULL count + 9 full pages + 1 short page.
    expect(run.extract?.queries).toBe(11);
    expect(run.notes.join("\n")).toContain(
      "10 row(s) have NULL updated_at and are not copied (--null-cursor skip)",
    );
    const oldest = (
      await syncTable(
        syncOptions({ schema, table: "nullable" }, await localLake(), {
          mode: "backup-only",
          pageSize: 100,
          nullCursor: "oldest",
          maxChunks: 2,
          initialSnapshot: false,
        }),
      )
    )._unsafeUnwrap();
    // The NULL pass (1 query, 10 rows) is not cut by --max-chunks; 2 pages of dated rows are.
    expect(oldest.extract?.rows).toBe(210);
    expect(oldest.extract?.queries).toBe(3);
    expect(oldest.extract?.to).toEqual({ cursorValue: "2025-01-01 00:03:22.000000", keyValues: ["202"] });
  });

  it("warns naming the index to create, refuses above the row limit, and --force overrides", async () => {
    const ref = { schema, table: "unindexed" };
    const warned = (
      await syncTable(syncOptions(ref, await localLake(), { mode: "backup-only" }))
    )._unsafeUnwrap();
    expect(warned.extract?.rows).toBe(30);
    expect(warned.notes.join("\n")).toContain(
      `create it with \`CREATE INDEX \`sluice_unindexed_updated_at\` ON \`${schema}\`.\`unindexed\` (\`updated_at\`, \`id\`)\``,
    );
    const refused = (
      await syncTable(syncOptions(ref, await localLake(), { mode: "backup-only", unindexedRowLimit: 10 }))
    )._unsafeUnwrapErr();
    expect(refused.kind).toBe("config");
    expect(refused.message).toContain("refusing above 10 rows");
    expect(refused.message).toContain("--force");
    const forced = (
      await syncTable(
        syncOptions(ref, await localLake(), { mode: "backup-only", unindexedRowLimit: 10, force: true }),
      )
    )._unsafeUnwrap();
    expect(forced.extract?.rows).toBe(30);
  });
});
