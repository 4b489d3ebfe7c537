import type { ColumnSpec } from "@sluice/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoader, type WarehouseLoader } from "../src/index.js";
import { checkClient, privatePostgres, stageRun, temporaryLake, uniqueSchema } from "./pg-load-fixture.js";

const schema = uniqueSchema("rl_refusals");
const table = `${schema}.notes`;
let lake: Awaited<ReturnType<typeof temporaryLake>>;
let loader: WarehouseLoader;
let check: pg.Client;

beforeAll(async () => {
  lake = await temporaryLake();
  loader = (await openLoader({ connection: privatePostgres().connection, lake: lake.lake }))._unsafeUnwrap();
  check = await checkClient();
});

afterAll(async () => {
  await loader?.close();
  await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await check?.end();
  await lake?.dispose();
});

const columns: ColumnSpec[] = [
  { name: "id", sourceType: "int", logical: { kind: "integer", bits: 32, unsigned: false }, nullable: false },
  { name: "title", sourceType: "varchar(20)", logical: { kind: "string", maxBytes: 80 }, nullable: true },
  { name: "note", sourceType: "text", logical: { kind: "string", maxBytes: 65535 }, nullable: true },
];

describe("a value PostgreSQL refuses in COPY is named by column and row key", () => {
  it("NUL in a staged text value (a lake written before --nul-in-text): column, key, and the way out", async () => {
    // The writer checks strings; bytes handed to a text column are copied as they are,
    // which is how a part from an older build, holding NUL, is made here.
    const manifest = await stageRun(lake.lake, {
      table,
      runId: "20261205T000000000Z-nul0",
      columns,
      primaryKey: ["id"],
      cursorColumn: null,
      parts: [
        [
          [1, "fine", "plain"],
          [7, "ok", Buffer.from("a\u0000b")],
          [9, "later", "plain"],
        ],
      ],
    });
    const failure = (await loader.loadRun(manifest, "unused-for-postgres"))._unsafeUnwrapErr();
    expect(failure.message).toContain('invalid byte sequence for encoding "UTF8": 0x00');
    expect(failure.message).toContain("column note");
    expect(failure.message).toContain("the row with id=7");
    expect(failure.message).toContain("row 2 of the part");
    expect(failure.message).toContain("sluice runs drop");
    const ledger = await check.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'notes'",
      [schema],
    );
    // Nothing committed: the target table's creation rolled back with the load, or it is empty.
    if (ledger.rows[0]?.n === 1) {
      expect((await check.query(`SELECT count(*)::int AS n FROM "${schema}".notes`)).rows[0]?.n).toBe(0);
    }
  });
});
