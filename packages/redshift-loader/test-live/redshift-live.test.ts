import { openObjectStore, parseLakeUrl } from "@sluice/connectors";
import pg from "pg";
import { describe } from "vitest";
import { parseWarehouseUrl } from "../src/index.js";
import { describeRedshiftEvolution } from "../test/redshift-evolution-suite.js";
import { describeRedshiftPath } from "../test/redshift-path-suite.js";
import type { RedshiftTarget } from "../test/redshift-target.js";

// The same Redshift-path suite as test/redshift-gateway-load.test.ts, against a real
// cluster. Run with `pnpm exec vitest run --config vitest.redshift-live.config.ts`
// (docs/redshift-testing.md); the normal suite never includes this directory.
const url = process.env.REDSHIFT_TEST_URL;
const lakeUrl = process.env.REDSHIFT_TEST_S3_URL;
const iamRole = process.env.REDSHIFT_TEST_IAM_ROLE;
const missing = [
  ["REDSHIFT_TEST_URL", url],
  ["REDSHIFT_TEST_S3_URL", lakeUrl],
  ["REDSHIFT_TEST_IAM_ROLE", iamRole],
]
  .filter(([, value]) => !value)
  .map(([name]) => name);

function liveTarget(): RedshiftTarget {
  const parsed = parseWarehouseUrl(url ?? "")._unsafeUnwrap();
  const connection = { ...parsed, iamRole: iamRole as string };
  const lake = openObjectStore(parseLakeUrl(lakeUrl ?? "")._unsafeUnwrap(), {
    ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
  });
  return {
    connection,
    lake,
    check: async () => {
      const client = new pg.Client({
        host: connection.host,
        port: connection.port,
        user: connection.user,
        password: connection.password,
        database: connection.database,
        ssl:
          connection.sslMode === "disable"
            ? false
            : { rejectUnauthorized: connection.sslMode === "verify-full", servername: connection.host },
      });
      await client.connect();
      await client.query("SET timezone TO 'UTC'");
      return client;
    },
  };
}

describe.skipIf(missing.length > 0)(
  `live Redshift cluster (needs ${missing.length > 0 ? `${missing.join(", ")} set` : "nothing more"})`,
  () => {
    describeRedshiftPath("Redshift load path against a live cluster", liveTarget);
    describeRedshiftEvolution("Redshift schema evolution against a live cluster", liveTarget);
  },
);
