/**
 * Exact text forms of Parquet physical values in PostgreSQL input syntax: no value
 * ever passes through a float it did not start as.
 */

/** Unscaled two's-complement integer -> decimal text with `scale` fraction digits. */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
}

/** Big-endian two's complement bytes (FIXED_LEN_BYTE_ARRAY / BYTE_ARRAY decimals). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  if (bytes.length > 0 && (bytes[0] as number) & 0x80) value -= 1n << bits;
  return value;
}

/** Smallest byte count whose two's complement range holds every value of `precision` digits. */
export function minimalDecimalBytes(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (1n << BigInt(8 * bytes - 1) <= largest) bytes++;
  return bytes;
}

/** Days since 1970-01-01 -> `YYYY-MM-DD` (proleptic Gregorian; years before 1 as `... BC`). */
export function dateText(days: number): string {
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const md = `${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return year >= 1
    ? `${String(year).padStart(4, "0")}-${md}`
    : `${String(1 - year).padStart(4, "0")}-${md} BC`;
}

const microsPerDay = 86_400_000_000n;

/** Microseconds since the epoch -> `YYYY-MM-DD HH:MM:SS.ffffff` (+ ` BC` before year 1). */
export function timestampText(micros: bigint): string {
  let days = micros / microsPerDay;
  let rest = micros % microsPerDay;
  if (rest < 0n) {
    rest += microsPerDay;
    days -= 1n;
  }
  const date = dateText(Number(days));
  const bc = date.endsWith(" BC");
  const seconds = rest / 1_000_000n;
  const fraction = String(rest % 1_000_000n).padStart(6, "0");
  const clock = [seconds / 3600n, (seconds / 60n) % 60n, seconds % 60n]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
  return `${bc ? date.slice(0, -3) : date} ${clock}.${fraction}${bc ? " BC" : ""}`;
}

/** Shortest decimal text that reads back to the same 32-bit float. */
export function floatText(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return Object.is(value, -0) ? "-0" : String(candidate);
  }
  return String(value);
}

export function doubleText(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return Object.is(value, -0) ? "-0" : String(value);
}

/** One row in PostgreSQL COPY text format (tab-separated, `\N` for NULL). */
export function copyTextRow(values: readonly (string | null)[]): string {
  return `${values.map((value) => (value === null ? "\\N" : value.replace(/[\\\t\n\r]/g, escapeCopyCharacter))).join("\t")}\n`;
}

function escapeCopyCharacter(character: string): string {
  return character === "\\" ? "\\\\" : character === "\t" ? "\\t" : character === "\n" ? "\\n" : "\\r";
}
