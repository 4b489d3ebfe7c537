import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore, RunManifest } from "@sluice/core";
import pg from "pg";
import { inject } from "vitest";
// Type-only (erased at runtime); brings the `inject("sluiceServices")` typing.
import type {} from "../../test-services/src/services-contract.js";
import { parseWarehouseUrl, renderRedshiftManifest, type WarehouseConnection } from "../src/index.js";

/**
 * Where the Redshift-path tests run: the gateway from test-services by default, or a
 * live cluster (test-live/, REDSHIFT_TEST_* variables). `check` reads the target
 * independently of the loader.
 */
export interface RedshiftTarget {
  readonly connection: WarehouseConnection;
  readonly lake: ObjectStore;
  /** A session for checks, with the time zone pinned to UTC. */
  check(): Promise<pg.Client>;
}

/** The gateway in front of the private PostgreSQL, with a fresh prefix in the S3 stand-in. */
export function gatewayTarget(prefix: string): RedshiftTarget {
  const services = inject("sluiceServices");
  return {
    connection: parseWarehouseUrl(services.redshift.url)._unsafeUnwrap(),
    lake: createS3ObjectStore({
      bucket: services.s3.bucket,
      prefix,
      endpoint: services.s3.endpoint,
      region: services.s3.region,
      credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
      forcePathStyle: true,
    }),
    check: async () => {
      const client = new pg.Client({ connectionString: services.postgres.url });
      await client.connect();
      await client.query("SET timezone TO 'UTC'");
      return client;
    },
  };
}

/** Writes the run's Redshift COPY manifest next to its parts; returns its s3:// URI. */
export async function putRedshiftManifest(
  lake: ObjectStore,
  manifest: RunManifest,
  body: string = renderRedshiftManifest(manifest.files),
): Promise<string> {
  const key = `${manifest.table}/_manifests/${manifest.runId}.manifest`;
  (await lake.put(key, body))._unsafeUnwrap();
  return lake.uriFor(key);
}
