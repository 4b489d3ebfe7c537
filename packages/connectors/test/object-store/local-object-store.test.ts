import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalObjectStore, openObjectStore, parseLakeUrl } from "../../src/object-store/index.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sluice-local-specific-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("local object store", () => {
  it("creates a missing lake directory when its parent exists", async () => {
    const store = createLocalObjectStore({ directory: join(root, "fresh-lake") });
    expect((await store.checkAccess()).isOk()).toBe(true);
    expect(await readdir(root)).toContain("fresh-lake");
  });

  it("refuses a lake directory whose parent is missing (likely a typo) with not_found", async () => {
    const directory = join(root, "no-parent", "lake");
    const error = (await createLocalObjectStore({ directory }).checkAccess())._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.message).toContain(directory);
    expect(error.message).toContain("SLUICE_LAKE_URL");
    expect(await readdir(root)).not.toContain("no-parent");
  });

  it("refuses a lake path that is a file", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "x");
    const error = (await createLocalObjectStore({ directory: file }).checkAccess())._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.message).toContain(file);
  });

  it("leaves no temp files behind and lists only final keys", async () => {
    const directory = join(root, "clean");
    const store = createLocalObjectStore({ directory });
    await store.put("t/a.json", "{}");
    await store.put("t/a.json", '{"v":2}');
    expect(await readdir(join(directory, "t"))).toEqual(["a.json"]);
    // A temp file left by a crashed writer is not an object.
    await writeFile(join(directory, "t", ".b.json.sluice-tmp-1-abcd"), "half");
    expect((await store.list("t/"))._unsafeUnwrap()).toEqual([{ key: "t/a.json", sizeBytes: 7 }]);
  });

  it("opens from a parsed file URL", async () => {
    const location = parseLakeUrl(`file://${join(root, "opened")}`)._unsafeUnwrap();
    const store = openObjectStore(location);
    expect(store.baseUri).toBe(`file://${join(root, "opened")}`);
    expect((await store.put("k", "v")).isOk()).toBe(true);
  });
});

// Tests run as root here, where every permission check passes, so a real EACCES
// cannot be provoked; the mapping itself is checked with the error Node would throw.
describe("local file error mapping", () => {
  it("maps permission errors to auth and missing paths to not_found, naming the path", async () => {
    const { localFileFailure } = await import("../../src/object-store/local-file-errors.js");
    const denied = localFileFailure(
      Object.assign(new Error("EACCES"), { code: "EACCES" }),
      "write",
      "/lake/x",
    );
    expect(denied).toMatchObject({ kind: "auth", retryable: false });
    expect(denied.message).toContain("/lake/x");
    expect(localFileFailure({ code: "ENOENT" }, "write", "/lake/y").kind).toBe("not_found");
    expect(localFileFailure({ code: "EMFILE" }, "write", "/lake/z").retryable).toBe(true);
  });
});
