/**
 * The reports endpoints' throttle (5 requests per 10 s per app per tenant): a sliding window per
 * client, keyed by its bearer token. Refused requests do not count. Wall-clock time, not the
 * emulator's (possibly fixed) data clock.
 */
import type { EmulatorRequest } from '../http.js';

export class ReportsThrottle {
  private readonly clients = new Map<string, number[]>();

  /** Records the request and returns undefined, or the seconds until a slot frees (Retry-After). */
  admit(
    request: EmulatorRequest,
    limit: number,
    windowSeconds: number,
    nowMs = performance.now(),
  ): number | undefined {
    const key = request.headers.authorization ?? '';
    const windowMs = windowSeconds * 1000;
    const times = (this.clients.get(key) ?? []).filter((t) => t > nowMs - windowMs);
    if (times.length >= limit) {
      this.clients.set(key, times);
      const freesAt = times[times.length - limit] + windowMs;
      return Math.max(1, Math.ceil((freesAt - nowMs) / 1000));
    }
    times.push(nowMs);
    this.clients.set(key, times);
    return undefined;
  }
}
