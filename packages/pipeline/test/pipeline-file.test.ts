// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline files spell variables ${VAR}; these strings are such files
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPipelineFile, parsePipelineFile, pipelineFilePath, selectTables } from "../src/index.js";

const example = `
name: shop
connections:
  source:
    url: mysql://etl:\${DB_PASSWORD}@db.internal:3306/shop
  lake:
    url: s3://lake/raw
    region: eu-west-1
  target:
    host: cluster.example.com
    user: loader
    password: \${REDSHIFT_PASSWORD}
    database: analytics
    schema: public
parallel: \${WORKERS:-3}
retry:
  attempts: 5
defaults:
  page_size: 20000
  write_mode: merge
tables:
  - shop.orders
  - table: shop.events
    write_mode: append
    sort_key: [created_at, id]
    encode: { note: zstd }
    strategy_options: { lookback_minutes: 10 }
    verify_data: true
  - table: shop.archive
    enabled: false
`;

describe("pipeline files", () => {
  it("parses connections, defaults and tables; ${VAR} from the environment, with fallbacks", () => {
    const parsed = parsePipelineFile(example, "pipelines/shop.yml", {
      DB_PASSWORD: "s3cret",
      REDSHIFT_PASSWORD: "p@ss",
    });
    const file = parsed._unsafeUnwrap();
    expect(file.name).toBe("shop");
    expect(file.content.parallel).toBe(3);
    expect(file.content.retry).toEqual({ attempts: 5 });
    expect(file.content.connections?.source?.url).toBe("mysql://etl:s3cret@db.internal:3306/shop");
    expect(file.content.defaults).toEqual({ page_size: "20000", write_mode: "merge" });
    const [orders, events, archive] = file.content.tables;
    expect(orders).toEqual({ table: "shop.orders" });
    expect(events).toMatchObject({
      table: "shop.events",
      write_mode: "append",
      sort_key: "created_at,id",
      encode: "note=zstd",
      strategy_options: ["lookback_minutes=10"],
      verify_data: true,
    });
    expect(archive?.enabled).toBe(false);
    // Both passwords came from variables: nothing to warn about.
    expect(file.warnings).toEqual([]);
  });

  it("names file:line:column, the key, the value and the fix for a bad value", () => {
    const text = "tables:\n  - table: shop.orders\n    write_mode: apend\n";
    const problem = parsePipelineFile(text, "p.yml", {})._unsafeUnwrapErr();
    expect(problem.kind).toBe("config");
    expect(problem.message).toContain("p.yml:3:17");
    expect(problem.message).toContain("tables.0.write_mode");
    expect(problem.message).toContain('"apend"');
    expect(problem.message).toMatch(/merge.*append.*replace/);
  });

  it("takes nul_in_text per table and refuses a policy it does not know", () => {
    const good = parsePipelineFile("tables:\n  - table: shop.notes\n    nul_in_text: replace\n", "p.yml", {});
    expect(good._unsafeUnwrap().content.tables[0]).toMatchObject({ nul_in_text: "replace" });
    const bad = parsePipelineFile("tables:\n  - table: shop.notes\n    nul_in_text: keep\n", "p.yml", {});
    const problem = bad._unsafeUnwrapErr();
    expect(problem.message).toContain("tables.0.nul_in_text");
    expect(problem.message).toMatch(/fail.*strip.*replace/);
  });

  it("refuses an unknown key and suggests the near one", () => {
    const text = "tables:\n  - table: shop.orders\n    write_mod: append\n";
    const problem = parsePipelineFile(text, "p.yml", {})._unsafeUnwrapErr();
    expect(problem.message).toContain("p.yml:3:5");
    expect(problem.message).toContain("tables.0.write_mod is not a known key");
    expect(problem.message).toContain("did you mean write_mode?");
  });

  it("names an unset variable with its position and the ways to set it", () => {
    const text = "connections:\n  lake:\n    url: s3://${BUCKET}/raw\ntables: [shop.orders]\n";
    const problem = parsePipelineFile(text, "p.yml", {})._unsafeUnwrapErr();
    expect(problem.message).toContain("p.yml:3:10");
    expect(problem.message).toContain("${BUCKET}");
    expect(problem.message).toContain("export BUCKET");
  });

  it("reports YAML syntax errors with their position", () => {
    const problem = parsePipelineFile("tables:\n  - shop.orders\n bad: [\n", "p.yml", {})._unsafeUnwrapErr();
    expect(problem.message).toMatch(/p\.yml:\d+:\d+: .*\(YAML syntax\)/);
  });

  it("refuses a table listed twice and an unqualified table name", () => {
    const twice = parsePipelineFile("tables: [shop.a, SHOP.A]\n", "p.yml", {})._unsafeUnwrapErr();
    expect(twice.message).toContain("listed twice");
    const bare = parsePipelineFile("tables: [orders]\n", "p.yml", {})._unsafeUnwrapErr();
    expect(bare.message).toContain("schema.table");
  });

  it("warns about literal passwords but not about interpolated ones", () => {
    const text = [
      "connections:",
      "  source:",
      "    url: mysql://etl:hunter2@db:3306/shop",
      "  target:",
      "    url: postgres://loader:${PG_PASSWORD}@wh:5432/dw",
      "tables: [shop.orders]",
    ].join("\n");
    const file = parsePipelineFile(text, "p.yml", { PG_PASSWORD: "x" })._unsafeUnwrap();
    expect(file.warnings).toHaveLength(1);
    expect(file.warnings[0]).toContain("p.yml:3:10");
    expect(file.warnings[0]).toContain("connections.source.url");
    expect(file.warnings[0]).not.toContain("hunter2");
  });

  it("selects tables by exact name or glob; a pattern matching nothing is an error", () => {
    const file = parsePipelineFile(example, "p.yml", {
      DB_PASSWORD: "a",
      REDSHIFT_PASSWORD: "b",
    })._unsafeUnwrap();
    const names = (patterns: string[]) =>
      selectTables(file.content.tables, patterns, "p.yml").map((tables) =>
        tables.map((entry) => entry.table),
      );
    expect(names([])._unsafeUnwrap()).toEqual(["shop.orders", "shop.events"]);
    expect(names(["shop.*"])._unsafeUnwrap()).toEqual(["shop.orders", "shop.events"]);
    expect(names(["shop.archive"])._unsafeUnwrap()).toEqual(["shop.archive"]);
    expect(names(["SHOP.ORDERS"])._unsafeUnwrap()).toEqual(["shop.orders"]);
    const typo = names(["shop.order"])._unsafeUnwrapErr();
    expect(typo.message).toContain("did you mean shop.orders");
  });

  it("finds pipelines/<name>.yml or .yaml, and loads it from disk", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-pipeline-"));
    await writeFile(join(dir, "x.yml"), "tables: [a.b]\n");
    expect(pipelineFilePath("shop", dir)).toBe(join(dir, "pipelines", "shop.yml"));
    expect(pipelineFilePath("./x.yml", dir)).toBe(join(dir, "x.yml"));
    const loaded = await loadPipelineFile(join(dir, "x.yml"), {});
    expect(loaded._unsafeUnwrap().name).toBe("x");
    const missing = await loadPipelineFile(join(dir, "none.yml"), {});
    expect(missing._unsafeUnwrapErr().message).toContain("does not exist");
  });
});
