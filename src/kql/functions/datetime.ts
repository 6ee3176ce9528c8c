/**
 * Datetime and timespan scalar functions: calendar parts, start/end of periods, datetime_add/diff/part,
 * make_datetime/make_timespan, format_datetime/format_timespan, unix-time conversions, time zones, and a
 * datetime-aware bin()/floor().
 *
 * Datetimes are bigint 100-ns ticks since the Unix epoch; calendar maths works on whole day numbers
 * (days since 1970-01-01, proleptic Gregorian) plus the ticks within the day.
 */
import { KqlError } from '../errors.js';
import {
  longToBigInt,
  MIN_DATETIME_TICKS,
  normLong,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
  TICKS_PER_MINUTE,
  TICKS_PER_MS,
  TICKS_PER_SECOND,
  type Value,
} from '../values.js';
import { type FunctionContext, registerScalar } from './registry.js';

const DAYS_PER_WEEK = 7;
/** Offsets beyond this many periods always leave the datetime range (which spans ~3.7 million days). */
const MAX_PERIOD_OFFSET = 10_000_000;

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years repeat exactly). */
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9; // March = 0
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civilDate(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

interface Moment extends CivilDate {
  days: number; // day number
  timeOfDay: bigint; // ticks since midnight
}

function moment(ticks: bigint): Moment {
  const days = floorDiv(ticks, TICKS_PER_DAY);
  return { ...civilDate(Number(days)), days: Number(days), timeOfDay: ticks - days * TICKS_PER_DAY };
}

function ticksOfDay(days: number, timeOfDay = 0n): bigint {
  return BigInt(days) * TICKS_PER_DAY + timeOfDay;
}

/** Days since the preceding Sunday (1970-01-01 was a Thursday). */
function dayOfWeek(days: number): number {
  return mod(days + 4, DAYS_PER_WEEK);
}

function dayOfYear(m: Moment): number {
  return m.days - dayNumber(m.year, 1, 1) + 1;
}

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeekOfYear(days: number): number {
  const isoDay = mod(days + 3, DAYS_PER_WEEK); // Monday = 0
  const thursday = days - isoDay + 3;
  const thursdayYear = civilDate(thursday).year;
  return Math.floor((thursday - dayNumber(thursdayYear, 1, 1)) / DAYS_PER_WEEK) + 1;
}

/** Adds calendar months; the day is clamped to the target month's length (Jan 31 + 1 month = Feb 28/29). */
function addMonths(ticks: bigint, months: number): bigint | null {
  const m = moment(ticks);
  const index = m.year * 12 + (m.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  if (year < 1 || year > 9999) return null;
  const day = Math.min(m.day, daysInMonth(year, month));
  return inRange(ticksOfDay(dayNumber(year, month, day), m.timeOfDay));
}

/** 9999-12-31T23:59:59.9999999 (.NET DateTime.MaxValue) in Unix-epoch ticks. */
const MAX_DATETIME = 2_534_023_007_999_999_999n;

function inRange(ticks: bigint): bigint | null {
  return ticks >= MIN_DATETIME_TICKS && ticks <= MAX_DATETIME ? ticks : null;
}

// ---------------------------------------------------------------------------------------------
// Argument helpers

function isNumeric(value: Value): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** An integer argument as a number; null for null/NaN; throws for fractions (Kusto's rounding is unverified). */
function integerArgument(value: Value, fn: string): number | null {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (!Number.isInteger(value)) throw notSupported(`${fn}() with a non-integer argument`);
  return value;
}

/** A period offset (startofmonth(d, offset)…): 0 when omitted, null when null; clamped far outside the range. */
function periodOffset(value: Value): number | null {
  if (value === undefined) return 0;
  if (!isNumeric(value)) return null;
  const n = Number(value);
  if (!Number.isFinite(n)) return null;
  return Math.max(-MAX_PERIOD_OFFSET, Math.min(MAX_PERIOD_OFFSET, Math.trunc(n)));
}

/** A function of a datetime (and an optional offset) whose result is null when the datetime is null. */
function registerOnDatetime(
  names: string | string[],
  compute: (ticks: bigint, offset: number) => Value,
): void {
  registerScalar(names, () => (value, offset) => {
    if (typeof value !== 'bigint') return null;
    const n = periodOffset(offset);
    return n === null ? null : compute(value, n);
  });
}

/** Resolves a constant period/part name once; otherwise per row. */
function byName<T>(
  context: FunctionContext,
  argIndex: number,
  resolve: (name: string) => T,
): (value: Value) => T {
  if (context.isConstant[argIndex]) {
    const resolved = resolve(String(context.constants[argIndex] ?? ''));
    return () => resolved;
  }
  return (value) => resolve(String(value ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Parts of a datetime

/** Period starts, unbounded (the start after year 9999's last period is still needed for its end). */
function startOfDay(ticks: bigint, offset: number): bigint {
  return ticksOfDay(moment(ticks).days + offset);
}

function startOfWeek(ticks: bigint, offset: number): bigint {
  const { days } = moment(ticks);
  return ticksOfDay(days - dayOfWeek(days) + DAYS_PER_WEEK * offset);
}

function startOfMonth(ticks: bigint, offset: number): bigint {
  const m = moment(ticks);
  const index = m.year * 12 + (m.month - 1) + offset;
  const year = Math.floor(index / 12);
  return ticksOfDay(dayNumber(year, index - year * 12 + 1, 1));
}

function startOfYear(ticks: bigint, offset: number): bigint {
  return ticksOfDay(dayNumber(moment(ticks).year + offset, 1, 1));
}

type PeriodStart = (ticks: bigint, offset: number) => bigint;

function startOf(start: PeriodStart): (ticks: bigint, offset: number) => Value {
  return (ticks, offset) => inRange(start(ticks, offset));
}

/** The last tick before the start of the next period. */
function endOf(start: PeriodStart): (ticks: bigint, offset: number) => Value {
  return (ticks, offset) => inRange(start(ticks, offset + 1) - 1n);
}

registerOnDatetime('startofday', startOf(startOfDay));
registerOnDatetime('startofweek', startOf(startOfWeek));
registerOnDatetime('startofmonth', startOf(startOfMonth));
registerOnDatetime('startofyear', startOf(startOfYear));
registerOnDatetime('endofday', endOf(startOfDay));
registerOnDatetime('endofweek', endOf(startOfWeek));
registerOnDatetime('endofmonth', endOf(startOfMonth));
registerOnDatetime('endofyear', endOf(startOfYear));

registerOnDatetime('dayofweek', (ticks) => BigInt(dayOfWeek(moment(ticks).days)) * TICKS_PER_DAY);
registerOnDatetime('dayofmonth', (ticks) => moment(ticks).day);
registerOnDatetime('dayofyear', (ticks) => dayOfYear(moment(ticks)));
registerOnDatetime(['monthofyear', 'getmonth'], (ticks) => moment(ticks).month);
registerOnDatetime('getyear', (ticks) => moment(ticks).year);
registerOnDatetime('hourofday', (ticks) => Number(moment(ticks).timeOfDay / TICKS_PER_HOUR));
registerOnDatetime('week_of_year', (ticks) => isoWeekOfYear(moment(ticks).days));

function fractionTicks(ticks: bigint): number {
  return Number(ticks - floorDiv(ticks, TICKS_PER_SECOND) * TICKS_PER_SECOND);
}

const DATETIME_PARTS: Record<string, (ticks: bigint) => number> = {
  year: (t) => moment(t).year,
  quarter: (t) => Math.floor((moment(t).month - 1) / 3) + 1,
  month: (t) => moment(t).month,
  week_of_year: (t) => isoWeekOfYear(moment(t).days),
  day: (t) => moment(t).day,
  dayofyear: (t) => dayOfYear(moment(t)),
  hour: (t) => Number(moment(t).timeOfDay / TICKS_PER_HOUR),
  minute: (t) => Number((moment(t).timeOfDay % TICKS_PER_HOUR) / TICKS_PER_MINUTE),
  second: (t) => Number((moment(t).timeOfDay % TICKS_PER_MINUTE) / TICKS_PER_SECOND),
  millisecond: (t) => Math.floor(fractionTicks(t) / 10_000),
  microsecond: (t) => Math.floor(fractionTicks(t) / 10),
  nanosecond: (t) => fractionTicks(t) * 100,
};

function datetimePart(name: string): (ticks: bigint) => number {
  const part = DATETIME_PARTS[name.toLowerCase()];
  if (!part) throw new KqlError(`datetime_part(): unknown part '${name}'`);
  return part;
}

registerScalar(['datetime_part', 'datepart'], (context) => {
  const partOf = byName(context, 0, datetimePart);
  return (name, value) => (typeof value === 'bigint' ? partOf(name)(value) : null);
});

// ---------------------------------------------------------------------------------------------
// datetime_add / datetime_diff

type Adder = (ticks: bigint, amount: bigint) => bigint | null;

function fixedStep(step: bigint): Adder {
  return (ticks, amount) => inRange(ticks + amount * step);
}

function monthStep(months: number): Adder {
  return (ticks, amount) => {
    const total = Number(amount) * months;
    return Math.abs(total) > MAX_PERIOD_OFFSET ? null : addMonths(ticks, total);
  };
}

const ADDERS: Record<string, Adder> = {
  year: monthStep(12),
  quarter: monthStep(3),
  month: monthStep(1),
  week: fixedStep(TICKS_PER_DAY * 7n),
  day: fixedStep(TICKS_PER_DAY),
  hour: fixedStep(TICKS_PER_HOUR),
  minute: fixedStep(TICKS_PER_MINUTE),
  second: fixedStep(TICKS_PER_SECOND),
  millisecond: fixedStep(TICKS_PER_MS),
  microsecond: fixedStep(10n),
  nanosecond: (ticks, amount) => inRange(ticks + amount / 100n),
};

function periodAdder(name: string): Adder {
  const adder = ADDERS[name.toLowerCase()];
  if (!adder) throw new KqlError(`datetime_add(): unknown period '${name}'`);
  return adder;
}

registerScalar('datetime_add', (context) => {
  const adderOf = byName(context, 0, periodAdder);
  return (name, amount, value) => {
    if (typeof value !== 'bigint' || !isNumeric(amount)) return null;
    if (typeof amount === 'number' && !Number.isInteger(amount)) {
      throw notSupported('datetime_add() with a non-integer amount');
    }
    return adderOf(name)(value, longToBigInt(amount));
  };
});

/** How many period boundaries lie between two datetimes: both are truncated to the period, then subtracted. */
type Differ = (a: bigint, b: bigint) => bigint;

function truncatedDiff(unit: bigint): Differ {
  return (a, b) => floorDiv(a, unit) - floorDiv(b, unit);
}

function calendarDiff(index: (m: Moment) => number): Differ {
  return (a, b) => BigInt(index(moment(a)) - index(moment(b)));
}

const DIFFERS: Record<string, Differ> = {
  year: calendarDiff((m) => m.year),
  quarter: calendarDiff((m) => m.year * 4 + Math.floor((m.month - 1) / 3)),
  month: calendarDiff((m) => m.year * 12 + m.month - 1),
  week: calendarDiff((m) => Math.floor((m.days + 4) / DAYS_PER_WEEK)), // Sunday-based week index
  day: truncatedDiff(TICKS_PER_DAY),
  hour: truncatedDiff(TICKS_PER_HOUR),
  minute: truncatedDiff(TICKS_PER_MINUTE),
  second: truncatedDiff(TICKS_PER_SECOND),
  millisecond: truncatedDiff(TICKS_PER_MS),
  microsecond: truncatedDiff(10n),
  nanosecond: (a, b) => (a - b) * 100n,
};

function periodDiffer(name: string): Differ {
  const differ = DIFFERS[name.toLowerCase()];
  if (!differ) throw new KqlError(`datetime_diff(): unknown period '${name}'`);
  return differ;
}

registerScalar('datetime_diff', (context) => {
  const differOf = byName(context, 0, periodDiffer);
  return (name, a, b) => {
    if (typeof a !== 'bigint' || typeof b !== 'bigint') return null;
    return normLong(differOf(name)(a, b));
  };
});

// ---------------------------------------------------------------------------------------------
// make_datetime / make_timespan

/**
 * number × multiplier ÷ divisor as whole ticks (sub-tick digits truncated), computed exactly from the number's
 * shortest decimal text so that 0.1234567 seconds is 1234567 ticks, not one less.
 */
function decimalTicks(value: number, multiplier: bigint, divisor: bigint): bigint | null {
  if (!Number.isFinite(value)) return null;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!m) return null;
  const [, sign, whole, fraction = '', exponent = '0'] = m;
  const power = Number(exponent) - fraction.length;
  const digits = BigInt(whole + fraction) * multiplier;
  const magnitude =
    power >= 0 ? (digits * 10n ** BigInt(power)) / divisor : digits / (divisor * 10n ** BigInt(-power));
  return sign ? -magnitude : magnitude;
}

function secondsToTicks(seconds: number): bigint {
  return decimalTicks(seconds, TICKS_PER_SECOND, 1n) ?? 0n;
}

registerScalar('make_datetime', () => (...args) => {
  const [year, month, day, hour = 0, minute = 0] = args
    .slice(0, 5)
    .map((a) => integerArgument(a, 'make_datetime'));
  const second = args.length > 5 ? args[5] : 0;
  if (year === null || month === null || day === null || hour === null || minute === null) return null;
  if (!isNumeric(second) || !Number.isFinite(Number(second))) return null;
  const s = Number(second);
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || s < 0 || s >= 60) return null;
  const timeOfDay = BigInt(hour) * TICKS_PER_HOUR + BigInt(minute) * TICKS_PER_MINUTE + secondsToTicks(s);
  return inRange(ticksOfDay(dayNumber(year, month, day), timeOfDay));
});

registerScalar('make_timespan', () => (...args) => {
  const withDays = args.length === 4;
  const [days, hour, minute] = (withDays ? args.slice(0, 3) : [0, ...args.slice(0, 2)]).map((a) =>
    integerArgument(a, 'make_timespan'),
  );
  const secondArg = withDays ? args[3] : args.length === 3 ? args[2] : 0;
  if (days === null || hour === null || minute === null || !isNumeric(secondArg)) return null;
  const second = Number(secondArg);
  if (!Number.isFinite(second)) return null;
  // Kusto's handling of parts outside the documented ranges (24h, 60m, 60s) is unverified.
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second >= 60) {
    throw notSupported('make_timespan() with parts outside their documented ranges');
  }
  return (
    BigInt(days) * TICKS_PER_DAY +
    BigInt(hour) * TICKS_PER_HOUR +
    BigInt(minute) * TICKS_PER_MINUTE +
    secondsToTicks(second)
  );
});

// ---------------------------------------------------------------------------------------------
// Unix time → datetime

const UNIX_UNITS: [string, bigint, bigint][] = [
  // name, ticks per unit (multiplier), units per tick (divisor)
  ['unixtime_seconds_todatetime', TICKS_PER_SECOND, 1n],
  ['unixtime_milliseconds_todatetime', TICKS_PER_MS, 1n],
  ['unixtime_microseconds_todatetime', 10n, 1n],
  ['unixtime_nanoseconds_todatetime', 1n, 100n],
];

function unixToTicks(value: Value, multiplier: bigint, divisor: bigint): bigint | null {
  if (typeof value === 'bigint') return inRange((value * multiplier) / divisor);
  if (typeof value !== 'number') return null;
  const ticks = decimalTicks(value, multiplier, divisor);
  return ticks === null ? null : inRange(ticks);
}

for (const [name, multiplier, divisor] of UNIX_UNITS) {
  registerScalar(name, () => (value) => unixToTicks(value, multiplier, divisor));
}

// ---------------------------------------------------------------------------------------------
// format_datetime / format_timespan

const DELIMITERS = new Set([' ', '/', '-', ':', ',', '.', '_', '[', ']']);

interface FormatToken {
  letter: string;
  count: number;
}

/** Splits a format into runs of one specifier letter and single delimiter characters. */
function tokenize(format: string, allowed: Record<string, number[]>, fn: string): (FormatToken | string)[] {
  const tokens: (FormatToken | string)[] = [];
  let i = 0;
  while (i < format.length) {
    const letter = format[i];
    if (DELIMITERS.has(letter)) {
      tokens.push(letter);
      i++;
      continue;
    }
    let count = 1;
    while (format[i + count] === letter) count++;
    if (!allowed[letter]?.includes(count)) {
      throw notSupported(`${fn}() format element '${letter.repeat(count)}'`);
    }
    tokens.push({ letter, count });
    i += count;
  }
  return tokens;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `f…`: the first `count` fraction digits; `F…`: the same without trailing zeros (nothing when all zero). */
function fractionText(fraction: number, token: FormatToken): string {
  const digits = pad(fraction, 7).slice(0, token.count);
  return token.letter === 'f' ? digits : digits.replace(/0+$/, '');
}

const DATETIME_ELEMENTS: Record<string, number[]> = {
  d: [1, 2],
  f: [1, 2, 3, 4, 5, 6, 7],
  F: [1, 2, 3, 4, 5, 6, 7],
  h: [1, 2],
  H: [1, 2],
  m: [1, 2],
  M: [1, 2],
  s: [1, 2],
  y: [1, 2, 4],
  t: [2],
};

function datetimeElement(token: FormatToken, m: Moment, fraction: number): string {
  const hour = Number(m.timeOfDay / TICKS_PER_HOUR);
  const width = token.count;
  switch (token.letter) {
    case 'd':
      return pad(m.day, width);
    case 'M':
      return pad(m.month, width);
    case 'y':
      return width === 4 ? pad(m.year, 4) : pad(m.year % 100, width);
    case 'H':
      return pad(hour, width);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, width);
    case 'm':
      return pad(Number((m.timeOfDay % TICKS_PER_HOUR) / TICKS_PER_MINUTE), width);
    case 's':
      return pad(Number((m.timeOfDay % TICKS_PER_MINUTE) / TICKS_PER_SECOND), width);
    case 't':
      return hour < 12 ? 'AM' : 'PM';
    default:
      return fractionText(fraction, token);
  }
}

function datetimeFormatter(format: string): (ticks: bigint) => string {
  const tokens = tokenize(format, DATETIME_ELEMENTS, 'format_datetime');
  return (ticks) => {
    const m = moment(ticks);
    const fraction = fractionTicks(ticks);
    let out = '';
    for (const token of tokens) {
      if (typeof token === 'string') {
        out += token;
        continue;
      }
      const text = datetimeElement(token, m, fraction);
      // Like .NET, an empty `F…` element also drops the '.' just before it.
      if (text === '' && token.letter === 'F' && out.endsWith('.')) out = out.slice(0, -1);
      out += text;
    }
    return out;
  };
}

const TIMESPAN_ELEMENTS: Record<string, number[]> = {
  d: [1, 2, 3, 4, 5, 6, 7, 8],
  f: [1, 2, 3, 4, 5, 6, 7],
  F: [1, 2, 3, 4, 5, 6, 7],
  h: [1, 2],
  H: [1, 2],
  m: [1, 2],
  s: [1, 2],
};

function timespanElement(token: FormatToken, ticks: bigint): string {
  const width = token.count;
  switch (token.letter) {
    case 'd':
      return String(ticks / TICKS_PER_DAY).padStart(width, '0');
    case 'h':
    case 'H':
      return pad(Number((ticks % TICKS_PER_DAY) / TICKS_PER_HOUR), width);
    case 'm':
      return pad(Number((ticks % TICKS_PER_HOUR) / TICKS_PER_MINUTE), width);
    case 's':
      return pad(Number((ticks % TICKS_PER_MINUTE) / TICKS_PER_SECOND), width);
    default:
      return fractionText(Number(ticks % TICKS_PER_SECOND), token);
  }
}

function timespanFormatter(format: string): (ticks: bigint) => string {
  const tokens = tokenize(format, TIMESPAN_ELEMENTS, 'format_timespan');
  return (ticks) => {
    // How Kusto signs a negative timespan in a custom format is unverified.
    if (ticks < 0n) throw notSupported('format_timespan() of a negative timespan');
    return tokens
      .map((token) => (typeof token === 'string' ? token : timespanElement(token, ticks)))
      .join('');
  };
}

/** A formatting function whose format is compiled once when constant, else cached per distinct format. */
function registerFormatter(name: string, compile: (format: string) => (ticks: bigint) => string): void {
  registerScalar(name, ({ isConstant, constants }) => {
    const cache = new Map<string, (ticks: bigint) => string>();
    const formatterOf = (format: string) => {
      let formatter = cache.get(format);
      if (!formatter) {
        formatter = compile(format);
        cache.set(format, formatter);
      }
      return formatter;
    };
    if (isConstant[1]) formatterOf(String(constants[1] ?? ''));
    return (value, format) => (typeof value === 'bigint' ? formatterOf(String(format ?? ''))(value) : '');
  });
}

registerFormatter('format_datetime', datetimeFormatter);
registerFormatter('format_timespan', timespanFormatter);

// ---------------------------------------------------------------------------------------------
// Time zones (IANA names, via Intl)

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new KqlError(`unknown time zone '${zone}'`);
    }
    zoneFormats.set(zone, format);
  }
  return format;
}

/** The zone's UTC offset (milliseconds) at an instant, from the wall-clock fields Intl reports for it. */
function zoneOffsetMs(zone: string, utcTicks: bigint): number {
  const wholeSecondMs = Number(floorDiv(utcTicks, TICKS_PER_SECOND)) * 1000;
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of zoneFormat(zone).formatToParts(new Date(wholeSecondMs))) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = bc ? 1 - fields.year : fields.year;
  const wallSeconds =
    dayNumber(year, fields.month, fields.day) * 86_400 +
    fields.hour * 3600 +
    fields.minute * 60 +
    fields.second;
  return wallSeconds * 1000 - wholeSecondMs;
}

function zoneOffset(zone: string, utcTicks: bigint): bigint {
  return BigInt(zoneOffsetMs(zone, utcTicks)) * TICKS_PER_MS;
}

function utcToLocal(utc: bigint, zone: string): bigint | null {
  return inRange(utc + zoneOffset(zone, utc));
}

/** The zone's standard (non-daylight) offset in the local time's year: the smaller of January's and July's. */
function standardOffset(zone: string, local: bigint): bigint {
  const { year } = moment(local);
  const january = zoneOffsetMs(zone, ticksOfDay(dayNumber(year, 1, 1)));
  const july = zoneOffsetMs(zone, ticksOfDay(dayNumber(year, 7, 1)));
  return BigInt(Math.min(january, july)) * TICKS_PER_MS;
}

/**
 * Local → UTC: the offset in force at the local time read as standard time. A skipped local time (spring
 * forward) thus takes the daylight offset and an ambiguous one (fall back) the standard offset, as the
 * documented datetime_local_to_utc example around a DST change shows.
 */
function localToUtc(local: bigint, zone: string): bigint | null {
  const offset = zoneOffset(zone, local - standardOffset(zone, local));
  return inRange(local - offset);
}

function registerZoneConversion(name: string, convert: (ticks: bigint, zone: string) => bigint | null): void {
  registerScalar(name, ({ isConstant, constants }) => {
    if (isConstant[1]) zoneFormat(String(constants[1] ?? ''));
    return (value, zone) => (typeof value === 'bigint' ? convert(value, String(zone ?? '')) : null);
  });
}

registerZoneConversion('datetime_utc_to_local', utcToLocal);
registerZoneConversion('datetime_local_to_utc', localToUtc);
