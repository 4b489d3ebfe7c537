import { configError } from "@sluice/core";
import { normalizeCopyOptions } from "./redshift-copy-options.js";
import { qualifiedName, quoteLiteral, type WarehouseTable } from "./sql-text.js";
import { isIamRole } from "./warehouse-url.js";

/**
 * `COPY <staging> FROM '<manifest>' IAM_ROLE '<arn>' FORMAT AS PARQUET MANIFEST
 * [options]`. SERIALIZETOJSON is for nested Parquet types only; sluice stages JSON as text.
 * Throws a `config` SluiceError for an option Redshift refuses with Parquet, a
 * manifest outside S3 or a malformed role.
 */
export function renderRedshiftCopy(
  stagingTable: WarehouseTable,
  manifestUri: string,
  iamRole: string,
  extraOptions: readonly string[],
): string {
  if (!/^s3:\/\/[^/\s'\\]+\/[^\s'\\]+$/.test(manifestUri)) {
    throw configError(
      `Redshift manifest "${manifestUri}" is not an s3://bucket/key URI; Redshift COPY reads the lake from S3 only, so point --lake at s3://`,
    );
  }
  if (!isIamRole(iamRole)) {
    throw configError(`IAM role "${iamRole}" is not arn:aws:iam::<account>:role/<name> or default`);
  }
  const options = normalizeCopyOptions(extraOptions);
  if (options.isErr()) throw options.error;
  const parts = [
    `COPY ${qualifiedName(stagingTable)}`,
    `FROM ${quoteLiteral(manifestUri)}`,
    `IAM_ROLE ${quoteLiteral(iamRole)}`,
    "FORMAT AS PARQUET",
    "MANIFEST",
    ...options.value,
  ];
  return parts.join("\n");
}
