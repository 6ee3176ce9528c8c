/** Reading the many ways the docs (and the engine) write datetimes and timespans, as 100-ns ticks. */

const TICKS_PER_MS = 10_000n;
const TICKS_PER_SECOND = 10_000_000n;

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const US_DATETIME =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?$/i;

/** Ticks since the Unix epoch, or undefined when the text is not a datetime. */
export function parseDatetimeText(text: string): bigint | undefined {
  const t = text.trim();
  const iso = ISO_DATETIME.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const ticks = utcTicks(+y, +mo, +d, +(h ?? 0), +(mi ?? 0), +(s ?? 0), frac);
    return ticks === undefined ? undefined : ticks - zoneOffsetTicks(zone);
  }
  const us = US_DATETIME.exec(t);
  if (us) {
    const [, mo, d, y, h, mi, s, frac, meridiem] = us;
    let hour = +(h ?? 0);
    if (meridiem) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    }
    return utcTicks(+y, +mo, +d, hour, +(mi ?? 0), +(s ?? 0), frac);
  }
  return undefined;
}

function utcTicks(y: number, mo: number, d: number, h: number, mi: number, s: number, frac?: string) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d) return undefined;
  date.setUTCHours(h, mi, s, 0);
  return BigInt(date.getTime()) * TICKS_PER_MS + fractionTicks(frac);
}

/** Seven digits of a second fraction are ticks; further digits are beyond the resolution. */
function fractionTicks(frac: string | undefined): bigint {
  if (!frac) return 0n;
  return BigInt(frac.slice(0, 7).padEnd(7, '0'));
}

function zoneOffsetTicks(zone: string | undefined): bigint {
  if (!zone || zone.toUpperCase() === 'Z') return 0n;
  const sign = zone[0] === '-' ? -1n : 1n;
  const digits = zone.slice(1).replace(':', '');
  const minutes = BigInt(+digits.slice(0, 2) * 60 + +digits.slice(2));
  return sign * minutes * 60n * TICKS_PER_SECOND;
}

const DOTNET_TIMESPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const COLON_DAYS_TIMESPAN = /^(-)?(\d+):(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;
const LITERAL_TIMESPAN = /^(-)?(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)$/i;

const UNIT_TICKS: Record<string, number> = {
  d: 864e9,
  day: 864e9,
  days: 864e9,
  h: 36e9,
  hr: 36e9,
  hrs: 36e9,
  hour: 36e9,
  hours: 36e9,
  m: 6e8,
  min: 6e8,
  minute: 6e8,
  minutes: 6e8,
  s: 1e7,
  sec: 1e7,
  second: 1e7,
  seconds: 1e7,
  ms: 1e4,
  milli: 1e4,
  millis: 1e4,
  millisecond: 1e4,
  milliseconds: 1e4,
  microsecond: 10,
  microseconds: 10,
  tick: 1,
  ticks: 1,
};

/** Ticks of a duration: `[-][d.]hh:mm:ss[.f]`, the docs' slip `d:hh:mm:ss`, or a KQL literal like `14d`. */
export function parseTimespanText(text: string): bigint | undefined {
  const t = text.trim();
  const parts = DOTNET_TIMESPAN.exec(t) ?? COLON_DAYS_TIMESPAN.exec(t);
  if (parts) {
    const [, minus, d, h, mi, s, frac] = parts;
    if (+h > 23 || +mi > 59 || +s > 59) return undefined;
    const seconds = BigInt(((+(d ?? 0) * 24 + +h) * 60 + +mi) * 60 + +s);
    const ticks = seconds * TICKS_PER_SECOND + fractionTicks(frac);
    return minus ? -ticks : ticks;
  }
  const literal = LITERAL_TIMESPAN.exec(t);
  if (literal) {
    const unit = UNIT_TICKS[literal[3].toLowerCase()];
    if (unit === undefined) return undefined;
    const ticks = BigInt(Math.round(Number(literal[2]) * unit));
    return literal[1] ? -ticks : ticks;
  }
  return undefined;
}
