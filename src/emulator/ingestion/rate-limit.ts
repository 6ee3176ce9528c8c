/** Requests per minute per data collection rule, counted over a sliding 60-second window. */

const WINDOW_MS = 60_000;

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

export class SlidingWindowLimiter {
  /** Arrival times (ms, ascending) of the admitted requests of the last window, per key. */
  private readonly arrivals = new Map<string, number[]>();

  /** Admits one request for `key` unless `limit` requests were admitted in the last 60 s. */
  admit(key: string, limit: number, nowMs: number): Admission {
    let times = this.arrivals.get(key);
    if (!times) {
      times = [];
      this.arrivals.set(key, times);
    }
    let expired = 0;
    while (expired < times.length && times[expired] <= nowMs - WINDOW_MS) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= limit) {
      // The oldest request leaves the window first; another is admitted from then on.
      const waitMs = times[times.length - limit] + WINDOW_MS - nowMs;
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    times.push(nowMs);
    return { admitted: true };
  }
}
