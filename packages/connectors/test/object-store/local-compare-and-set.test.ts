import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalObjectStore } from "../../src/object-store/index.js";

const run = promisify(execFile);
let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sluice-local-cas-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

// Separate Node processes race through the built package (dist/, kept fresh by
// `pnpm -r run build` / scripts/test.sh): threads of one process would share the
// event loop and could not show that the lock file works between processes.
const connectorsDist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** Runs `body` (an async function body with `store`, `key`, `startAt` in scope) in a fresh node process. */
async function inChildProcess(
  directory: string,
  key: string,
  startAt: number,
  body: string,
): Promise<unknown> {
  const script = `
    const { createLocalObjectStore } = await import(${JSON.stringify(connectorsDist)});
    const store = createLocalObjectStore({ directory: ${JSON.stringify(directory)} });
    const key = ${JSON.stringify(key)};
    const startAt = ${startAt};
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
    const result = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(result));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "--eval", script]);
  return JSON.parse(stdout);
}

describe("local object store compare-and-set between processes", () => {
  it("of three processes creating the same 30 keys with ifNoneMatch, exactly one wins each key", async () => {
    const directory = join(root, "create-race");
    const keys = 30;
    const startAt = Date.now() + 700; // all three have loaded by then
    const wonBy = (await Promise.all(
      [0, 1, 2].map((writer) =>
        inChildProcess(
          directory,
          "state",
          startAt,
          `const won = [];
           for (let index = 0; index < ${keys}; index++) {
             // meet the other writers at each key: one attempt every 20 ms
             await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt + index * 20 - Date.now())));
             const put = await store.put(key + "/" + index + ".json", "writer ${writer}", { ifNoneMatch: true });
             if (put.isOk()) won.push(index);
             else if (put.error.kind !== "conflict") throw new Error(put.error.message);
           }
           return won;`,
        ),
      ),
    )) as number[][];
    const store = createLocalObjectStore({ directory });
    for (let index = 0; index < keys; index++) {
      const winners = [0, 1, 2].filter((writer) => wonBy[writer]?.includes(index));
      expect(winners, `key ${index}`).toHaveLength(1);
      const stored = (await store.get(`state/${index}.json`))._unsafeUnwrap();
      expect(Buffer.from(stored ?? []).toString()).toBe(`writer ${winners[0]}`);
    }
  });

  it("two processes incrementing one counter by read + ifMatch put lose no update", async () => {
    const directory = join(root, "counter");
    const store = createLocalObjectStore({ directory });
    await store.put("counter.json", JSON.stringify({ n: 0 }));
    const rounds = 40;
    const startAt = Date.now() + 700;
    const increment = `
      let wins = 0, conflicts = 0;
      while (wins < ${rounds}) {
        const read = (await store.getVersioned(key))._unsafeUnwrap();
        const n = JSON.parse(Buffer.from(read.body).toString()).n;
        const put = await store.put(key, JSON.stringify({ n: n + 1 }), { ifMatch: read.version });
        if (put.isOk()) wins++;
        else if (put.error.kind === "conflict") conflicts++;
        else throw new Error(put.error.message);
      }
      return { wins, conflicts };`;
    const results = (await Promise.all(
      [0, 1].map(() => inChildProcess(directory, "counter.json", startAt, increment)),
    )) as { wins: number; conflicts: number }[];
    const final = JSON.parse(Buffer.from((await store.get("counter.json"))._unsafeUnwrap() ?? []).toString());
    // Every successful compare-and-set counted exactly once: no lost update.
    expect(final.n).toBe(2 * rounds);
    expect(results.map((result) => result.wins)).toEqual([rounds, rounds]);
    // The processes really raced (else this test would prove nothing).
    expect(results.reduce((sum, result) => sum + result.conflicts, 0)).toBeGreaterThan(0);
    expect((await readdir(directory)).filter((name) => name.includes(".sluice-tmp-"))).toEqual([]);
  });
});

describe("local object store lock file", () => {
  it("breaks a lock file left by a crashed writer once it is stale", async () => {
    const directory = join(root, "stale");
    const store = createLocalObjectStore({ directory, lock: { staleAfterMs: 2_000, timeoutMs: 10_000 } });
    await store.put("k.json", "v1");
    const version = (await store.getVersioned("k.json"))._unsafeUnwrap()?.version ?? "";
    const lockFile = join(directory, ".k.json.sluice-tmp-lock");
    await writeFile(lockFile, "crashed-host pid 1\n");
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile, old, old);
    const put = await store.put("k.json", "v2", { ifMatch: version });
    expect(put.isOk()).toBe(true);
    expect(await readdir(directory)).toEqual(["k.json"]);
  });

  it("waits for a live lock and gives up with a retryable error naming the lock file", async () => {
    const directory = join(root, "held");
    const store = createLocalObjectStore({ directory, lock: { staleAfterMs: 60_000, timeoutMs: 300 } });
    await store.put("k.json", "v1");
    const lockFile = join(directory, ".k.json.sluice-tmp-lock");
    await writeFile(lockFile, "other-host pid 2\n");
    const started = Date.now();
    const error = (await store.put("k.json", "v2", { ifNoneMatch: true }))._unsafeUnwrapErr();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error).toMatchObject({ kind: "stage", retryable: true });
    expect(error.message).toContain(lockFile);
    await rm(lockFile);
    // once the holder is gone the condition is checked again (and fails: the key exists)
    expect((await store.put("k.json", "v2", { ifNoneMatch: true }))._unsafeUnwrapErr().kind).toBe("conflict");
  });
});
