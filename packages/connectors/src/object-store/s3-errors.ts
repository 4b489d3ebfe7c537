import { redactSecrets, type SluiceError, sluiceError } from "@sluice/core";

/** What a failed S3 call was doing, for the one-line message. */
export interface S3CallContext {
  readonly action: string;
  readonly bucket: string;
  /** Full object key (with the store prefix), when the call was about one object. */
  readonly key?: string;
  /** Printable endpoint: the configured URL or "AWS S3 (region from the SDK chain)". */
  readonly endpointLabel: string;
}

const authNames = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
  "AllAccessDisabled",
]);

const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
]);

/**
 * Maps an @aws-sdk/client-s3 failure to a SluiceError. SDK errors carry `name`
 * (the S3 error code), `$metadata.httpStatusCode`, and for network failures the Node
 * `code` (ECONNREFUSED...), sometimes only inside an AggregateError (happy eyeballs).
 * Messages never include the access key or secret: only the bucket, key and endpoint.
 */
export function s3Failure(thrown: unknown, context: S3CallContext): SluiceError {
  const name = stringField(thrown, "name") ?? "Error";
  const status = (thrown as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const networkCode = networkCodeOf(thrown);
  const where = context.key ? `s3://${context.bucket}/${context.key}` : `s3://${context.bucket}`;

  if (name === "NoSuchBucket") {
    return sluiceError(
      "not_found",
      `bucket '${context.bucket}' does not exist at ${context.endpointLabel}; create it or fix --lake / SLUICE_LAKE_URL`,
      { cause: thrown },
    );
  }
  if (authNames.has(name) || status === 401 || status === 403) {
    return sluiceError(
      "auth",
      `S3 refused to ${context.action} ${where} at ${context.endpointLabel} (${name}); check the access key and secret (AWS_PROFILE / AWS_ACCESS_KEY_ID) and the bucket policy`,
      { cause: thrown },
    );
  }
  if (networkCode || connectionCodes.has(name) || (status !== undefined && status >= 500)) {
    const reason = networkCode ?? (status !== undefined ? `HTTP ${status} ${name}` : name);
    return sluiceError(
      "connection",
      `cannot ${context.action} ${where}: S3 endpoint ${context.endpointLabel} failed (${reason}); check the endpoint and network, then retry`,
      { retryable: true, cause: thrown },
    );
  }
  const detail = redactSecrets(stringField(thrown, "message") ?? String(thrown)).split("\n")[0];
  return sluiceError(
    "stage",
    `cannot ${context.action} ${where} at ${context.endpointLabel}: ${name}${status ? ` (HTTP ${status})` : ""}: ${detail}`,
    { cause: thrown },
  );
}

/**
 * True when S3 refused a conditional write because its condition did not hold:
 * 412 PreconditionFailed, or 409 ConditionalRequestConflict (a concurrent write won
 * while this one was in flight). A 404 NoSuchKey counts too: S3-compatible servers
 * differ on whether If-Match against a missing key answers 412 or 404, and either
 * way the object is not the version the caller read.
 */
export function isFailedCondition(thrown: unknown): boolean {
  const name = stringField(thrown, "name");
  const status = (thrown as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return (
    name === "PreconditionFailed" ||
    name === "ConditionalRequestConflict" ||
    name === "NoSuchKey" ||
    status === 412
  );
}

/** True for the SDK's "no such key / not found" answers to GetObject and HeadObject. */
export function isMissingObject(thrown: unknown): boolean {
  const name = stringField(thrown, "name");
  const status = (thrown as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return name === "NoSuchKey" || name === "NotFound" || (status === 404 && name !== "NoSuchBucket");
}

function networkCodeOf(thrown: unknown): string | undefined {
  const code = stringField(thrown, "code");
  if (code && connectionCodes.has(code)) return code;
  const inner = (thrown as { errors?: unknown } | null)?.errors;
  if (Array.isArray(inner)) {
    for (const each of inner) {
      const innerCode = stringField(each, "code");
      if (innerCode && connectionCodes.has(innerCode)) return innerCode;
    }
  }
  const cause = (thrown as { cause?: unknown } | null)?.cause;
  return cause && cause !== thrown ? networkCodeOf(cause) : undefined;
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === "string" ? found : undefined;
}
