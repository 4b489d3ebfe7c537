import type { TableSpec } from "@sluice/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
// Type-only (erased at runtime); brings the `inject("sluiceServices")` typing.
import type {} from "../../test-services/src/services-contract.js";
import { openWarehouseKeyReconciler, parseWarehouseUrl } from "../src/index.js";

async function createTestPgClient(endpoint: { url: string }): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: endpoint.url });
  await client.connect();
  return client;
}

const services = inject("sluiceServices");
const schema = `rl_reconcile_${process.pid}`;
const spec: TableSpec = {
  ref: { schema, table: "pairs" },
  columns: [
    { name: "region", sourceType: "varchar(8)", logical: { kind: "string", maxBytes: 32 }, nullable: false },
    {
      name: "seq",
      sourceType: "int",
      logical: { kind: "integer", bits: 32, unsigned: false },
      nullable: false,
    },
  ],
  primaryKey: ["region", "seq"],
  indexes: [],
};

beforeAll(async () => {
  const client = await createTestPgClient(services.postgres);
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
    await client.query(
      `CREATE TABLE "${schema}"."pairs" (region text NOT NULL, seq integer NOT NULL, PRIMARY KEY (region, seq))`,
    );
    await client.query(
      `INSERT INTO "${schema}"."pairs" SELECT (ARRAY['eu','US','Ärger','apac'])[1 + g % 4], g FROM generate_series(1, 500) AS g`,
    );
  } finally {
    await client.end();
  }
});
afterAll(async () => {
  const client = await createTestPgClient(services.postgres);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
});

describe("Redshift functions in the gateway (AWS documentation examples)", () => {
  it("STRTOL, TO_VARBYTE and FROM_VARBYTE answer as documented", async () => {
    const gateway = services.redshift;
    const client = new pg.Client({ ...gateway, ssl: false });
    await client.connect();
    try {
      const result = await client.query(
        `SELECT STRTOL('abcd1234', 16) AS a, STRTOL('0xf', 16) AS b, STRTOL('110101', 2) AS c, STRTOL('-7fffffffffffffff', 16) AS d, FROM_VARBYTE(TO_VARBYTE('ab', 'utf8'), 'hex') AS e, FROM_VARBYTE(TO_VARBYTE('4', 'hex'), 'hex') AS f, TO_VARBYTE('a', 'utf8') < TO_VARBYTE('b', 'utf8') AS g`,
      );
      expect(result.rows[0]).toEqual({
        a: "2882343476",
        b: "15",
        c: "53",
        d: "-9223372036854775807",
        e: "6162",
        f: "04",
        g: true,
      });
    } finally {
      await client.end();
    }
  });
});

describe("warehouse key reconciler", () => {
  it("PostgreSQL and the Redshift SQL (gateway) compute the same digests over the same table", async () => {
    const digests = [];
    for (const url of [services.postgres.url, services.redshift.url]) {
      const connection = parseWarehouseUrl(url)._unsafeUnwrap();
      const reconciler = (
        await openWarehouseKeyReconciler({ connection, spec, mode: "hard" })
      )._unsafeUnwrap();
      try {
        expect(reconciler.exists).toBe(true);
        digests.push(
          (
            await reconciler.digest([
              { after: null, through: ["US", "250"] },
              { after: ["US", "250"], through: ["eu", "9"] },
              { after: ["eu", "9"], through: null },
            ])
          )._unsafeUnwrap(),
        );
      } finally {
        await reconciler.close();
      }
    }
    expect(digests[0]).toEqual(digests[1]);
    // Byte order: "US" < "apac" < "eu" < "Ärger" (upper case before lower, ASCII before Ä).
    expect(digests[0]?.map((digest) => digest.rows).reduce((a, b) => a + b, 0)).toBe(500);
    expect(digests[0]?.[2]?.rows).toBeGreaterThan(125);
  });

  it("applies a reconciliation once: the same id again is skipped by the ledger", async () => {
    const connection = parseWarehouseUrl(services.postgres.url)._unsafeUnwrap();
    const reconciler = (await openWarehouseKeyReconciler({ connection, spec, mode: "soft" }))._unsafeUnwrap();
    try {
      const keys = [
        ["eu", "4"],
        ["US", "1"],
        ["eu", "999"],
      ];
      const at = new Date("2026-02-03T04:05:06.789Z");
      const first = (
        await reconciler.applyDeletes({ reconcileId: "r-1", keys, keysMissing: 0, at })
      )._unsafeUnwrap();
      expect(first).toEqual({ rows: 2, skipped: false });
      const again = (
        await reconciler.applyDeletes({ reconcileId: "r-1", keys, keysMissing: 0, at })
      )._unsafeUnwrap();
      expect(again).toEqual({ rows: 0, skipped: true });
      // A new id finds them already flagged: nothing changes.
      const next = (
        await reconciler.applyDeletes({ reconcileId: "r-2", keys, keysMissing: 0, at })
      )._unsafeUnwrap();
      expect(next).toEqual({ rows: 0, skipped: false });
      const client = await createTestPgClient(services.postgres);
      try {
        const flagged = await client.query(
          `SELECT region, seq, to_char("_sluice_deleted_at", 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM "${schema}"."pairs" WHERE "_sluice_deleted_at" IS NOT NULL ORDER BY seq`,
        );
        expect(flagged.rows).toEqual([
          { region: "US", seq: 1, at: "2026-02-03 04:05:06.789000" },
          { region: "eu", seq: 4, at: "2026-02-03 04:05:06.789000" },
        ]);
        const ledger = await client.query(
          `SELECT reconcile_id, mode, keys_deleted::int AS n FROM sluice.sluice_reconcile_ledger WHERE source_table = $1 ORDER BY reconcile_id`,
          [`${schema}.pairs`],
        );
        expect(ledger.rows).toEqual([
          { reconcile_id: "r-1", mode: "soft", n: 2 },
          { reconcile_id: "r-2", mode: "soft", n: 0 },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await reconciler.close();
    }
  });
});
