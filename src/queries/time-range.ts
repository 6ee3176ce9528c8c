/**
 * The workbook time-range parameter: a relative window ending now (`30d`) or an absolute one
 * (`2026-01-01/2026-02-01`), and the forms the workbook formatter gives it in query text.
 */
import { formatDatetime, parseDatetime, parseTimespan } from '../kql/text.js';

const TICKS_PER_MS = 10_000n;
const MINUTE = 60_000n * TICKS_PER_MS;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;

export type TimeRangeValue =
  | { kind: 'relative'; duration: bigint }
  | { kind: 'absolute'; from: bigint; to: bigint };

export interface ResolvedWindow {
  from: bigint;
  to: bigint;
}

/**
 * Parses `30d`, `24h`, `P30D`/`PT12H` (relative, ending now), or `FROM/TO`, `FROM..TO` (absolute,
 * ISO datetimes or dates). Returns a message when the text is none of those.
 */
export function parseTimeRange(text: string): TimeRangeValue | string {
  const value = text.trim();
  const split = value.includes('..') ? value.split('..') : value.split('/');
  if (split.length === 2) {
    const from = parseDatetime(split[0].trim());
    const to = parseDatetime(split[1].trim());
    if (from === null || to === null) return `not a time range: ${text} (use FROM/TO with ISO datetimes)`;
    if (to <= from) return `time range ends before it starts: ${text}`;
    return { kind: 'absolute', from, to };
  }
  const duration = parseDuration(value);
  if (duration === null || duration <= 0n)
    return `not a time range: ${text} (use a duration such as 7d, 24h, P30D, or FROM/TO)`;
  return { kind: 'relative', duration };
}

/** A positive duration as a KQL timespan literal (`30d`) or ISO 8601 (`P30D`, `PT12H`). */
export function parseDuration(text: string): bigint | null {
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (iso && text.length > 1 && !/T$/i.test(text)) {
    const [, w, d, h, m, s] = iso;
    return (
      BigInt(w ?? 0) * 7n * DAY +
      BigInt(d ?? 0) * DAY +
      BigInt(h ?? 0) * HOUR +
      BigInt(m ?? 0) * MINUTE +
      BigInt(Math.round(Number(s ?? 0) * 1e7))
    );
  }
  if (!/^[\d.]+\s*[a-z]+$/i.test(text)) return null;
  return parseTimespan(text);
}

export function resolveWindow(range: TimeRangeValue, now: bigint): ResolvedWindow {
  return range.kind === 'relative' ? { from: now - range.duration, to: now } : range;
}

/** The shortest KQL timespan literal for a duration: `30d`, `6h`, `15m`, `90s`, `250ms`, `7tick`. */
export function timespanLiteral(ticks: bigint): string {
  const units: [bigint, string][] = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
    [1000n * TICKS_PER_MS, 's'],
    [TICKS_PER_MS, 'ms'],
  ];
  for (const [size, unit] of units) if (ticks % size === 0n) return `${ticks / size}${unit}`;
  return `${ticks}tick`;
}

export function datetimeLiteral(ticks: bigint): string {
  return `datetime(${formatDatetime(ticks)})`;
}

const GRAINS = [1n, 5n, 10n, 15n, 30n, 60n, 120n, 180n, 360n, 720n, 1440n, 2880n, 10080n, 43200n].map(
  (minutes) => minutes * MINUTE,
);

/** A bin size giving at most 50 bins over the window (the portal's own rule is not published). */
export function grainOf(window: ResolvedWindow): bigint {
  const span = window.to - window.from;
  return GRAINS.find((grain) => span / grain <= 50n) ?? GRAINS[GRAINS.length - 1];
}

/** `Last 30 days`, `Last 12 hours`, or the absolute range in UTC. */
export function timeRangeLabel(range: TimeRangeValue): string {
  if (range.kind === 'absolute') return `${displayTime(range.from)} to ${displayTime(range.to)} (UTC)`;
  const d = range.duration;
  const plural = (n: bigint, unit: string) => `Last ${n === 1n ? '' : `${n} `}${unit}${n === 1n ? '' : 's'}`;
  if (d % DAY === 0n) return plural(d / DAY, 'day');
  if (d % HOUR === 0n) return plural(d / HOUR, 'hour');
  if (d % MINUTE === 0n) return plural(d / MINUTE, 'minute');
  return `Last ${timespanLiteral(d)}`;
}

/** `2026-11-27 10:06Z` (seconds when not zero). */
export function displayTime(ticks: bigint): string {
  const iso = formatDatetime(ticks);
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`}Z`;
}

/** ISO 8601 duration (`PT720H`), as the workbook formatter's `:durationISO` gives it. */
export function isoDuration(ticks: bigint): string {
  const seconds = Number(ticks) / 1e7;
  if (seconds % 3600 === 0) return `PT${seconds / 3600}H`;
  if (seconds % 60 === 0) return `PT${seconds / 60}M`;
  return `PT${seconds}S`;
}
