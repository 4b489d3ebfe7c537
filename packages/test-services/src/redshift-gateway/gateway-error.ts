/**
 * An error the gateway answers in Redshift's place: an ErrorResponse with this
 * SQLSTATE and text. Redshift reports load failures as XX000 (internal error) with
 * a multi-line DETAIL block; the gateway keeps the first line as the message and
 * puts the specifics in DETAIL.
 */
export class GatewaySqlError extends Error {
  constructor(
    message: string,
    readonly code: string = "XX000",
    readonly detail?: string,
  ) {
    super(message);
    this.name = "GatewaySqlError";
  }
}

/** SQLSTATEs the gateway uses. */
export const sqlState = {
  internal: "XX000",
  syntax: "42601",
  featureNotSupported: "0A000",
  undefinedTable: "42P01",
} as const;

/**
 * Redshift's message for a COPY parameter that columnar formats do not take, as in
 * AWS's "COPY from columnar data formats" notes ("... argument is not supported
 * for PARQUET based COPY").
 */
export function notSupportedForParquet(parameter: string): GatewaySqlError {
  return new GatewaySqlError(
    `${parameter} argument is not supported for PARQUET based COPY`,
    sqlState.featureNotSupported,
  );
}
