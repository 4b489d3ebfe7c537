/**
 * MySQL date/time text <-> Parquet integers, by hand: `Date` cannot hold
 * microseconds and applies its own rules to years below 100, so the calendar
 * arithmetic is done here on integers (proleptic Gregorian, as MySQL and Parquet use).
 */

const MICROS_PER_DAY = 86_400_000_000;

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
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
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Result of parsing: a number/bigint; `null` for well-formed text that is no calendar
 * date (MySQL's zero dates `0000-00-00`, partial zeros `2024-00-15`, and the impossible
 * dates `ALLOW_INVALID_DATES` lets through, `2024-02-30`); `undefined` for malformed text.
 */
export type ParsedTemporal<T> = T | null | undefined;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return Number.NaN;
    value = value * 10 + code;
  }
  return value;
}

/** `YYYY-MM-DD` (anything after the date is ignored) -> days since epoch. */
export function parseDateText(text: string): ParsedTemporal<number> {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (Number.isNaN(year) || Number.isNaN(month) || Number.isNaN(day)) return undefined;
  if (year === 0 || month === 0 || day === 0) return null;
  // MySQL never stores month 13 or day 32 (malformed); ALLOW_INVALID_DATES does store
  // day 31 in any month, which is no calendar date.
  if (month > 12 || day > 31) return undefined;
  if (day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.f{1,6}]` -> microseconds since epoch (the text read as UTC).
 * Returns a number when it is a safe integer (years up to ~2255), else a bigint.
 */
export function parseDateTimeMicros(text: string): ParsedTemporal<number | bigint> {
  const days = parseDateText(text);
  if (days === null || days === undefined) return days;
  let micros = 0;
  if (text.length > 10) {
    const separator = text.charCodeAt(10);
    if ((separator !== 32 && separator !== 84) || text.length < 19) return undefined;
    if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    if (!(hour <= 23 && minute <= 59 && second <= 59)) return undefined;
    let fraction = 0;
    if (text.length > 19) {
      const fractionDigits = text.length - 20;
      if (text.charCodeAt(19) !== 46 || fractionDigits < 1 || fractionDigits > 6) return undefined;
      fraction = digits(text, 20, fractionDigits);
      if (Number.isNaN(fraction)) return undefined;
      for (let index = fractionDigits; index < 6; index++) fraction *= 10;
    }
    micros = ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction;
  }
  const total = days * MICROS_PER_DAY + micros;
  if (Number.isSafeInteger(total)) return total;
  return BigInt(days) * BigInt(MICROS_PER_DAY) + BigInt(micros);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Microseconds since epoch -> `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatDateTimeMicros(micros: bigint): string {
  const perDay = BigInt(MICROS_PER_DAY);
  let days = micros / perDay;
  let rest = micros - days * perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  const microsOfDay = Number(rest);
  const seconds = Math.floor(microsOfDay / 1_000_000);
  const fraction = microsOfDay - seconds * 1_000_000;
  const hour = Math.floor(seconds / 3600);
  const minute = Math.floor((seconds % 3600) / 60);
  const second = seconds % 60;
  return `${formatDate(Number(days))} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(fraction, 6)}`;
}
