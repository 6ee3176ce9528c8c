/**
 * Reading and displaying cells in the Log Analytics JSON encoding (see `Cell` in model.ts).
 */
import type { Cell, KustoType } from './model.js';

const NUMERIC_TYPES: ReadonlySet<KustoType> = new Set(['int', 'long', 'real', 'decimal']);

export function isNumericType(type: KustoType): boolean {
  return NUMERIC_TYPES.has(type);
}

const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch; text without an offset is UTC. Null when the text is not a datetime. */
export function parseUtcDatetime(text: string): number | null {
  const match = ISO_DATETIME.exec(text.trim());
  if (!match) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  // Date.parse does not promise to read the 7 fraction digits Kusto writes: keep milliseconds only.
  const millis = fraction.slice(0, 4);
  const ms = Date.parse(`${date}T${time}${millis}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

const TIMESPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/** Seconds in a .NET timespan text (`-1.02:03:04.5`), or null. */
export function timespanSeconds(text: string): number | null {
  const match = TIMESPAN.exec(text.trim());
  if (!match) return null;
  const [, sign, days = '0', hours, minutes, seconds, fraction = '0'] = match;
  const total =
    Number(days) * 86_400 +
    Number(hours) * 3_600 +
    Number(minutes) * 60 +
    Number(seconds) +
    Number(`0.${fraction}`);
  return sign ? -total : total;
}

/** A cell as a number for charting: numbers, long/decimal text, timespans in seconds; else null. */
export function numericValue(cell: Cell, type: KustoType): number | null {
  if (cell === null || typeof cell === 'boolean') return null;
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (type === 'timespan') return timespanSeconds(cell);
  if (cell.trim() === '') return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/** Decimal text as Kusto writes numbers beyond 2^53 (`-12345678901234567890.5`). */
const DECIMAL_TEXT = /^(-?)(\d+)(\.\d+)?$/;

/** Non-finite reals arrive as text in the JSON encoding. */
const NON_FINITE_TEXT = /^(?:NaN|-?Infinity)$/;

/** True when a string cell of a numeric column holds a number (so it is not text to guard or quote). */
export function isNumericText(cell: string): boolean {
  return DECIMAL_TEXT.test(cell) || NON_FINITE_TEXT.test(cell);
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const realFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const smallFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A number with thousands separators: integers whole, reals to 2 places (3 significant digits below 1). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return integerFormat.format(value);
  return Math.abs(value) < 1 ? smallFormat.format(value) : realFormat.format(value);
}

/** Thousands separators in decimal text, without going through a double (no precision lost). */
function formatDecimalText(text: string): string {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  return sign + whole.replace(/\B(?=(\d{3})+$)/g, ',') + fraction;
}

const DISPLAY_DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/**
 * `2026-11-27T10:06:32.1234567Z` → `2026-11-27 10:06:32Z`: seconds precision, the fraction cut off
 * (not rounded: rounding could move the value into the next day). `dateOnly` drops a midnight time.
 * Text that is not a UTC datetime is returned as it is.
 */
export function formatDatetime(text: string, options: { dateOnly?: boolean } = {}): string {
  const match = DISPLAY_DATETIME.exec(text);
  if (!match) return text;
  const [, date, time] = match;
  return options.dateOnly && isMidnight(text) ? date : `${date} ${time}Z`;
}

/** True for a UTC datetime text exactly at midnight (a day bin). */
export function isMidnight(text: string): boolean {
  const match = DISPLAY_DATETIME.exec(text);
  return match !== null && match[2] === '00:00:00' && /^0*$/.test(match[3] ?? '');
}

const DAY = 86_400;
const HOUR = 3_600;
const MINUTE = 60;

function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
}

/**
 * A duration in seconds as people read it, in its two largest units: `3d 22h`, `5h 12m`, `4m 5s`,
 * `16.6s`, `250ms`. Below a minute the value is rounded to a tenth of a second; above, the units
 * smaller than the two shown are cut off (3 days 22:53:59 is `3d 22h`).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const abs = Math.abs(seconds);
  if (abs === 0) return '0s';
  if (abs < 1) {
    const ms = abs * 1000;
    if (ms < 1) return `${sign}${smallFormat.format(ms)}ms`;
    if (Math.round(ms) < 1000) return `${sign}${Math.round(ms)}ms`;
  }
  const tenths = Math.round(abs * 10);
  if (tenths < MINUTE * 10) return `${sign}${tenths / 10}s`;
  const whole = Math.round(abs);
  const days = Math.floor(whole / DAY);
  const hours = Math.floor((whole % DAY) / HOUR);
  const minutes = Math.floor((whole % HOUR) / MINUTE);
  const secs = whole % MINUTE;
  if (days > 0) return sign + twoUnits(days, 'd', hours, 'h');
  if (hours > 0) return sign + twoUnits(hours, 'h', minutes, 'm');
  return sign + twoUnits(minutes, 'm', secs, 's');
}

/** A .NET timespan text (`1.02:03:04.5`) as `formatDuration` writes it; other text as it is. */
export function formatTimespan(text: string): string {
  const seconds = timespanSeconds(text);
  return seconds === null ? text : formatDuration(seconds);
}

/** Dynamic values as compact JSON text. */
export function formatDynamic(cell: Exclude<Cell, null>): string {
  if (typeof cell !== 'string') return JSON.stringify(cell);
  try {
    return JSON.stringify(JSON.parse(cell));
  } catch {
    return cell;
  }
}

/** The items of a dynamic cell that is a non-empty JSON array of strings, else null. */
export function stringListItems(cell: Cell): string[] | null {
  if (typeof cell !== 'string' || !cell.trimStart().startsWith('[')) return null;
  let value: unknown;
  try {
    value = JSON.parse(cell);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.every((item) => typeof item === 'string') ? value : null;
}

/** A dynamic cell for reading: an array of strings as `a, b, c`, anything else as compact JSON. */
export function displayDynamic(cell: Exclude<Cell, null>): string {
  return stringListItems(cell)?.join(', ') ?? formatDynamic(cell);
}

export interface DisplayOptions {
  /** Datetimes at midnight without the time: for columns that hold day bins only. */
  dateOnly?: boolean;
}

/** A cell as display text (not escaped); null is the empty string. */
export function displayCell(cell: Cell, type: KustoType, options: DisplayOptions = {}): string {
  if (cell === null) return '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (typeof cell === 'number') return formatNumber(cell);
  switch (type) {
    case 'datetime':
      return formatDatetime(cell, options);
    case 'timespan':
      return formatTimespan(cell);
    case 'dynamic':
      return displayDynamic(cell);
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
      return formatDecimalText(cell);
    default:
      return cell;
  }
}

/** True when every non-null cell of a datetime column is a midnight: the column holds days. */
export function isDayColumn(cells: Cell[]): boolean {
  let any = false;
  for (const cell of cells) {
    if (cell === null) continue;
    if (typeof cell !== 'string' || !isMidnight(cell)) return false;
    any = true;
  }
  return any;
}

/** A tile's value, whose column type is not known: numbers formatted, everything else as text. */
export function displayValue(value: Cell): string {
  if (value === null) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return DISPLAY_DATETIME.test(value) ? formatDatetime(value) : value;
}
