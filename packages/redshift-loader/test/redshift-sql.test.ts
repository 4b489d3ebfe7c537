import type { ColumnSpec, StagedFile } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  normalizeCopyOptions,
  renderCreateTable,
  renderMergeStatements,
  renderRedshiftCopy,
  renderRedshiftManifest,
} from "../src/index.js";
import { everyTypeColumns } from "./orders-columns.js";

// Expected SQL is written by hand from the AWS Redshift docs (CREATE TABLE, COPY
// from columnar formats, manifest format, DELETE USING), not generated.

const target = { schema: "shop", name: "orders" };
const staging = { schema: null, name: "sluice_stage_1" };
const role = "arn:aws:iam::123456789012:role/sluice-load";

describe("renderCreateTable (redshift)", () => {
  it("maps every logical type, keeps column order, declares the key, DISTSTYLE AUTO and SORTKEY(cursor)", () => {
    const sql = renderCreateTable("redshift", target, everyTypeColumns, ["id"], { sortKey: "updated_at" });
    expect(sql).toBe(`CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT NOT NULL,
  "qty" SMALLINT,
  "tiny" SMALLINT,
  "small_u" INTEGER,
  "medium" INTEGER,
  "int_u" BIGINT,
  "big_u" DECIMAL(20,0),
  "amount" DECIMAL(18,2) NOT NULL,
  "ratio" REAL,
  "score" DOUBLE PRECISION,
  "born" DATE,
  "created" TIMESTAMP,
  "updated_at" TIMESTAMPTZ,
  "dur" VARCHAR(32),
  "yr" SMALLINT,
  "name" VARCHAR(400) NOT NULL,
  "note" VARCHAR(65535),
  "huge" VARCHAR(65535),
  "blob" VARBYTE(16),
  "doc" SUPER,
  "flags" BIGINT,
  "flags64" DECIMAL(20,0),
  "active" BOOLEAN,
  PRIMARY KEY ("id")
)
DISTSTYLE AUTO
SORTKEY ("updated_at")`);
  });

  it("omits SORTKEY and PRIMARY KEY when there is no cursor and no key", () => {
    const columns: ColumnSpec[] = [
      { name: "msg", sourceType: "text", logical: { kind: "string", maxBytes: 65535 }, nullable: true },
    ];
    expect(
      renderCreateTable("redshift", { schema: "logs", name: "events" }, columns, [], { sortKey: null }),
    ).toBe(
      `CREATE TABLE IF NOT EXISTS "logs"."events" (
  "msg" VARCHAR(65535)
)
DISTSTYLE AUTO`,
    );
  });

  it("refuses DECIMAL precision above 38 naming the column", () => {
    const columns: ColumnSpec[] = [
      {
        name: "total",
        sourceType: "decimal(65,10)",
        logical: { kind: "decimal", precision: 65, scale: 10 },
        nullable: true,
      },
    ];
    let thrown: unknown;
    try {
      renderCreateTable("redshift", target, columns, []);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: "config" });
    expect((thrown as Error).message).toContain("shop.orders.total");
    expect((thrown as Error).message).toContain("38");
    // PostgreSQL numeric holds it.
    expect(renderCreateTable("postgres", target, columns, [])).toContain('"total" numeric(65,10)');
  });

  it("refuses a primary key column that is not a column", () => {
    expect(() => renderCreateTable("redshift", target, everyTypeColumns, ["nope"])).toThrow();
  });
});

describe("renderCreateTable (postgres)", () => {
  it("uses text-exact PostgreSQL types", () => {
    expect(
      renderCreateTable("postgres", target, everyTypeColumns, ["id"], { sortKey: "updated_at" }),
    ).toBe(`CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" bigint NOT NULL,
  "qty" smallint,
  "tiny" smallint,
  "small_u" integer,
  "medium" integer,
  "int_u" bigint,
  "big_u" numeric(20,0),
  "amount" numeric(18,2) NOT NULL,
  "ratio" real,
  "score" double precision,
  "born" date,
  "created" timestamp(6),
  "updated_at" timestamptz(6),
  "dur" text,
  "yr" smallint,
  "name" text NOT NULL,
  "note" text,
  "huge" text,
  "blob" bytea,
  "doc" json,
  "flags" bigint,
  "flags64" numeric(20,0),
  "active" boolean,
  PRIMARY KEY ("id")
)`);
  });

  it("quotes identifiers, doubling embedded quotes", () => {
    const columns: ColumnSpec[] = [
      {
        name: 'we"ird',
        sourceType: "int",
        logical: { kind: "integer", bits: 32, unsigned: false },
        nullable: false,
      },
    ];
    expect(renderCreateTable("postgres", { schema: "Mixed", name: "Case" }, columns, ['we"ird'])).toBe(
      `CREATE TABLE IF NOT EXISTS "Mixed"."Case" (
  "we""ird" integer NOT NULL,
  PRIMARY KEY ("we""ird")
)`,
    );
  });
});

describe("renderRedshiftCopy", () => {
  it("writes COPY ... FORMAT AS PARQUET MANIFEST with the role and allowed options", () => {
    expect(
      renderRedshiftCopy(staging, "s3://lake/shop/orders/_manifests/r1.redshift.json", role, [
        "acceptinvchars as '?'",
        "SERIALIZETOJSON",
      ]),
    ).toBe(`COPY "sluice_stage_1"
FROM 's3://lake/shop/orders/_manifests/r1.redshift.json'
IAM_ROLE 'arn:aws:iam::123456789012:role/sluice-load'
FORMAT AS PARQUET
MANIFEST
ACCEPTINVCHARS AS '?'
SERIALIZETOJSON`);
  });

  it("without options", () => {
    expect(renderRedshiftCopy(staging, "s3://b/k.json", "default", [])).toBe(`COPY "sluice_stage_1"
FROM 's3://b/k.json'
IAM_ROLE 'default'
FORMAT AS PARQUET
MANIFEST`);
  });

  it("refuses a manifest outside S3", () => {
    expect(() => renderRedshiftCopy(staging, "file:///tmp/lake/m.json", role, [])).toThrow(/s3:\/\//);
  });
});

describe("COPY options with FORMAT AS PARQUET", () => {
  it.each([
    ["MAXERROR 1000", "MAXERROR"],
    ["ACCEPTANYDATE", "ACCEPTANYDATE"],
    ["TRUNCATECOLUMNS", "TRUNCATECOLUMNS"],
    ["DATEFORMAT 'auto'", "DATEFORMAT"],
    ["TIMEFORMAT 'auto'", "TIMEFORMAT"],
    ["gzip", "GZIP"],
    ["GZIP MAXERROR 1000", "GZIP"],
    ["IAM_ROLE 'arn:aws:iam::123456789012:role/x'", "IAM_ROLE"],
    ["MANIFEST", "MANIFEST"],
    ["FOO", "FOO"],
  ])("refuses %s with a config error naming %s", (option, word) => {
    const result = normalizeCopyOptions([option]);
    expect(result.isErr()).toBe(true);
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(word);
    expect(error.message).toContain("ACCEPTINVCHARS, FILLRECORD, EXPLICIT_IDS, STATUPDATE, SERIALIZETOJSON");
    expect(error.message).not.toContain("\n");
    expect(() => renderRedshiftCopy(staging, "s3://b/k.json", role, [option])).toThrow();
  });

  it("accepts and normalizes the five allowed options", () => {
    expect(
      normalizeCopyOptions([
        "ACCEPTINVCHARS",
        "fillrecord explicit_ids",
        "statupdate off",
        "SERIALIZETOJSON",
        "FILLRECORD",
      ])._unsafeUnwrap(),
    ).toEqual(["ACCEPTINVCHARS", "FILLRECORD", "EXPLICIT_IDS", "STATUPDATE OFF", "SERIALIZETOJSON"]);
  });

  it("refuses an unbalanced quote", () => {
    expect(normalizeCopyOptions(["ACCEPTINVCHARS AS '?"]).isErr()).toBe(true);
  });
});

describe("renderRedshiftManifest", () => {
  it("lists every file once with mandatory and content_length", () => {
    const files: StagedFile[] = [
      { key: "a/part-0000.parquet", uri: "s3://lake/a/part-0000.parquet", sizeBytes: 1234, rows: 10 },
      { key: "a/part-0001.parquet", uri: "s3://lake/a/part-0001.parquet", sizeBytes: 99, rows: 1 },
    ];
    const expected = `{
  "entries": [
    {
      "url": "s3://lake/a/part-0000.parquet",
      "mandatory": true,
      "meta": {
        "content_length": 1234
      }
    },
    {
      "url": "s3://lake/a/part-0001.parquet",
      "mandatory": true,
      "meta": {
        "content_length": 99
      }
    }
  ]
}
`;
    expect(renderRedshiftManifest(files)).toBe(expected);
    expect(renderRedshiftManifest([...files, files[0] as StagedFile])).toBe(expected);
  });
});

describe("renderMergeStatements", () => {
  const byName = (name: string) => everyTypeColumns.find((column) => column.name === name) as ColumnSpec;
  const columns = [byName("id"), byName("name"), byName("updated_at")];
  const region: ColumnSpec = {
    name: "region",
    sourceType: "char(2)",
    logical: { kind: "string", maxBytes: 8 },
    nullable: false,
  };

  it("redshift: DELETE USING on the composite key, then the latest row per key by cursor", () => {
    expect(
      renderMergeStatements(
        "redshift",
        target,
        staging,
        [region, ...columns],
        ["region", "id"],
        "updated_at",
      ),
    ).toEqual([
      `DELETE FROM "shop"."orders"
USING "sluice_stage_1"
WHERE "shop"."orders"."region" = "sluice_stage_1"."region"
  AND "shop"."orders"."id" = "sluice_stage_1"."id"`,
      `INSERT INTO "shop"."orders" ("region", "id", "name", "updated_at")
SELECT "region", "id", "name", "updated_at"
FROM (
  SELECT "region", "id", "name", "updated_at",
    ROW_NUMBER() OVER (PARTITION BY "region", "id" ORDER BY "updated_at" DESC NULLS LAST) AS "_sluice_rank"
  FROM "sluice_stage_1"
) AS ranked
WHERE "_sluice_rank" = 1`,
    ]);
  });

  it("postgres: breaks cursor ties by position in the run", () => {
    const statements = renderMergeStatements("postgres", target, staging, columns, ["id"], "updated_at");
    expect(statements[1]).toContain(
      `ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST, "_sluice_seq" DESC) AS "_sluice_rank"`,
    );
    expect(renderMergeStatements("postgres", target, staging, columns, ["id"], null)[1]).toContain(
      `ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "_sluice_seq" DESC)`,
    );
  });

  it("appends when the table has no primary key", () => {
    expect(renderMergeStatements("redshift", target, staging, columns, [], null)).toEqual([
      `INSERT INTO "shop"."orders" ("id", "name", "updated_at")
SELECT "id", "name", "updated_at"
FROM "sluice_stage_1"`,
    ]);
  });
});
