import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  invalidRetryPolicy,
  type RetryEvent,
  retryAsync,
  retryDelayMs,
  type SluiceError,
  sluiceError,
} from "../src/index.js";

const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 250 };
const dropped = sluiceError("connection", "dropped", { retryable: true });
const denied = sluiceError("auth", "denied", { retryable: false });

function recorder() {
  const waits: number[] = [];
  const events: RetryEvent[] = [];
  return {
    waits,
    events,
    hooks: {
      sleep: async (ms: number) => {
        waits.push(ms);
      },
      random: () => 1,
      onRetry: (event: RetryEvent) => events.push(event),
    },
  };
}

describe("retryDelayMs", () => {
  it("doubles from the base delay, capped, with full jitter", () => {
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 0.999999))).toEqual([
      99, 199, 249, 249,
    ]);
    expect(retryDelayMs(policy, 3, () => 0)).toBe(0);
    expect(retryDelayMs(policy, 2, () => 0.5)).toBe(100);
  });
});

describe("retryAsync", () => {
  it("retries a retryable error until the work succeeds, telling onRetry each time", async () => {
    const { waits, events, hooks } = recorder();
    const failures: SluiceError[] = [dropped, dropped];
    const attempts: number[] = [];
    const result = await retryAsync(
      policy,
      (attempt) => {
        attempts.push(attempt);
        const failure = failures.shift();
        return failure ? errAsync(failure) : okAsync("done");
      },
      hooks,
    );
    expect(result._unsafeUnwrap()).toBe("done");
    expect(attempts).toEqual([1, 2, 3]);
    expect(events.map((event) => event.retry)).toEqual([1, 2]);
    expect(waits).toEqual([100, 200]);
  });

  it("gives up after the policy's attempts and returns the last error", async () => {
    const { events, hooks } = recorder();
    let calls = 0;
    const result = await retryAsync(
      policy,
      () => {
        calls += 1;
        return errAsync(sluiceError("connection", `dropped ${calls}`, { retryable: true }));
      },
      hooks,
    );
    expect(calls).toBe(4);
    expect(events).toHaveLength(3);
    expect(result._unsafeUnwrapErr().message).toBe("dropped 4");
  });

  it("does not retry a terminal error", async () => {
    const { events, hooks } = recorder();
    let calls = 0;
    const result = await retryAsync(
      policy,
      () => {
        calls += 1;
        return errAsync(denied);
      },
      hooks,
    );
    expect(calls).toBe(1);
    expect(events).toHaveLength(0);
    expect(result._unsafeUnwrapErr()).toBe(denied);
  });

  it("attempts 0 disables retrying", async () => {
    const { hooks } = recorder();
    let calls = 0;
    await retryAsync(
      { ...policy, attempts: 0 },
      () => {
        calls += 1;
        return errAsync(dropped);
      },
      hooks,
    );
    expect(calls).toBe(1);
  });
});

describe("invalidRetryPolicy", () => {
  it("names what is wrong", () => {
    expect(invalidRetryPolicy(policy)).toBeNull();
    expect(invalidRetryPolicy({ ...policy, attempts: -1 })).toMatch(/attempts/);
    expect(invalidRetryPolicy({ ...policy, attempts: 1.5 })).toMatch(/attempts/);
    expect(invalidRetryPolicy({ ...policy, baseDelayMs: -5 })).toMatch(/base delay/);
    expect(invalidRetryPolicy({ ...policy, maxDelayMs: 50 })).toMatch(/max delay/);
  });
});
