import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { type DagSpec, dagDefaults, generateDag, runBridgeCli } from "../src/index.js";

const base: DagSpec = {
  dagId: "sluice_shop",
  tables: [
    { table: { schema: "shop", table: "orders" }, dependsOn: [], extraArgs: [] },
    {
      table: { schema: "shop", table: "items" },
      dependsOn: [{ schema: "shop", table: "orders" }],
      extraArgs: [],
    },
  ],
  maxActiveTasks: 2,
  startDate: dagDefaults.startDate,
  retries: 3,
  retryDelaySeconds: 300,
  retryExitCodes: [3, 4],
  sluiceCommand: ["sluice"],
  commonArgs: [],
  envFromConnections: {},
  envFromVariables: {},
  tags: ["sluice"],
};

async function bridge(args: string[], cwd = process.cwd(), env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runBridgeCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

describe("generateDag", () => {
  it("is deterministic: the same spec gives the same bytes", () => {
    const first = generateDag(base)._unsafeUnwrap();
    const second = generateDag(structuredClone(base))._unsafeUnwrap();
    expect(first.source).toBe(second.source);
    expect(first.fileName).toBe("sluice_shop.py");
  });

  it("refuses what Airflow would reject or run wrong, naming the fix", () => {
    const orders = { schema: "shop", table: "orders" };
    const items = { schema: "shop", table: "items" };
    const cases: [Partial<DagSpec>, string][] = [
      [{ dagId: "shop orders" }, "--dag-id"],
      [{ tables: [] }, "-t schema.table"],
      [{ maxActiveTasks: 0 }, "--max-active-tasks"],
      [{ retryExitCodes: [0] }, "--retry-exit-codes"],
      [{ startDate: "2026-13-45" }, "--start-date"],
      [{ schedule: "@hourly\nimport os" }, "--schedule"],
      [
        {
          tables: [
            { table: orders, dependsOn: [], extraArgs: [] },
            { table: orders, dependsOn: [], extraArgs: [] },
          ],
        },
        "listed twice",
      ],
      [
        { tables: [{ table: items, dependsOn: [{ schema: "shop", table: "missing" }], extraArgs: [] }] },
        "depends on shop.missing, which is not in dag",
      ],
      [
        {
          tables: [
            { table: orders, dependsOn: [items], extraArgs: [] },
            { table: items, dependsOn: [orders], extraArgs: [] },
          ],
        },
        "shop.orders -> shop.items -> shop.orders",
      ],
      [
        {
          tables: [
            { table: { schema: "shop", table: "a$b" }, dependsOn: [], extraArgs: [] },
            { table: { schema: "shop", table: "a_b" }, dependsOn: [], extraArgs: [] },
          ],
        },
        'both become Airflow task "shop.a_b"',
      ],
      [{ envFromConnections: { "SLUICE-URL": "x" } }, "not an environment variable name"],
      [
        { kubernetes: { image: "sluice:1" }, envFromConnections: { SLUICE_SOURCE_URL: "mysql" } },
        "--kubernetes-secret",
      ],
      [{ commonArgs: ["--target", "postgres://loader@warehouse/analytics"] }, "SLUICE_TARGET_URL"],
      [{ commonArgs: ["--lake=s3://bucket/raw"] }, "SLUICE_LAKE_URL"],
      [
        {
          tables: [
            { table: orders, dependsOn: [], extraArgs: ["--strategy-option=dsn=mysql://etl:s3cret@db/x"] },
          ],
        },
        "holds a password in a URL",
      ],
    ];
    for (const [overrides, fix] of cases) {
      const result = generateDag({ ...base, ...overrides });
      expect(result._unsafeUnwrapErr().message).toContain(fix);
      expect(result._unsafeUnwrapErr().kind).toBe("config");
    }
  });
});

describe("sluice-airflow dag", () => {
  it("prints the DAG built from flags; regenerating prints the same text", async () => {
    const args = [
      ...[
        "dag",
        "--dag-id",
        "sluice_shop",
        "-t",
        "shop.orders",
        "-t",
        "shop.items",
        "--depends-on",
        "shop.items=shop.orders",
      ],
      ...["--table-arg", "shop.items=--strategy=id", "--arg=--verify-data", "--schedule", "@hourly"],
      ...[
        "--env-from-connection",
        "SLUICE_SOURCE_URL=sluice_mysql",
        "--sluice-command",
        "node /opt/sluice/main.js",
      ],
    ];
    const first = await bridge(args);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect((await bridge(args)).stdout).toBe(first.stdout);
    expect(first.stdout).toContain('DAG_ID = "sluice_shop"');
    expect(first.stdout).toContain("max_active_tasks=2,");
    expect(first.stdout).toContain('schedule="@hourly",');
    expect(first.stdout).toContain('SLUICE_COMMAND = ["node", "/opt/sluice/main.js"]');
    expect(first.stdout).toContain('ENV_FROM_CONNECTIONS = {"SLUICE_SOURCE_URL": "sluice_mysql"}');
    expect(first.stdout).toContain(
      '"args": ["sync", "--table", "shop.items", "--json", "--verify-data", "--strategy=id"], "depends_on": ["shop.orders"]',
    );
  });

  it("exits 2 naming the flag for malformed input", async () => {
    const cases: [string[], string][] = [
      [["dag", "--dag-id", "x"], "name at least one table with -t schema.table, or pass -p"],
      [["dag", "-t", "orders", "--dag-id", "x"], "schema-qualified"],
      [["dag", "-t", "shop.orders"], "--dag-id"],
      [["dag", "-t", "shop.orders", "--dag-id", "x", "--depends-on", "shop.orders"], "table=upstream"],
      [
        ["dag", "-t", "shop.orders", "--dag-id", "x", "--table-arg", "shop.other=--limit=5"],
        "not in the DAG",
      ],
      [["dag", "-t", "shop.orders", "--dag-id", "x", "--retries", "many"], "whole number"],
      [["dag", "-t", "shop.orders", "--dag-id", "x", "--kubernetes-secret", "s"], "--kubernetes-image"],
    ];
    for (const [args, message] of cases) {
      const outcome = await bridge(args);
      expect(outcome.stderr).toContain(message);
      expect(outcome.code).toBe(2);
      expect(outcome.stdout).toBe("");
    }
  });

  it("-p: tables, parallel and depends_on from the pipeline file, loaded as sync loads it", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "sluice-airflow-pipeline-"));
    onTestFinished(() => rm(cwd, { recursive: true, force: true }));
    await mkdir(join(cwd, "pipelines"));
    await writeFile(
      join(cwd, "pipelines", "shop.yml"),
      [
        "parallel: 3",
        "connections:",
        "  source:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the pipeline file's own ${VAR} syntax
        "    url: ${SHOP_SOURCE_URL}",
        "tables:",
        "  - shop.orders",
        "  - table: shop.items",
        "    depends_on: [shop.orders]",
        "    strategy: id",
        "  - table: shop.archive",
        "    enabled: false",
        "  - table: audit.events",
        "",
      ].join("\n"),
    );
    const env = { SHOP_SOURCE_URL: "mysql://etl:s3cret@db.internal:3306/shop" };
    const all = await bridge(["dag", "-p", "shop"], cwd, env);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('DAG_ID = "sluice_shop"');
    expect(all.stdout).toContain("max_active_tasks=3,");
    expect(all.stdout).not.toContain("s3cret");
    expect(all.stdout).not.toContain("db.internal");
    const tables = all.stdout.split("\n").filter((line) => line.startsWith('    {"task_id"'));
    expect(tables).toEqual([
      '    {"task_id": "shop.orders", "table": "shop.orders", "args": ["sync", "-p", "shop", "--table", "shop.orders", "--json"], "depends_on": []},',
      '    {"task_id": "shop.items", "table": "shop.items", "args": ["sync", "-p", "shop", "--table", "shop.items", "--json"], "depends_on": ["shop.orders"]},',
      '    {"task_id": "audit.events", "table": "audit.events", "args": ["sync", "-p", "shop", "--table", "audit.events", "--json"], "depends_on": []},',
    ]);

    // -t picks by name or glob, as sync -p does; the worker may find the file elsewhere.
    const picked = await bridge(
      ["dag", "-p", "shop", "-t", "shop.*", "--worker-pipeline", "/opt/etl/shop.yml"],
      cwd,
      env,
    );
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain(
      '"args": ["sync", "-p", "/opt/etl/shop.yml", "--table", "shop.items", "--json"]',
    );
    expect(picked.stdout).not.toContain("audit.events");

    // The file is checked as sync checks it: an unset variable is named, with the way out.
    const unset = await bridge(["dag", "-p", "shop"], cwd, {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("SHOP_SOURCE_URL");
    expect(unset.stderr).toContain("any value will do");
  });
});
