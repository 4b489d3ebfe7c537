import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalObjectStore, createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWatermarkStore, type ExtractCommit, type WatermarkStore } from "../src/index.js";

const services = inject("sluiceServices");
let localDirectory = "";

beforeAll(async () => {
  localDirectory = await mkdtemp(join(tmpdir(), "sluice-watermarks-"));
});
afterAll(() => rm(localDirectory, { recursive: true, force: true }));

const backends: { name: string; open: () => ObjectStore }[] = [
  {
    name: "s3",
    open: () =>
      createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix: `watermarks-${randomUUID()}`,
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
      }),
  },
  { name: "local", open: () => createLocalObjectStore({ directory: localDirectory }) },
];

function extractAt(cursorValue: string, id: string, rowsTotal: number, runId: string): ExtractCommit {
  return {
    strategy: "hybrid",
    cursorColumn: "updated_at",
    position: { cursorValue, keyValues: [id] },
    lastRunId: runId,
    manifestKey: `shop/orders/_manifests/${runId}.json`,
    rowsTotal,
    updatedAt: "2024-05-01T12:00:00.000Z",
  };
}

describe.each(backends)("watermark store on $name", ({ open }) => {
  let objects: ObjectStore;
  let watermarks: WatermarkStore;
  let clock = Date.parse("2024-05-01T00:00:00.000Z");
  beforeAll(() => {
    objects = open();
    watermarks = createWatermarkStore(objects, {
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
    });
  });
  afterAll(() => objects.close?.());

  const rawJson = async (key: string) => {
    const bytes = (await objects.get(key))._unsafeUnwrap();
    return bytes === null ? null : JSON.parse(Buffer.from(bytes).toString("utf8"));
  };

  it("answers null for a table without state", async () => {
    expect((await watermarks.read({ schema: "shop", table: "never" }))._unsafeUnwrap()).toBeNull();
  });

  it("writes extract then load state and reads back what is stored at _state/<schema.table>/watermark.json", async () => {
    const ref = { schema: "shop", table: "orders" };
    const first = (
      await watermarks.recordExtract(
        ref,
        null,
        extractAt("2024-05-01 10:00:00", "7", 120, "run-1"),
        "run-1",
        120,
      )
    )._unsafeUnwrap();
    expect(first.revision).toBe(1);
    const second = (
      await watermarks.recordLoad(ref, 1, {
        lastRunId: "run-1",
        loadedAt: "2024-05-01T12:05:00.000Z",
        rowsTotal: 120,
      })
    )._unsafeUnwrap();
    expect(second.revision).toBe(2);

    const stored = await rawJson("_state/shop.orders/watermark.json");
    expect(stored).toEqual({
      version: 2,
      table: "shop.orders",
      revision: 2,
      createdAt: stored.history[0].at,
      updatedAt: stored.history[1].at,
      extract: {
        status: "committed",
        strategy: "hybrid",
        cursorColumn: "updated_at",
        position: { cursorValue: "2024-05-01 10:00:00", keyValues: ["7"] },
        ceiling: null,
        lastRunId: "run-1",
        manifestKey: "shop/orders/_manifests/run-1.json",
        rowsLastRun: 120,
        rowsTotal: 120,
        updatedAt: "2024-05-01T12:00:00.000Z",
      },
      load: {
        status: "loaded",
        lastRunId: "run-1",
        manifestKey: null,
        rowsLastRun: 120,
        loadedAt: "2024-05-01T12:05:00.000Z",
        rowsTotal: 120,
      },
      lastOverride: null,
      history: [
        {
          at: expect.any(String),
          event: "extract",
          runId: "run-1",
          position: { cursorValue: "2024-05-01 10:00:00", keyValues: ["7"] },
          rows: 120,
        },
        {
          at: expect.any(String),
          event: "load",
          runId: "run-1",
          position: { cursorValue: "2024-05-01 10:00:00", keyValues: ["7"] },
          rows: 120,
        },
      ],
    });
    expect(Date.parse(stored.history[1].at)).toBeGreaterThan(Date.parse(stored.history[0].at));
    expect((await watermarks.read(ref))._unsafeUnwrap()).toEqual(stored);

    // A second run: load history shows what that load added, not the running total.
    await watermarks.recordExtract(ref, 2, extractAt("2024-05-02 09:00:00", "9", 150, "run-2"), "run-2", 30);
    const fourth = (
      await watermarks.recordLoad(ref, 3, {
        lastRunId: "run-2",
        loadedAt: "2024-05-02T12:05:00.000Z",
        rowsTotal: 150,
      })
    )._unsafeUnwrap();
    expect(fourth.history.map((entry) => [entry.event, entry.runId, entry.rows])).toEqual([
      ["extract", "run-1", 120],
      ["load", "run-1", 120],
      ["extract", "run-2", 30],
      ["load", "run-2", 30],
    ]);
  });

  it("fails with conflict when the stored revision is not the expected one, and leaves the document alone", async () => {
    const ref = { schema: "shop", table: "conflicts" };
    await watermarks.recordExtract(ref, null, extractAt("2024-01-01 00:00:00", "1", 1, "r1"), "r1", 1);
    const before = await rawJson("_state/shop.conflicts/watermark.json");

    const again = await watermarks.recordExtract(
      ref,
      null,
      extractAt("2024-01-02 00:00:00", "2", 2, "r2"),
      "r2",
      1,
    );
    expect(again._unsafeUnwrapErr().kind).toBe("conflict");
    expect(again._unsafeUnwrapErr().message).toContain("shop.conflicts");
    expect(again._unsafeUnwrapErr().message).toContain("expected revision none, found 1");
    const stale = await watermarks.recordLoad(ref, 5, {
      lastRunId: "r1",
      loadedAt: "2024-01-01T00:00:00Z",
      rowsTotal: 1,
    });
    expect(stale._unsafeUnwrapErr().kind).toBe("conflict");
    expect(await rawJson("_state/shop.conflicts/watermark.json")).toEqual(before);
  });

  it("lets exactly one of two concurrent writers planned from the same revision win", async () => {
    const ref = { schema: "shop", table: "race" };
    await watermarks.recordExtract(ref, null, extractAt("2024-01-01 00:00:00", "1", 1, "r1"), "r1", 1);
    const outcomes = await Promise.all(
      ["a", "b", "c"].map((runId) =>
        watermarks.recordExtract(ref, 1, extractAt("2024-01-02 00:00:00", "2", 2, runId), runId, 1),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.isOk())).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.isErr() && outcome.error.kind === "conflict")).toHaveLength(
      2,
    );
    expect((await rawJson("_state/shop.race/watermark.json")).revision).toBe(2);
  });

  it("reports corrupt or invalid documents as kind watermark naming the key and the fix, and repairs them with reset", async () => {
    const ref = { schema: "shop", table: "broken" };
    const key = "_state/shop.broken/watermark.json";
    await objects.put(key, '{"version": 1, "table": "shop.broken", "revision": 4, "extract": ');
    const unreadable = (await watermarks.read(ref))._unsafeUnwrapErr();
    expect(unreadable.kind).toBe("watermark");
    expect(unreadable.message).toContain(objects.uriFor(key));
    expect(unreadable.message).toContain("sluice watermark reset shop.broken");
    expect(unreadable.message).not.toContain("\n");
    // Extraction must not run on top of state it cannot read.
    const blocked = await watermarks.recordExtract(
      ref,
      4,
      extractAt("2024-01-01 00:00:00", "1", 1, "r"),
      "r",
      1,
    );
    expect(blocked._unsafeUnwrapErr().kind).toBe("watermark");

    await objects.put(
      key,
      JSON.stringify({
        version: 1,
        table: "shop.broken",
        revision: "four",
        extract: null,
        load: null,
        history: [],
      }),
    );
    const invalid = (await watermarks.read(ref))._unsafeUnwrapErr();
    expect(invalid.kind).toBe("watermark");
    expect(invalid.message).toContain("revision");

    // Valid JSON with a readable revision but a broken body: reset keeps counting from it.
    await objects.put(
      key,
      JSON.stringify({
        version: 1,
        table: "shop.broken",
        revision: 7,
        extract: "garbage",
        load: null,
        history: [],
      }),
    );
    expect((await watermarks.read(ref))._unsafeUnwrapErr().message).toContain("extract");
    const reset = (await watermarks.reset(ref))._unsafeUnwrap();
    expect(reset).toMatchObject({ revision: 8, extract: null, load: null });
    expect(reset.history.map((entry) => entry.event)).toEqual(["reset"]);
    expect((await watermarks.read(ref))._unsafeUnwrap()?.revision).toBe(reset.revision);
  });

  it("refuses a document that describes another table", async () => {
    const source = { schema: "shop", table: "copied_from" };
    await watermarks.recordExtract(source, null, extractAt("2024-01-01 00:00:00", "1", 1, "r"), "r", 1);
    const bytes = (await objects.get("_state/shop.copied_from/watermark.json"))._unsafeUnwrap() ?? "";
    await objects.put("_state/shop.copied_to/watermark.json", bytes);
    const error = (await watermarks.read({ schema: "shop", table: "copied_to" }))._unsafeUnwrapErr();
    expect(error.kind).toBe("watermark");
    expect(error.message).toContain("shop.copied_from");
  });

  it("sets and resets positions, keeping history and counting revisions", async () => {
    const ref = { schema: "crm", table: "contacts" };
    const needsStrategy = await watermarks.set(ref, { cursorValue: "2024-01-01 00:00:00", keyValues: ["5"] });
    expect(needsStrategy._unsafeUnwrapErr().kind).toBe("config");

    const set = (
      await watermarks.set(
        ref,
        { cursorValue: "2024-01-01 00:00:00", keyValues: ["5"] },
        { strategy: "timestamp", cursorColumn: "modified", expectedRevision: null },
      )
    )._unsafeUnwrap();
    expect(set.revision).toBe(1);
    expect(set.extract?.strategy).toBe("timestamp");
    expect(set.extract?.cursorColumn).toBe("modified");

    const moved = (await watermarks.set(ref, { cursorValue: null, keyValues: ["9"] }))._unsafeUnwrap();
    expect(moved.extract?.strategy).toBe("timestamp");
    expect(moved.extract?.position).toEqual({ cursorValue: null, keyValues: ["9"] });

    const reset = (await watermarks.reset(ref, { expectedRevision: 2 }))._unsafeUnwrap();
    expect(reset).toMatchObject({ revision: 3, extract: null, load: null });
    expect(reset.history.map((entry) => entry.event)).toEqual(["set", "set", "reset"]);
    expect((await watermarks.reset(ref, { expectedRevision: 2 }))._unsafeUnwrapErr().kind).toBe("conflict");
  });

  it("rewinds extraction to the state a withdrawn run started from, keeping load state", async () => {
    const ref = { schema: "shop", table: "rewound" };
    const first = (
      await watermarks.recordExtract(ref, null, extractAt("2024-05-01 00:00:01", "1", 3, "r1"), "r1", 3)
    )._unsafeUnwrap();
    const loaded = (
      await watermarks.recordLoad(ref, first.revision, {
        lastRunId: "r1",
        rowsTotal: 3,
        loadedAt: "2024-05-01T12:00:00.000Z",
      })
    )._unsafeUnwrap();
    const second = (
      await watermarks.recordExtract(
        ref,
        loaded.revision,
        extractAt("2024-05-02 00:00:00", "7", 5, "r2"),
        "r2",
        2,
      )
    )._unsafeUnwrap();
    // Planned from an older revision: refused, nothing written.
    expect(
      (await watermarks.rewindExtract(ref, first.revision, first.extract, "r2"))._unsafeUnwrapErr().kind,
    ).toBe("conflict");
    const rewound = (
      await watermarks.rewindExtract(ref, second.revision, first.extract, "r2")
    )._unsafeUnwrap();
    expect(rewound.extract).toEqual(first.extract);
    expect(rewound.load).toEqual(loaded.load);
    expect(rewound.lastOverride).toMatchObject({
      event: "set",
      position: first.extract?.position,
      previousPosition: second.extract?.position,
    });
    expect(rewound.history.at(-1)).toMatchObject({
      event: "set",
      runId: "r2",
      position: first.extract?.position,
    });
    expect((await watermarks.read(ref))._unsafeUnwrap()).toEqual(rewound);
    // Back to no extraction at all (the first run withdrawn).
    const empty = (await watermarks.rewindExtract(ref, rewound.revision, null, "r1"))._unsafeUnwrap();
    expect(empty.extract).toBeNull();
    expect(empty.load).toEqual(loaded.load);
  });

  it("keeps only the last 50 history entries", async () => {
    const ref = { schema: "shop", table: "busy" };
    let revision: number | null = null;
    for (let run = 0; run < 60; run++) {
      const written = await watermarks.recordExtract(
        ref,
        revision,
        extractAt("2024-01-01 00:00:00", String(run), run, `run-${run}`),
        `run-${run}`,
        1,
      );
      revision = written._unsafeUnwrap().revision;
    }
    const stored = await rawJson("_state/shop.busy/watermark.json");
    expect(stored.revision).toBe(60);
    expect(stored.history).toHaveLength(50);
    expect(stored.history[0].runId).toBe("run-10");
    expect(stored.history[49].runId).toBe("run-59");
  });
});

describe("watermark list", () => {
  it.each(backends)(
    "lists every table's document on $name, ignoring other files under _state/",
    async ({ name, open }) => {
      const objects =
        name === "local"
          ? createLocalObjectStore({ directory: await mkdtemp(join(tmpdir(), "sluice-wm-list-")) })
          : open();
      const watermarks = createWatermarkStore(objects);
      const tables = ["zoo.animals", "app.users", "app.orders"];
      for (const text of tables) {
        const [schema, table] = text.split(".") as [string, string];
        await watermarks.recordExtract(
          { schema, table },
          null,
          extractAt("2024-01-01 00:00:00", "1", 3, "r"),
          "r",
          3,
        );
      }
      await objects.put("_state/README.txt", "not a watermark");
      await objects.put("_state/app.users/lease.json", "{}");
      const listed = (await watermarks.list())._unsafeUnwrap();
      expect(listed.map((document) => document.table)).toEqual([...tables].sort());
      objects.close?.();
      if (name === "local") {
        // the file really is where the docs say it is
        const path = join(fileURLToPath(objects.baseUri), "_state", "app.users", "watermark.json");
        expect(JSON.parse(await readFile(path, "utf8")).table).toBe("app.users");
      }
    },
  );
});
