/**
 * The query API's `timespan`: an ISO 8601 duration (ending now), `start/end`, `start/duration` or
 * `duration/end`, read as a window on TimeGenerated. Given both in the query string and the body, the
 * service uses their intersection.
 */
import type { TimeRange } from '../../kql/exec.js';
import { parseDatetime } from '../../kql/text.js';

const TICKS_PER_SECOND = 10_000_000n;
const DAY = 86_400n * TICKS_PER_SECOND;

/** A window [from, to) in ticks; `empty` when the two timespans do not overlap. */
export interface QueryWindow {
  from: bigint;
  to: bigint;
}

/**
 * An ISO 8601 duration in ticks (`P1D`, `PT12H`, `P1Y2M3W4DT5H6M7.5S`). Years count 365 days and
 * months 30, as .NET's XmlConvert reads them. Undefined when the text is not a duration.
 */
export function parseIsoDuration(text: string): bigint | undefined {
  const m =
    /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i.exec(
      text,
    );
  if (!m || text.length < 3 || /T$/i.test(text)) return undefined;
  const [, minus, y, mo, w, d, h, mi, s] = m;
  const [whole, fraction = ''] = (s ?? '0').split(/[.,]/);
  const seconds = BigInt(whole) * TICKS_PER_SECOND + BigInt((fraction.slice(0, 7) || '0').padEnd(7, '0'));
  const ticks =
    BigInt(y ?? 0) * 365n * DAY +
    BigInt(mo ?? 0) * 30n * DAY +
    BigInt(w ?? 0) * 7n * DAY +
    BigInt(d ?? 0) * DAY +
    BigInt(h ?? 0) * 3600n * TICKS_PER_SECOND +
    BigInt(mi ?? 0) * 60n * TICKS_PER_SECOND +
    seconds;
  return minus ? -ticks : ticks;
}

function parseInstant(text: string): bigint | undefined {
  // Only ISO datetimes: `todatetime`'s other forms (RFC 1123, US dates) are not what the API takes.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  return parseDatetime(text) ?? undefined;
}

/** The window of one timespan text relative to `now` (ticks); a message when it is not valid. */
export function parseTimespan(text: string, now: bigint): QueryWindow | string {
  const value = text.trim();
  const invalid = `The timespan '${text}' is not valid: use an ISO 8601 duration (P1D), start/end, start/duration or duration/end.`;
  const parts = value.split('/');
  if (parts.length === 1) {
    const duration = parseIsoDuration(value);
    if (duration === undefined || duration < 0n) return invalid;
    return { from: now - duration, to: now };
  }
  if (parts.length !== 2) return invalid;
  const [a, b] = parts.map((p) => p.trim());
  const startA = parseInstant(a);
  const endB = parseInstant(b);
  let window: QueryWindow | undefined;
  if (startA !== undefined && endB !== undefined) window = { from: startA, to: endB };
  else if (startA !== undefined) {
    const duration = parseIsoDuration(b);
    if (duration !== undefined) window = { from: startA, to: startA + duration };
  } else if (endB !== undefined) {
    const duration = parseIsoDuration(a);
    if (duration !== undefined) window = { from: endB - duration, to: endB };
  }
  if (!window || window.to < window.from) return invalid;
  return window;
}

/** The window both timespans allow (empty when they do not overlap: `to` ≤ `from`). */
export function intersectWindows(
  a: QueryWindow | undefined,
  b: QueryWindow | undefined,
): QueryWindow | undefined {
  if (!a) return b;
  if (!b) return a;
  return { from: later(a.from, b.from), to: earlier(a.to, b.to) };
}

/** The window as the engine's table filter: both ends inclusive; an empty window keeps nothing. */
export function windowRange(window: QueryWindow): TimeRange {
  return { from: window.from, to: window.to > window.from ? window.to + 1n : window.from };
}

function later(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

function earlier(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}
