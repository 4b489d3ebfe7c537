import { type ObjectStore, sluiceError } from "@sluice/core";
import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createWatermarkStore, type ExtractCommit, watermarkKey } from "../src/index.js";
import { interposeBeforePut, lakeBackends } from "./lake-backends.js";

const ref = { schema: "shop", table: "orders" };
const key = watermarkKey(ref);

function extract(runId: string, rowsTotal: number): ExtractCommit {
  return {
    strategy: "hybrid",
    cursorColumn: "updated_at",
    position: { cursorValue: `2024-05-0${rowsTotal % 9} 00:00:00`, keyValues: [String(rowsTotal)] },
    lastRunId: runId,
    manifestKey: `shop.orders/_manifests/${runId}.json`,
    rowsTotal,
    updatedAt: "2024-05-01T00:00:00.000Z",
  };
}

const text = async (store: ObjectStore) =>
  Buffer.from((await store.get(key))._unsafeUnwrap() ?? []).toString("utf8");

describe.each(lakeBackends)("watermark compare-and-set on $name", ({ open }) => {
  it("a write that slips in between this run's read and its write makes this write fail, not vanish", async () => {
    const lake = await open();
    const first = createWatermarkStore(lake);
    await first.recordExtract(ref, null, extract("run-1", 10), "run-1", 10);
    // Another process commits revision 2 after our read of revision 1 (the revision
    // check passes), right before our put: only the conditional put can catch it.
    const racing = interposeBeforePut(lake, key, async (raw) => {
      (
        await createWatermarkStore(raw).recordExtract(ref, 1, extract("other", 20), "other", 10)
      )._unsafeUnwrap();
    });
    const ours = await createWatermarkStore(racing).recordExtract(ref, 1, extract("ours", 30), "ours", 20);
    const error = ours._unsafeUnwrapErr();
    expect(error.kind).toBe("conflict");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("shop.orders");
    expect(error.message).toContain("between this run's read (revision 1) and its write");
    const stored = JSON.parse(await text(lake));
    expect(stored.revision).toBe(2);
    expect(stored.extract.lastRunId).toBe("other");
    lake.close?.();
  });

  it("an operator write without an expected revision re-reads and applies on top of the interposed one", async () => {
    const lake = await open();
    await createWatermarkStore(lake).recordExtract(ref, null, extract("run-1", 10), "run-1", 10);
    const racing = interposeBeforePut(lake, key, async (raw) => {
      (
        await createWatermarkStore(raw).recordExtract(ref, 1, extract("other", 20), "other", 10)
      )._unsafeUnwrap();
    });
    const reset = (await createWatermarkStore(racing).reset(ref))._unsafeUnwrap();
    expect(reset.revision).toBe(3);
    expect(reset.history.map((entry) => entry.event)).toEqual(["extract", "extract", "reset"]);
    expect(JSON.parse(await text(lake)).revision).toBe(3);
    lake.close?.();
  });

  it("reads every write back: a store that loses the write is reported, not trusted", async () => {
    const lake = await open();
    // Acknowledges the put but keeps nothing (a misbehaving gateway or a lake path
    // another process keeps overwriting): the read-back finds no such document.
    const forgetful: ObjectStore = {
      ...lake,
      put: (putKey, body, options) =>
        putKey === key
          ? lake.head(putKey).map(() => ({ key: putKey, sizeBytes: 0 }))
          : lake.put(putKey, body, options),
    };
    const error = (
      await createWatermarkStore(forgetful).recordExtract(ref, null, extract("run-1", 10), "run-1", 10)
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("conflict");
    expect(error.message).toContain("did not read back as written");
    lake.close?.();
  });

  it("a conflict answer to a write that did land (lost response, retried request) counts as success", async () => {
    const lake = await open();
    const lostAnswer: ObjectStore = {
      ...lake,
      put: (putKey, body, options) =>
        putKey === key
          ? lake
              .put(putKey, body, options)
              .andThen(() => errAsync(sluiceError("conflict", "412 on the SDK's retry")))
          : lake.put(putKey, body, options),
    };
    const written = await createWatermarkStore(lostAnswer).recordExtract(
      ref,
      null,
      extract("run-1", 10),
      "run-1",
      10,
    );
    expect(written._unsafeUnwrap().revision).toBe(1);
    expect(JSON.parse(await text(lake)).extract.lastRunId).toBe("run-1");
    lake.close?.();
  });
});
