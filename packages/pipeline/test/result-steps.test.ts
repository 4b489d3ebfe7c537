import { sluiceError } from "@sluice/core";
import { err, errAsync, ok, okAsync, safeTry } from "neverthrow";
import { describe, expect, it } from "vitest";
import { runSteps } from "../src/result-steps.js";

/**
 * The pipeline's one way to write an operation (ADR 0023): `runSteps`, neverthrow's
 * `safeTry` over an async generator, closing the generator on an Err so `finally`
 * blocks release what the body holds.
 */
describe("runSteps", () => {
  it("a failed step ends the body through its finally blocks, the error unchanged", async () => {
    const refused = sluiceError("auth", "shop.orders: access denied for etl");
    const released: string[] = [];
    const outcome = await runSteps("syncing shop.orders", async function* () {
      try {
        const one = yield* okAsync(1);
        try {
          yield* errAsync(refused);
          return ok(`unreachable ${one}`);
        } finally {
          released.push("session");
        }
      } finally {
        released.push("lease");
      }
    });
    expect(released).toEqual(["session", "lease"]);
    expect(outcome._unsafeUnwrapErr()).toBe(refused);
  });

  it("a body that returns an Err also runs its finally blocks", async () => {
    let released = false;
    const outcome = await runSteps("syncing shop.orders", async function* () {
      try {
        yield* okAsync(1);
        return err(sluiceError("config", "shop.orders: bad setting"));
      } finally {
        released = true;
      }
    });
    expect(released).toBe(true);
    expect(outcome._unsafeUnwrapErr().kind).toBe("config");
  });

  it("turns a thrown non-SluiceError into an internal error naming the context; a thrown SluiceError passes unchanged", async () => {
    const bug = await runSteps("syncing shop.orders", async function* () {
      yield* okAsync(1);
      throw new TypeError("undefined is not a function");
    });
    expect(bug._unsafeUnwrapErr()).toMatchObject({
      kind: "internal",
      retryable: false,
      message: "syncing shop.orders: undefined is not a function",
    });
    const dropped = sluiceError("connection", "shop.orders: connection reset", { retryable: true });
    const thrown = await runSteps("syncing shop.orders", async function* () {
      yield* okAsync(1);
      throw dropped;
    });
    expect(thrown._unsafeUnwrapErr()).toBe(dropped);
  });

  it("returns the body's value when every step succeeds", async () => {
    const outcome = await runSteps("counting", async function* () {
      const a = yield* okAsync(2);
      const b = yield* ok(3);
      return ok(a * b);
    });
    expect(outcome._unsafeUnwrap()).toBe(6);
  });
});

describe("neverthrow safeTry (patched: patches/neverthrow@8.2.0.patch)", () => {
  it("closes the generator on an Err, so finally blocks run (unpatched 8.2.0 leaves it suspended)", async () => {
    let released = false;
    const outcome = await safeTry(async function* () {
      try {
        yield* errAsync(sluiceError("connection", "dropped"));
        return ok("unreachable");
      } finally {
        released = true;
      }
    });
    expect(outcome.isErr()).toBe(true);
    expect(released).toBe(true);
  });

  it("closes a synchronous generator too", () => {
    let released = false;
    const outcome = safeTry(function* () {
      try {
        yield* err("stop");
        return ok("unreachable");
      } finally {
        released = true;
      }
    });
    expect(outcome._unsafeUnwrapErr()).toBe("stop");
    expect(released).toBe(true);
  });
});
