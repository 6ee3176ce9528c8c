/**
 * Typed query parameters: values from the command line, and their substitution into query text with
 * the workbook formatter's token syntax (`{Name}`, `{Name:format}`). Every value becomes a KQL literal
 * built here, never raw text, so a value cannot change the query around it.
 */
import { parseDatetime } from '../kql/text.js';
import {
  datetimeLiteral,
  displayTime,
  grainOf,
  isoDuration,
  parseDuration,
  parseTimeRange,
  type ResolvedWindow,
  resolveWindow,
  type TimeRangeValue,
  timeRangeLabel,
  timespanLiteral,
} from './time-range.js';

export const PARAMETER_TYPES = [
  'string',
  'string[]',
  'long',
  'real',
  'bool',
  'datetime',
  'timespan',
  'timerange',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterDef {
  name: string;
  type: ParameterType;
  /** Default as command-line text; a parameter without one is required. */
  default?: string;
  description: string;
}

export type ParameterValue =
  | { type: 'string'; value: string }
  | { type: 'string[]'; values: string[] }
  | { type: 'long' | 'real'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'datetime' | 'timespan'; ticks: bigint }
  | { type: 'timerange'; range: TimeRangeValue };

/** The token grammar Microsoft's workbook linter uses: a name, optionally `:` and a format. */
export const TOKEN = /\{([_a-zA-Z\u00A0-\uFFFF][_a-zA-Z0-9\u00A0-\uFFFF]*)(?::([A-Za-z]+))?\}/g;

/** Formats each type accepts in query text ('' is the bare `{Name}`). */
export const FORMATS: Record<ParameterType, readonly string[]> = {
  string: ['', 'value', 'escape', 'label'],
  'string[]': ['', 'value', 'label'],
  long: ['', 'value', 'label'],
  real: ['', 'value', 'label'],
  bool: ['', 'value', 'label'],
  datetime: ['', 'value', 'label', 'ISO'],
  timespan: ['', 'value', 'label'],
  timerange: [
    '',
    'value',
    'query',
    'label',
    'start',
    'end',
    'grain',
    'startISO',
    'endISO',
    'durationISO',
    'seconds',
  ],
};

export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

/** Parses command-line text (one or more `--param Name=…` values) into a typed value. */
export function parseParameterValue(def: ParameterDef, texts: readonly string[]): ParameterValue {
  const fail = (why: string): never => {
    throw new ParameterError(`parameter ${def.name} (${def.type}): ${why}`);
  };
  if (def.type === 'string[]') {
    const values = texts.flatMap((text) =>
      text.trimStart().startsWith('[') ? jsonStrings(text, fail) : [text],
    );
    if (values.length === 0) fail('no value');
    return { type: 'string[]', values };
  }
  if (texts.length > 1) fail(`given ${texts.length} times; it takes one value`);
  const text = texts[0];
  switch (def.type) {
    case 'string':
      return { type: 'string', value: text };
    case 'long': {
      if (!/^[-+]?\d+$/.test(text.trim())) fail(`not an integer: ${text}`);
      const value = Number(text);
      if (!Number.isSafeInteger(value)) fail(`out of range: ${text}`);
      return { type: 'long', value };
    }
    case 'real': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) fail(`not a number: ${text}`);
      return { type: 'real', value };
    }
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(t)) return { type: 'bool', value: true };
      if (['false', 'no', '0', 'off'].includes(t)) return { type: 'bool', value: false };
      return fail(`not true or false: ${text}`);
    }
    case 'datetime': {
      const ticks = parseDatetime(text);
      if (ticks === null) fail(`not a datetime: ${text}`);
      return { type: 'datetime', ticks: ticks as bigint };
    }
    case 'timespan': {
      const ticks = parseDuration(text.trim());
      if (ticks === null) fail(`not a timespan: ${text} (use 30m, 6h, 7d or PT6H)`);
      return { type: 'timespan', ticks: ticks as bigint };
    }
    case 'timerange': {
      const range = parseTimeRange(text);
      if (typeof range === 'string') fail(range);
      return { type: 'timerange', range: range as TimeRangeValue };
    }
  }
}

function jsonStrings(text: string, fail: (why: string) => never): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(`not a JSON array of strings: ${text}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
    return fail(`not a JSON array of strings: ${text}`);
  return parsed;
}

/** A KQL string literal holding `value` exactly: single quotes, backslash escapes for the rest. */
export function stringLiteral(value: string): string {
  return `'${escapeString(value)}'`;
}

/** The body of a KQL string literal (either quote): backslash, both quotes and control characters escaped. */
export function escapeString(value: string): string {
  return value.replace(/[\\'"\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** Where a value is substituted: KQL text, or display text (a report's Markdown). */
export type TokenContext = 'query' | 'text';

/** The substitution of `{Name:format}` for one value. `now` fixes relative time ranges. */
export function formatParameter(
  value: ParameterValue,
  format: string,
  context: TokenContext,
  now: bigint,
): string {
  const f = format === 'value' ? '' : format;
  switch (value.type) {
    case 'string':
      if (context === 'text' || f === 'label')
        return context === 'text' ? value.value : stringLiteral(value.value);
      return f === 'escape' ? escapeString(value.value) : stringLiteral(value.value);
    case 'string[]':
      if (context === 'query') return value.values.map(stringLiteral).join(', ');
      // `*` is the workbooks' "All" selection.
      return value.values.length === 1 && value.values[0] === '*' ? 'all' : value.values.join(', ');
    case 'long':
    case 'real':
      return String(value.value);
    case 'bool':
      return String(value.value);
    case 'datetime':
      if (context === 'text' || f === 'label') return displayTime(value.ticks);
      return f === 'ISO' ? datetimeLiteral(value.ticks).slice(9, -1) : datetimeLiteral(value.ticks);
    case 'timespan':
      return timespanLiteral(value.ticks);
    case 'timerange':
      return formatTimeRange(value.range, f, context, now);
  }
}

function formatTimeRange(range: TimeRangeValue, format: string, context: TokenContext, now: bigint): string {
  const window: ResolvedWindow = resolveWindow(range, now);
  switch (format) {
    case '':
    case 'query':
      if (context === 'text') return timeRangeLabel(range);
      // `> ago(30d)` in a workbook; bounded by now() too, so that a run with --now in the past does
      // not see the rows after it.
      return range.kind === 'relative'
        ? `between (ago(${timespanLiteral(range.duration)}) .. now())`
        : `between (${datetimeLiteral(range.from)} .. ${datetimeLiteral(range.to)})`;
    case 'label':
      return timeRangeLabel(range);
    case 'start':
      return context === 'text' ? displayTime(window.from) : datetimeLiteral(window.from);
    case 'end':
      return context === 'text' ? displayTime(window.to) : datetimeLiteral(window.to);
    case 'grain':
      return timespanLiteral(grainOf(window));
    case 'startISO':
      return datetimeLiteral(window.from).slice(9, -1);
    case 'endISO':
      return datetimeLiteral(window.to).slice(9, -1);
    case 'durationISO':
      return isoDuration(window.to - window.from);
    case 'seconds':
      return String((window.to - window.from) / 10_000_000n);
    default:
      throw new ParameterError(`unknown time range format :${format}`);
  }
}

/** Display text of a value (report headers, `query show`). */
export function displayValue(value: ParameterValue, now: bigint): string {
  return formatParameter(value, 'label', 'text', now);
}
