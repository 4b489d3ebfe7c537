import { readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

// One vitest project per workspace package, all sharing one set of private test
// services (MariaDB, PostgreSQL, S3 stand-in, sshd) started once by the global setup.
const packageDirs = ["packages", "apps"].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${group}/${entry.name}`),
);

export default defineConfig({
  // Tests import sibling packages from src/ (the `source` export condition), never a
  // stale dist/. Vitest runs tests in Node through the SSR pipeline, which has its own
  // resolve settings.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    globalSetup: ["packages/test-services/src/vitest-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: packageDirs.map((dir) => ({
      extends: true,
      test: {
        name: `@sluice/${dir.split("/")[1]}`,
        root: dir,
        include: ["test/**/*.test.ts"],
      },
    })),
  },
});
