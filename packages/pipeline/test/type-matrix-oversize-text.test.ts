import { tmpdir } from "node:os";
import { createLocalObjectStore } from "@sluice/connectors";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { describe, expect, inject, it } from "vitest";
import { createMatrixTable, type MatrixTable, parquetText, syncMatrixTable } from "./type-matrix-fixture.js";

// A Redshift-bound run (the warehouse URL says redshift) that stops at the lake: the
// VARCHAR byte cap applies while extracting, where the row key is known.
function redshiftBound() {
  const connection = parseWarehouseUrl(inject("sluiceServices").postgres.url)._unsafeUnwrap();
  return {
    mode: "backup-only" as const,
    // Backup-only: the warehouse is never loaded, so its lake is never read.
    warehouse: {
      connection: createWarehouse({
        connection: { ...connection, dialect: "redshift" as const },
        lake: createLocalObjectStore({ directory: tmpdir() }),
      }),
    },
  };
}

const table = (schema: string): MatrixTable => ({
  schema,
  table: "notes",
  columns: [
    { name: "body", ddl: "LONGTEXT NULL" },
    { name: "doc", ddl: "JSON NULL", compare: "json" },
  ],
  rows: [
    "'short 😀', '{}'",
    // 17,500 emoji = 70,000 bytes; JSON is SUPER-bound, not VARCHAR: never cut.
    "REPEAT('😀', 17500), CONCAT('[\"', REPEAT('x', 70000), '\"]')",
    "NULL, NULL",
  ],
});

describe("text above Redshift's VARCHAR maximum (65,535 bytes)", () => {
  it("stops a Redshift-bound run by default, naming the row key, the column, the byte length and the fix", async () => {
    const definition = table("tm_oversize_fail");
    await (await createMatrixTable(definition)).end();
    const failure = await syncMatrixTable(definition, redshiftBound()).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    for (const part of [
      "tm_oversize_fail.notes",
      "column body",
      "id=2",
      "70000 bytes",
      "65535",
      "--oversize-text truncate",
    ]) {
      expect(message).toContain(part);
    }
  });

  it('with oversizeText: "truncate", cuts on a character boundary and counts it', async () => {
    const definition = table("tm_oversize_cut");
    await (await createMatrixTable(definition)).end();
    const run = await syncMatrixTable(definition, { ...redshiftBound(), oversizeText: "truncate" });
    expect(run.report.extract?.truncatedValues).toEqual({ body: 1 });
    // 65,535 is not a multiple of 4: the cut backs off to the last whole emoji.
    expect(run.manifest.columnStats?.body).toEqual({ nulls: 1, maxBytes: 65_532 });
    expect(run.manifest.columnStats?.doc?.maxBytes).toBe(70_004);
    const rows = await parquetText(run.files, {
      ...definition,
      columns: [
        { name: "body", ddl: "", duck: "c" },
        { name: "doc", ddl: "", duck: "strlen(c)" },
      ],
    });
    expect(rows).toEqual([
      ["short 😀", "2"],
      ["😀".repeat(16_383), "70004"],
      [null, null],
    ]);
  });

  it("keeps the lake exact when the target is PostgreSQL", async () => {
    const definition = table("tm_oversize_pg");
    await (await createMatrixTable(definition)).end();
    const run = await syncMatrixTable(definition);
    expect(run.report.extract?.truncatedValues).toEqual({});
    expect(run.manifest.columnStats?.body?.maxBytes).toBe(70_000);
  });
});
