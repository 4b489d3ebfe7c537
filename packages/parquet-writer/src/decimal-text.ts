/**
 * Exact decimal text <-> unscaled integers. Floats never touch a decimal: the
 * digits are shifted as text and converted with BigInt (or Number when the
 * unscaled value has at most 15 digits, which a double holds exactly).
 */

/** Unscaled value of `text` at `scale`, or `undefined` when the text is not a decimal
 * or has more fractional digits than `scale` (rounding would change the value). */
export function unscaledDecimal(text: string, scale: number): string | undefined {
  let start = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    start = 1;
  }
  const point = text.indexOf(".", start);
  const integerPart = point === -1 ? text.slice(start) : text.slice(start, point);
  let fractionPart = point === -1 ? "" : text.slice(point + 1);
  if (integerPart.length === 0 && fractionPart.length === 0) return undefined;
  if (!isDigits(integerPart) || !isDigits(fractionPart)) return undefined;
  if (fractionPart.length > scale) {
    // Trailing zeros beyond the scale are harmless ("1.500" at scale 2).
    const excess = fractionPart.slice(scale);
    if (!/^0*$/.test(excess)) return undefined;
    fractionPart = fractionPart.slice(0, scale);
  }
  const joined = (integerPart + fractionPart.padEnd(scale, "0")).replace(/^0+(?=\d)/, "");
  return negative && !/^0+$/.test(joined) ? `-${joined}` : joined;
}

/**
 * The allocation-free common case of `unscaledDecimal`: plain decimal text whose
 * unscaled value has at most 15 digits, returned as an exact Number. `undefined` means
 * "not this case" (too long, exponent, stray characters, excess fractional digits):
 * the caller then takes the exact text path, which also produces the error message.
 */
export function smallUnscaledDecimal(text: string, scale: number): number | undefined {
  const length = text.length;
  let index = 0;
  const first = text.charCodeAt(0);
  const negative = first === 45;
  if (negative || first === 43) index = 1;
  let value = 0;
  let fractionDigits = -1;
  let seenDigit = false;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46 && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9 || value >= 1e14) return undefined;
    if (fractionDigits >= 0 && ++fractionDigits > scale) return undefined;
    value = value * 10 + digit;
    seenDigit = true;
  }
  if (!seenDigit) return undefined;
  for (let padded = Math.max(fractionDigits, 0); padded < scale; padded++) {
    if (value >= 1e14) return undefined;
    value *= 10;
  }
  return negative && value !== 0 ? -value : value;
}

function isDigits(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Number of digits of an unscaled value's text (sign excluded). */
export function digitCount(unscaled: string): number {
  return unscaled.charCodeAt(0) === 45 ? unscaled.length - 1 : unscaled.length;
}

/** Unscaled integer -> canonical text with exactly `scale` fractional digits ("-12.50"). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, "0");
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Writes `value` as big-endian two's complement into `length` bytes. */
export function bigIntToFixedBytes(value: bigint, length: number, target: Buffer, offset: number): void {
  let rest = BigInt.asUintN(length * 8, value);
  for (let index = offset + length - 1; index >= offset; index--) {
    target[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

export function fixedBytesToBigInt(source: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let index = offset; index < offset + length; index++)
    value = (value << 8n) | BigInt(source[index] ?? 0);
  return BigInt.asIntN(length * 8, value);
}
