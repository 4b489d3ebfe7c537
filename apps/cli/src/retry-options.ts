import {
  configError,
  defaultRetryPolicy,
  invalidRetryPolicy,
  type RetryPolicy,
  type SluiceError,
} from "@sluice/core";
import type { Command } from "commander";
import { flagValue, wholeNumberAtLeastZero } from "./flag-parsers.js";

/**
 * `--retry-*` as commander hands them over, already checked whole numbers >= 0
 * (pipeline files map `retry:` onto these names).
 */
export interface RetryFlags {
  retryAttempts?: number | string;
  retryBaseDelayMs?: number | string;
  retryMaxDelayMs?: number | string;
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
  const values: Record<keyof RetryPolicy, number> = { ...defaultRetryPolicy };
  const given: [keyof RetryPolicy, string, number | string | undefined][] = [
    ["attempts", "--retry-attempts", flags.retryAttempts],
    ["baseDelayMs", "--retry-base-delay-ms", flags.retryBaseDelayMs],
    ["maxDelayMs", "--retry-max-delay-ms", flags.retryMaxDelayMs],
  ];
  for (const [field, flag, text] of given) {
    const checked = flagValue(wholeNumberAtLeastZero(flag), text);
    if ("error" in checked) return checked.error;
    if (checked.value !== undefined) values[field] = checked.value;
  }
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
