import { createS3ObjectStore } from "@sluice/connectors";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { syncTable } from "../src/index.js";
import { createSourceDatabase, type MysqlConnection, mysqlRows } from "./cdc-fixture.js";
import { syncOptions } from "./sync-fixture.js";

// Lower case: Redshift folds identifiers, and the loader's Redshift dialect does too.
const schema = `pipeline_rs_reconcile_${process.pid}`;
let source: MysqlConnection;

beforeAll(async () => {
  const stamp = "TIMESTAMP('2025-03-01 08:00:00') + INTERVAL (seq % 13) SECOND";
  source = await createSourceDatabase(
    schema,
    `CREATE TABLE by_pair (region VARCHAR(8) COLLATE utf8mb4_general_ci NOT NULL, seq INT NOT NULL, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (region, seq), KEY (updated_at)) DEFAULT CHARSET=utf8mb4;
     INSERT INTO by_pair SELECT ELT(1 + seq % 4, 'eu', 'US', 'apac', 'Ärger'), seq DIV 4, seq, ${stamp} FROM seq_1_to_4000;
     CREATE TABLE by_bin (bin BINARY(16) PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY (updated_at));
     INSERT INTO by_bin SELECT UNHEX(MD5(seq)), seq, ${stamp} FROM seq_1_to_3000;`,
  );
});
afterAll(async () => {
  await source?.query(`DROP DATABASE IF EXISTS ${schema}`);
  await source?.end();
});

/** The Redshift reconciliation SQL (STRTOL, TO_VARBYTE, FROM_VARBYTE, LOCK) through the gateway. */
describe("delete reconciliation, MariaDB -> S3 lake -> Redshift (gateway)", () => {
  for (const [name, mode, keyText, pgKeyText] of [
    ["by_pair", "soft", "CONCAT(region, '/', seq)", `region || '/' || seq`],
    ["by_bin", "hard", "LOWER(HEX(bin))", "encode(bin, 'hex')"],
  ] as const) {
    it(`${name} (${mode}): finds the deletes and the target equals the source`, async () => {
      const services = inject("sluiceServices");
      const lake = createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix: `pipeline-rs-reconcile-${process.pid}-${name}`,
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
      });
      const connection = parseWarehouseUrl(services.redshift.url)._unsafeUnwrap();
      const options = syncOptions({ schema, table: name }, lake, {
        warehouse: { connection: createWarehouse({ connection, lake }) },
        reconcileDeletes: "every",
        deleteMode: mode,
        pageSize: 5_000,
      });
      const first = (await syncTable(options))._unsafeUnwrap();
      expect(first.reconcile).toMatchObject({ keysDeleted: 0, queries: { source: 1, target: 1 } });
      await source.query(`DELETE FROM ${schema}.${name} WHERE v % 211 = 0 OR v IN (1, 2, 4000)`);
      const [[remaining]] = (await mysqlRows(source, `SELECT COUNT(*) FROM ${schema}.${name}`)) as [[string]];
      const second = (await syncTable(options))._unsafeUnwrap();
      const total = name === "by_pair" ? 4000 : 3000;
      expect(second.reconcile).toMatchObject({ keysDeleted: total - Number(remaining), keysMissing: 0 });
      const client = await createTestPgClient(services.postgres);
      try {
        const live = mode === "soft" ? ` WHERE "_sluice_deleted_at" IS NULL` : "";
        const target = await client.query({
          text: `SELECT ${pgKeyText}, v::text FROM "${schema}"."${name}"${live}`,
          rowMode: "array",
        });
        const expected = await mysqlRows(source, `SELECT ${keyText}, CAST(v AS CHAR) FROM ${schema}.${name}`);
        const byKey = (rows: string[][]) => rows.map((row) => row.join("|")).sort();
        expect(byKey(target.rows as string[][])).toEqual(byKey(expected));
      } finally {
        await client.end();
      }
      const third = (await syncTable(options))._unsafeUnwrap();
      expect(third.reconcile).toMatchObject({ keysDeleted: 0, rangesCompared: 1 });
    }, 120_000);
  }
});
