import { errAsync, ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";

/**
 * How a transient fault (dropped connection, timeout, S3 503/SlowDown, lock-wait
 * timeout, deadlock) is tried again inside the run. Only errors marked
 * `retryable: true` are retried; terminal ones (wrong password, unknown table, bad
 * SQL) fail at once. Delays grow exponentially from `baseDelayMs` up to
 * `maxDelayMs` with full jitter, so runs that failed together do not retry together.
 */
export interface RetryPolicy {
  /** Tries after the first one; 0 disables retrying. */
  readonly attempts: number;
  /** Upper bound of the first delay. */
  readonly baseDelayMs: number;
  /** No delay is longer than this. */
  readonly maxDelayMs: number;
}

/** 4 tries in all, waiting up to 0.5 s, 1 s, 2 s: a blip is absorbed, an outage fails within seconds. */
export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Retrying disabled (one try). */
export const noRetry: RetryPolicy = { attempts: 0, baseDelayMs: 0, maxDelayMs: 0 };

/** What `onRetry` hears before each wait: the failure, which retry this is (1-based) and the wait. */
export interface RetryEvent {
  readonly error: SluiceError;
  readonly retry: number;
  readonly delayMs: number;
}

export interface RetryHooks {
  /** Told before each wait, so the caller counts and logs the retry. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Injected for tests; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; defaults to Math.random. */
  readonly random?: () => number;
  /**
   * A further condition for retrying a retryable error, e.g. "nothing was committed
   * yet" when a repeat after that point would no longer be safe. Default: always.
   */
  readonly retryIf?: (error: SluiceError) => boolean;
}

/**
 * The wait before retry number `retry` (1-based): uniform in
 * [0, min(maxDelayMs, baseDelayMs * 2^(retry-1))] ("full jitter").
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * Math.max(0, ceiling));
}

/** True when `error` may succeed on another try and the policy has one left after `retriesSoFar`. */
export function shouldRetry(policy: RetryPolicy, error: SluiceError, retriesSoFar: number): boolean {
  return error.retryable && retriesSoFar < policy.attempts;
}

/**
 * Runs `work` and, while it fails with a retryable SluiceError and the policy has
 * tries left, waits and runs it again. `work` is called afresh each time, so it must
 * be safe to repeat (the caller decides the granularity that keeps that true).
 */
export function retryAsync<T>(
  policy: RetryPolicy,
  work: (attempt: number) => ResultAsync<T, SluiceError>,
  hooks: RetryHooks = {},
): ResultAsync<T, SluiceError> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempt = (retries: number): ResultAsync<T, SluiceError> =>
    work(retries + 1).orElse((error) => {
      if (!shouldRetry(policy, error, retries) || hooks.retryIf?.(error) === false) return errAsync(error);
      const delayMs = retryDelayMs(policy, retries + 1, hooks.random);
      hooks.onRetry?.({ error, retry: retries + 1, delayMs });
      return ResultAsync.fromSafePromise(sleep(delayMs)).andThen(() => attempt(retries + 1));
    });
  return attempt(0);
}

/** Checks a policy given by an operator; null when valid, else what is wrong. */
export function invalidRetryPolicy(policy: RetryPolicy): string | null {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 0) {
    return `retry attempts must be a whole number >= 0 (0 disables retrying), got ${policy.attempts}`;
  }
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) {
    return `retry base delay must be a number of milliseconds >= 0, got ${policy.baseDelayMs}`;
  }
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.baseDelayMs) {
    return `retry max delay must be a number of milliseconds >= the base delay (${policy.baseDelayMs}), got ${policy.maxDelayMs}`;
  }
  return null;
}
