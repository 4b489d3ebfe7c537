import { sluiceError } from "@sluice/core";
import { errAsync, ok, okAsync, safeTry } from "neverthrow";
import { describe, expect, it } from "vitest";
import { runAsResult, step } from "../src/result-steps.js";

/**
 * Why the pipeline keeps `runAsResult`/`step` around resource scopes and uses
 * neverthrow's `safeTry` only for straight-line steps (ADR 0023).
 */
describe("result steps", () => {
  it("runAsResult/step: a failed step ends the body through its finally blocks, the error unchanged", async () => {
    const refused = sluiceError("auth", "shop.orders: access denied for etl");
    let released = false;
    const outcome = await runAsResult("syncing shop.orders", async () => {
      try {
        await step(okAsync(1));
        await step(errAsync(refused));
        return "unreachable";
      } finally {
        released = true;
      }
    });
    expect(released).toBe(true);
    expect(outcome._unsafeUnwrapErr()).toBe(refused);
  });

  it("runAsResult turns a thrown non-SluiceError into an internal error naming the context", async () => {
    const outcome = await runAsResult("syncing shop.orders", async () => {
      throw new TypeError("undefined is not a function");
    });
    expect(outcome._unsafeUnwrapErr()).toMatchObject({
      kind: "internal",
      retryable: false,
      message: "syncing shop.orders: undefined is not a function",
    });
  });

  it("safeTry (neverthrow 8.2) leaves a finally block unrun when a step fails: no resource scopes in it", async () => {
    // If this starts failing, neverthrow now closes the generator on Err and safeTry
    // can take over resource scopes too: revisit ADR 0023.
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
    expect(released).toBe(false);
  });
});
