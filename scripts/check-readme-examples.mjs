// Type-checks the ```ts examples of every publishable package's README against the
// sources (strict, exactOptionalPropertyTypes), so a README cannot drift from the API.
// Each example is written next to its package (so it resolves @sluice/* as that package
// would), checked in one tsc program, and removed again.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const publishable = [
  "packages/core",
  "packages/connectors",
  "packages/tunnel",
  "packages/cdc-strategies",
  "packages/parquet-writer",
  "packages/watermark-store",
  "packages/redshift-loader",
  "packages/pipeline",
  "apps/cli",
  "apps/airflow-bridge",
];
const scratch = ".readme-check";
const files = [];
try {
  for (const dir of publishable) {
    const readme = readFileSync(join(root, dir, "README.md"), "utf8");
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    mkdirSync(join(root, dir, scratch), { recursive: true });
    examples.forEach((code, index) => {
      const file = join(dir, scratch, `example-${index}.ts`);
      writeFileSync(join(root, file), `${code}\nexport {};\n`);
      files.push(`../${file}`);
    });
  }
  mkdirSync(join(root, scratch), { recursive: true });
  writeFileSync(
    join(root, scratch, "tsconfig.json"),
    JSON.stringify({
      extends: "../tsconfig.base.json",
      compilerOptions: {
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        customConditions: ["source"],
      },
      files,
    }),
  );
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, scratch, "tsconfig.json")], {
    stdio: "inherit",
  });
  console.log(`check-readme-examples: ${files.length} README examples type-check`);
} catch (error) {
  // tsc printed its errors already; anything else (a missing README) is shown here.
  console.error(
    `check-readme-examples: ${error.status ? "a README example does not type-check (above)" : error.message}`,
  );
  process.exitCode = 1;
} finally {
  for (const dir of ["", ...publishable]) rmSync(join(root, dir, scratch), { recursive: true, force: true });
}
