import {
  configError,
  defaultRetryPolicy,
  invalidRetryPolicy,
  type RetryPolicy,
  type SluiceError,
} from "@sluice/core";
import type { Command } from "commander";
import { wholeNumberAtLeastZero } from "./flag-parsers.js";

/**
 * `--retry-*` as commander hands them over, already checked whole numbers >= 0
 * (pipeline files map `retry:`, numbers checked by the file schema, onto these names).
 */
export interface RetryFlags {
  retryAttempts?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/** The retry flags of `sync` (docs/retries.md). */
export function addRetryOptions(command: Command): Command {
  return command
    .option(
      "--retry-attempts <n>",
      `retries of a transient failure (dropped connection, timeout, S3 503/SlowDown, lock-wait timeout) inside the run; 0 disables (default ${defaultRetryPolicy.attempts})`,
      wholeNumberAtLeastZero("--retry-attempts"),
    )
    .option(
      "--retry-base-delay-ms <ms>",
      `first backoff bound; doubled each retry, full jitter (default ${defaultRetryPolicy.baseDelayMs})`,
      wholeNumberAtLeastZero("--retry-base-delay-ms"),
    )
    .option(
      "--retry-max-delay-ms <ms>",
      `longest backoff (default ${defaultRetryPolicy.maxDelayMs})`,
      wholeNumberAtLeastZero("--retry-max-delay-ms"),
    );
}

/** The run's retry policy: the defaults, overridden flag by flag. */
export function retryPolicyFrom(flags: RetryFlags): RetryPolicy | SluiceError {
  const values: Record<keyof RetryPolicy, number> = {
    attempts: flags.retryAttempts ?? defaultRetryPolicy.attempts,
    baseDelayMs: flags.retryBaseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: flags.retryMaxDelayMs ?? defaultRetryPolicy.maxDelayMs,
  };
  // A max below a given base would be refused; a base above the default max lifts it.
  if (flags.retryMaxDelayMs === undefined && values.maxDelayMs < values.baseDelayMs) {
    values.maxDelayMs = values.baseDelayMs;
  }
  const problem = invalidRetryPolicy(values);
  return problem
    ? configError(`${problem}; fix --retry-attempts / --retry-base-delay-ms / --retry-max-delay-ms`)
    : values;
}

/** The S3 client retries by itself: one try plus the policy's retries, so nothing is retried twice. */
export function s3AttemptsFor(policy: RetryPolicy): number {
  return policy.attempts + 1;
}
