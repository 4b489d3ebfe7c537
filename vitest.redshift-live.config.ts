import { defineConfig } from "vitest/config";

// Opt-in: the Redshift-path suite against a live cluster (docs/redshift-testing.md).
// No private services are started; the cluster, its IAM role and the S3 prefix come
// from REDSHIFT_TEST_URL, REDSHIFT_TEST_IAM_ROLE and REDSHIFT_TEST_S3_URL.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["packages/redshift-loader/test-live/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
