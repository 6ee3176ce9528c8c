/**
 * Datetimes at Kusto's 100-ns precision. The canonical text is ISO-8601 UTC with seven fraction
 * digits; ticks are 100-ns units since the Unix epoch (a bigint, as 2^53 ns is only ~104 days).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:\s*([AaPp][Mm]))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface ParsedTime {
  /** Milliseconds since the epoch (whole). */
  readonly epochMs: number;
  /** 100-ns ticks within the millisecond, 0..9999. */
  readonly subMsTicks: number;
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string,
  zone: string | undefined,
): ParsedTime | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const digits = (fraction + '0000000').slice(0, 7);
  const ms = Number(digits.slice(0, 3));
  const subMsTicks = Number(digits.slice(3, 7));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  const epochMs = local - offsetMinutes(zone) * 60_000;
  if (!Number.isFinite(epochMs)) return undefined;
  return { epochMs, subMsTicks };
}

/** Parses the datetime forms seen in provisioning data; strings without a zone are UTC. */
export function parseTime(text: string): ParsedTime | undefined {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) {
    return build(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      m[7] ?? '',
      m[8],
    );
  }
  m = US.exec(s);
  if (m) {
    let hour = Number(m[4] ?? 0);
    const meridiem = m[8]?.toUpperCase();
    if (meridiem) {
      if (hour < 1 || hour > 12) return undefined;
      if (meridiem === 'AM' && hour === 12) hour = 0;
      if (meridiem === 'PM' && hour !== 12) hour += 12;
    }
    return build(
      Number(m[3]),
      Number(m[1]),
      Number(m[2]),
      hour,
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      m[7] ?? '',
      m[9],
    );
  }
  return undefined;
}

/** Canonical text: `yyyy-MM-ddTHH:mm:ss.fffffffZ`. */
export function formatCanonical(t: ParsedTime): string {
  const iso = new Date(t.epochMs).toISOString(); // yyyy-MM-ddTHH:mm:ss.mmmZ
  return `${iso.slice(0, 23)}${String(t.subMsTicks).padStart(4, '0')}Z`;
}

/** Parses any accepted form into canonical text, or undefined when it is not a datetime. */
export function canonicalTime(text: string): string | undefined {
  const parsed = parseTime(text);
  return parsed ? formatCanonical(parsed) : undefined;
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

export function isCanonicalTime(text: string): boolean {
  return CANONICAL.test(text);
}

/** 100-ns ticks since the epoch of a canonical datetime. */
export function canonicalToTicks(text: string): bigint {
  const ms = Date.parse(text.slice(0, 23) + 'Z');
  return BigInt(ms) * 10_000n + BigInt(Number(text.slice(23, 27)));
}

export function ticksToCanonical(ticks: bigint): string {
  let ms = ticks / 10_000n;
  let sub = ticks % 10_000n;
  if (sub < 0n) {
    sub += 10_000n;
    ms -= 1n;
  }
  return formatCanonical({ epochMs: Number(ms), subMsTicks: Number(sub) });
}

/** ISO text with trailing fraction zeros trimmed, as Graph writes activityDateTime. */
export function trimmedIso(canonical: string): string {
  const fraction = canonical.slice(20, 27).replace(/0+$/, '');
  return `${canonical.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Day partition key (yyyy-MM-dd, UTC) of a canonical datetime. */
export function dayOf(canonical: string): string {
  return canonical.slice(0, 10);
}
