import { createS3ObjectStore } from "@sluice/connectors";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { syncTable } from "../src/index.js";
import {
  createSettlementSource,
  insertRows,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

// Lower case: Redshift folds identifiers, and the loader's Redshift dialect does too.
const schema = `pipeline_rs_${process.pid}`;
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 2_000);
});
afterAll(async () => {
  await source?.query(`DROP DATABASE IF EXISTS ${schema}`);
  await source?.end();
});

describe("syncTable, MariaDB -> S3 lake -> Redshift (gateway)", () => {
  it("syncs through COPY ... FORMAT AS PARQUET MANIFEST and matches the source, run after run", async () => {
    const services = inject("sluiceServices");
    const lake = createS3ObjectStore({
      bucket: services.s3.bucket,
      prefix: `pipeline-rs-${process.pid}`,
      endpoint: services.s3.endpoint,
      region: services.s3.region,
      credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
      forcePathStyle: true,
    });
    const connection = parseWarehouseUrl(services.redshift.url)._unsafeUnwrap();
    expect(connection.dialect).toBe("redshift");
    const options = () =>
      syncOptions(table, lake, { warehouse: { connection: createWarehouse({ connection, lake }) } });

    const first = (await syncTable(options()))._unsafeUnwrap();
    expect(first.load).toMatchObject({ runsLoaded: 1, rowsStaged: 2_000, rowsInserted: 2_000 });
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );

    await insertRows(source, 10, "2026-02-01 00:00:00");
    await source.query(
      `UPDATE ${schema}.settlement SET status = 'refunded', note = 'emoji 🚀 again', updated_at = '2026-03-01 00:00:00.5' WHERE id % 100 = 0`,
    );
    const second = (await syncTable(options()))._unsafeUnwrap();
    expect(second.load).toMatchObject({ runsLoaded: 1, rowsStaged: 30, rowsDeleted: 20 });
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });
});
