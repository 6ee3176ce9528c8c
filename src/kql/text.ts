/**
 * Text forms of Kusto values: datetime and timespan formatting and parsing, and `tostring`.
 */
import {
  type Dynamic,
  datetimeInRange,
  jsonText,
  type KType,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
  TICKS_PER_MINUTE,
  TICKS_PER_MS,
  TICKS_PER_SECOND,
  type Value,
} from './values.js';

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** UTC calendar parts of a datetime. */
export function datetimeParts(ticks: bigint): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: number; // ticks within the second, 0..9_999_999
  ms: number; // epoch milliseconds (floored)
} {
  const ms = floorDiv(ticks, TICKS_PER_MS);
  const date = new Date(Number(ms));
  const fraction = Number(ticks - floorDiv(ticks, TICKS_PER_SECOND) * TICKS_PER_SECOND);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    fraction,
    ms: Number(ms),
  };
}

export function ticksFromParts(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  fraction = 0,
): bigint {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return BigInt(date.getTime()) * TICKS_PER_MS + BigInt(fraction);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO-8601 UTC with `Z` and the fraction trimmed (`2024-05-02T10:15:07.123Z`), as the query API writes. */
export function formatDatetime(ticks: bigint): string {
  const p = datetimeParts(ticks);
  const fraction = p.fraction ? `.${pad(p.fraction, 7).replace(/0+$/, '')}` : '';
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}${fraction}Z`;
}

/** .NET TimeSpan text: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(ticks: bigint): string {
  const negative = ticks < 0n;
  let t = negative ? -ticks : ticks;
  const days = t / TICKS_PER_DAY;
  t %= TICKS_PER_DAY;
  const hours = t / TICKS_PER_HOUR;
  t %= TICKS_PER_HOUR;
  const minutes = t / TICKS_PER_MINUTE;
  t %= TICKS_PER_MINUTE;
  const seconds = t / TICKS_PER_SECOND;
  const fraction = t % TICKS_PER_SECOND;
  return `${negative ? '-' : ''}${days ? `${days}.` : ''}${pad(Number(hours), 2)}:${pad(Number(minutes), 2)}:${pad(Number(seconds), 2)}${fraction ? `.${pad(Number(fraction), 7)}` : ''}`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const SLASH_DATETIME =
  /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:\s*([AP]M))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const COMPACT_DATETIME = /^(\d{4})(\d{2})(\d{2})(?:[T ]?(\d{2})(\d{2})(?:(\d{2}))?)?$/;
const RFC_DATETIME =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(GMT|UTC|Z|[+-]\d{4})?$/i;
const YEAR_ONLY = /^(\d{4})(?:-(\d{1,2}))?$/;

function zoneMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  const z = zone.toUpperCase();
  if (z === 'Z' || z === 'GMT' || z === 'UTC') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0));
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  fractionDigits: string,
  zone: string | undefined,
): bigint | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const check = new Date(0);
  check.setUTCFullYear(y, mo - 1, d);
  if (check.getUTCDate() !== d) return null;
  const fraction = Number((fractionDigits + '0000000').slice(0, 7));
  const ticks = ticksFromParts(y, mo, d, h, mi, s, fraction) - BigInt(zoneMinutes(zone)) * TICKS_PER_MINUTE;
  return datetimeInRange(ticks) ? ticks : null;
}

/** Parses the text forms `todatetime` accepts; null when the text is not a datetime. */
export function parseDatetime(text: string): bigint | null {
  const s = text.trim();
  if (s === '') return null;
  let m = ISO_DATETIME.exec(s);
  if (m) {
    return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ?? '', m[8]);
  }
  m = SLASH_DATETIME.exec(s);
  if (m) {
    let hour = +(m[4] ?? 0);
    const ampm = m[8]?.toUpperCase();
    if (ampm === 'PM' && hour < 12) hour += 12;
    if (ampm === 'AM' && hour === 12) hour = 0;
    return build(+m[3], +m[1], +m[2], hour, +(m[5] ?? 0), +(m[6] ?? 0), m[7] ?? '', m[9]);
  }
  m = RFC_DATETIME.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[2].toLowerCase()) + 1;
    if (month === 0) return null;
    let year = +m[3];
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
    return build(year, month, +m[1], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), '', m[7]);
  }
  m = COMPACT_DATETIME.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), '', undefined);
  m = YEAR_ONLY.exec(s);
  if (m) return build(+m[1], +(m[2] ?? 1), 1, 0, 0, 0, '', undefined);
  // RFC 850 ("Saturday, 08-Nov-14 15:05:02 GMT") and forms ending in a zone name ("… 15:05:25 GMT").
  const rewritten = s
    .replace(/^[A-Za-z]+,\s*(?=\d{1,2}[- ][A-Za-z]{3}[- ])/, '')
    .replace(/^(\d{1,2})-([A-Za-z]{3})-(\d{2,4})(?=\s)/, '$1 $2 $3')
    .replace(/\s+(GMT|UTC)$/i, '');
  return rewritten === s ? null : parseDatetime(rewritten);
}

const TIMESPAN_UNITS: Record<string, bigint> = {
  d: TICKS_PER_DAY,
  day: TICKS_PER_DAY,
  days: TICKS_PER_DAY,
  h: TICKS_PER_HOUR,
  hr: TICKS_PER_HOUR,
  hrs: TICKS_PER_HOUR,
  hour: TICKS_PER_HOUR,
  hours: TICKS_PER_HOUR,
  m: TICKS_PER_MINUTE,
  min: TICKS_PER_MINUTE,
  minute: TICKS_PER_MINUTE,
  minutes: TICKS_PER_MINUTE,
  s: TICKS_PER_SECOND,
  sec: TICKS_PER_SECOND,
  second: TICKS_PER_SECOND,
  seconds: TICKS_PER_SECOND,
  ms: TICKS_PER_MS,
  milli: TICKS_PER_MS,
  millis: TICKS_PER_MS,
  millisecond: TICKS_PER_MS,
  milliseconds: TICKS_PER_MS,
  microsecond: 10n,
  microseconds: 10n,
  tick: 1n,
  ticks: 1n,
};

/** Decimal text × unit ticks, exactly. */
function scaled(numberText: string, unit: bigint): bigint {
  const [whole, fraction = ''] = numberText.split('.');
  const digits = fraction.length;
  const scaledUnit = unit * 10n ** BigInt(digits);
  const n = BigInt(whole || '0') * 10n ** BigInt(digits) + BigInt(fraction || '0');
  return (n * scaledUnit) / 10n ** BigInt(digits) / 10n ** BigInt(digits);
}

/** Parses timespan text: `1.02:03:04.5`, `02:03`, `-00:00:01`, or literals such as `2d`, `1.5h`, `100ms`. */
export function parseTimespan(text: string): bigint | null {
  let s = text.trim();
  if (s === '') return null;
  let sign = 1n;
  if (s[0] === '-') {
    sign = -1n;
    s = s.slice(1).trim();
  } else if (s[0] === '+') {
    s = s.slice(1).trim();
  }
  let m = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(s);
  if (m) {
    // As .NET: hours above 23 or minutes/seconds above 59 are not a timespan.
    if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return null;
    const ticks =
      BigInt(m[1] ?? 0) * TICKS_PER_DAY +
      BigInt(m[2]) * TICKS_PER_HOUR +
      BigInt(m[3]) * TICKS_PER_MINUTE +
      BigInt(m[4] ?? 0) * TICKS_PER_SECOND +
      BigInt((m[5] ?? '').padEnd(7, '0') || '0');
    return sign * ticks;
  }
  m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)$/i.exec(s);
  if (m) {
    const unit = TIMESPAN_UNITS[m[2].toLowerCase()];
    if (unit === undefined) return null;
    return sign * scaled(m[1], unit);
  }
  m = /^(\d+)$/.exec(s);
  if (m) return sign * BigInt(m[1]) * TICKS_PER_DAY;
  return null;
}

/** Formats a real the way Kusto prints it (shortest round-trip text, .NET exponent style). */
export function formatReal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  const text = String(value);
  if (!text.includes('e')) return text;
  const [mantissa, exponent] = text.split('e');
  const exp = Number(exponent);
  return `${mantissa}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** `tostring()` of a value of the given type. */
export function toText(value: Value, type: KType): string {
  if (value === null) return '';
  switch (type) {
    case 'string':
      return value as string;
    case 'datetime':
      return formatDatetime(value as bigint);
    case 'timespan':
      return formatTimespan(value as bigint);
    case 'real':
    case 'decimal':
      return formatReal(value as number);
    case 'dynamic':
      return typeof value === 'string' ? value : dynamicText(value);
    default:
      return typeof value === 'number' ? formatReal(value) : String(value);
  }
}

/** A dynamic value's text: strings bare, numbers and bools as text, arrays and bags as compact JSON. */
export function dynamicText(value: Dynamic): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatReal(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return jsonText(value);
}

/** A scalar value as it sits inside a dynamic (datetimes and timespans as their text). */
export function toDynamic(value: Value, type: KType): Dynamic {
  if (value === null) return null;
  switch (type) {
    case 'datetime':
      return formatDatetimeFull(value as bigint);
    case 'timespan':
      return formatTimespan(value as bigint);
    default:
      return value;
  }
}

/** A datetime inside a dynamic value keeps all seven fraction digits: `2007-01-01T00:00:00.0000000Z`. */
export function formatDatetimeFull(ticks: bigint): string {
  const p = datetimeParts(ticks);
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${pad(p.fraction, 7)}Z`;
}
