import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_info";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let store: ObjectStore;
let cwd: string;
let prefix: string;

interface InfoJson {
  sluice: string;
  node: string;
  checks: {
    name: string;
    status: string;
    latencyMs: number | null;
    serverVersion: string | null;
    timeZone: string | null;
    details: Record<string, unknown>;
    problems: { message: string; fix: string }[];
    warnings: { message: string; fix: string }[];
  }[];
}

const checkOf = (stdout: string, name: string) => {
  const found = (JSON.parse(stdout) as InfoJson).checks.find((check) => check.name === name);
  if (!found) throw new Error(`no ${name} check in ${stdout}`);
  return found;
};

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id BIGINT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    CREATE TABLE secrets (id BIGINT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    DROP USER IF EXISTS 'info_reader'@'%';
    CREATE USER 'info_reader'@'%' IDENTIFIED BY 'reader-pw';
    GRANT SELECT ON ${schema}.orders TO 'info_reader'@'%';`);
  const pg = await createTestPgClient(services.postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.query(`CREATE SCHEMA ${schema}`);
  await pg.query(`DROP ROLE IF EXISTS info_loader`);
  await pg.query(`CREATE ROLE info_loader LOGIN PASSWORD 'loader-pw'`);
  await pg.end();
  const { s3 } = services;
  prefix = `cli-info-${randomUUID().slice(0, 8)}`;
  store = createS3ObjectStore({
    bucket: s3.bucket,
    prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
  env = {
    INFO_SOURCE: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    INFO_LAKE: `s3://${s3.bucket}/${prefix}`,
    INFO_TARGET: services.postgres.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  cwd = await mkdtemp(join(tmpdir(), "sluice-info-"));
  await mkdir(join(cwd, "pipelines"));
  await writeFile(
    join(cwd, "pipelines", "shop.yml"),
    `name: shop
connections:
  source:
    url: \${INFO_SOURCE}
  lake:
    url: \${INFO_LAKE}
  target:
    url: \${INFO_TARGET}
tables:
  - ${schema}.orders
  - ${schema}.secrets
`,
  );
});
afterAll(async () => {
  await connection?.end();
  store?.close?.();
});

const run = (args: string[], extra: Record<string, string> = {}) => sluice(args, { ...env, ...extra }, cwd);

describe("sluice info (MariaDB, S3 stand-in, PostgreSQL)", () => {
  it("checks every connection of a pipeline: all green, and the lake probe leaves nothing behind", async () => {
    const info = await run(["info", "-p", "shop", "--json"]);
    expect(info.stderr).toBe("");
    expect(info.code).toBe(0);
    const document = JSON.parse(info.stdout) as InfoJson;
    expect(document.node).toBe(process.version);
    expect(document.sluice).toMatch(/^\d+\.\d+\.\d+/);
    expect(document.checks.map((check) => [check.name, check.status])).toEqual([
      ["source", "ok"],
      ["lake", "ok"],
      ["target", "ok"],
    ]);
    const source = checkOf(info.stdout, "source");
    expect(source.serverVersion).toMatch(/^MariaDB \d+\.\d+/);
    expect(source.latencyMs).toBeGreaterThanOrEqual(0);
    expect(source.timeZone).not.toBe("");
    expect(source.details.processPrivilege).toBe(true);
    const target = checkOf(info.stdout, "target");
    expect(target.serverVersion).toMatch(/PostgreSQL/);
    expect(target.timeZone).not.toBeNull();
    expect((await store.list("_state/"))._unsafeUnwrap()).toEqual([]);

    const text = await run(["info", "-p", "shop"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^source\s+OK\s+mysql:\/\/.*MariaDB/m);
    expect(text.stdout).toContain("all checks passed");
  });

  it("fails a wrong source password with its fix, and never prints the password", async () => {
    const bad = env.INFO_SOURCE?.replace(/:\/\/([^:]+):[^@]*@/, "://$1:wrong-pw-123@") as string;
    const info = await run(["info", "-p", "shop", "--json"], { INFO_SOURCE: bad });
    expect(info.code).toBe(2);
    const source = checkOf(info.stdout, "source");
    expect(source.status).toBe("fail");
    expect(source.problems[0]?.fix).toContain("check the user and password of the source");
    expect(checkOf(info.stdout, "lake").status).toBe("ok");
    expect(info.stdout).not.toContain("wrong-pw-123");
    const text = await run(["info", "-p", "shop"], { INFO_SOURCE: bad });
    expect(text.stdout).toMatch(/source\s+FAIL[\s\S]*fix: check the user and password/);
    expect(text.stdout).toContain("1 check(s) failed");
  });

  it("fails an unreachable lake with its fix (exit 3: retry later)", async () => {
    const info = await run(["info", "-p", "shop", "--json"], {
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1",
    });
    expect(info.code).toBe(3);
    const lake = checkOf(info.stdout, "lake");
    expect(lake.status).toBe("fail");
    expect(lake.problems[0]?.fix).toContain("s3:PutObject");
    expect(checkOf(info.stdout, "source").status).toBe("ok");
  }, 60_000);

  it("checks the source's bastion (latency) and a Redshift target's IAM role; a wrong host key fails with its fix", async () => {
    const services = inject("sluiceServices");
    const keyPath = join(cwd, "id_ed25519");
    await writeFile(keyPath, services.ssh.privateKey, { mode: 0o600 });
    const bastion = {
      SLUICE_SSH_BASTION: `ssh://${services.ssh.user}@${services.ssh.host}:${services.ssh.port}`,
      SLUICE_SSH_KEY_PATH: keyPath,
      SLUICE_SSH_HOST_KEY: services.ssh.hostKeyFingerprint,
      INFO_TARGET: services.redshift.url,
    };
    const info = await run(["info", "-p", "shop", "--json"], bastion);
    expect(info.stderr).toBe("");
    expect(info.code).toBe(0);
    expect((JSON.parse(info.stdout) as InfoJson).checks.map((check) => [check.name, check.status])).toEqual([
      ["source tunnel", "ok"],
      ["source", "ok"],
      ["lake", "ok"],
      ["target", "ok"],
    ]);
    expect(checkOf(info.stdout, "source tunnel").latencyMs).toBeGreaterThan(0);
    expect(checkOf(info.stdout, "target").details.iamRole).toBe(true);

    const noRole = services.redshift.url.replace(/[?&]iam_role=[^&]*/, "");
    const withoutRole = await run(["info", "-p", "shop", "--json"], { ...bastion, INFO_TARGET: noRole });
    expect(withoutRole.code).toBe(2);
    expect(checkOf(withoutRole.stdout, "target").problems[0]?.fix).toContain("--iam-role");

    const wrongPin = await run(["info", "-p", "shop", "--json"], {
      ...bastion,
      SLUICE_SSH_HOST_KEY: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    });
    expect(wrongPin.code).not.toBe(0);
    const tunnel = checkOf(wrongPin.stdout, "source tunnel");
    expect(tunnel.status).toBe("fail");
    expect(tunnel.problems[0]?.fix).toContain("--ssh-host-key");
    expect(checkOf(wrongPin.stdout, "source").status).toBe("skipped");
  });

  it("names missing grants: PROCESS (a warning), SELECT on a table, CREATE on the target schema", async () => {
    const services = inject("sluiceServices");
    const reader = `mysql://info_reader:reader-pw@${services.mysql.host}:${services.mysql.port}/${schema}`;
    const loader = services.postgres.url.replace(/:\/\/[^@]*@/, "://info_loader:loader-pw@");
    const info = await run(["info", "-p", "shop", "--json"], { INFO_SOURCE: reader, INFO_TARGET: loader });
    expect(info.code).toBe(2);
    const source = checkOf(info.stdout, "source");
    expect(source.status).toBe("fail");
    expect(source.warnings[0]?.message).toContain("PROCESS");
    expect(source.warnings[0]?.fix).toContain("GRANT PROCESS ON *.* TO 'info_reader'");
    expect(source.problems).toEqual([
      {
        message: `${schema}.secrets: SELECT denied`,
        fix: `GRANT SELECT ON ${schema}.secrets TO 'info_reader'@'%'`,
        exitCode: 2,
      },
    ]);
    const target = checkOf(info.stdout, "target");
    expect(target.status).toBe("fail");
    expect(target.problems.map((problem) => problem.fix)).toContain(
      `GRANT CREATE ON SCHEMA ${schema} TO info_loader`,
    );
  });
});
