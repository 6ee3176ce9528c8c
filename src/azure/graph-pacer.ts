/**
 * Client-side pacing for Graph's reports endpoints (5 requests per 10 s per app per tenant). A token
 * bucket whose tokens come back one window after they were used — i.e. a sliding-window log, which is
 * what keeps a client under an "N per window" limit (a classic refill-rate bucket would let 2N through
 * in the first window).
 *
 * A token is "used" when the response arrives, not when the request leaves: the service counts a
 * request when it receives it, somewhere between the two, and a busy client (writing a batch) can
 * hold a request back for a while after taking its token. Counting from the response is the latest
 * moment the service can have seen it, so request k+N never reaches the service within a window of
 * request k; the cost is one response time per window.
 *
 * A 429 means the model is off anyway (another client shares the quota): the pacer waits out
 * Retry-After, lowers its limit by one and widens its margin, and earns the limit back after a run of
 * accepted requests.
 */

export interface PacerOptions {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** Extra spacing beyond the window (default 1 % of the window, at least 20 ms). */
  marginMs?: number;
  /** The clock (tests and benchmarks); default performance.now. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PacerStats {
  requests: number;
  throttled: number;
  /** Time spent waiting for a token, ms. */
  waitedMs: number;
  /** The limit currently used (lower than the configured one after 429s). */
  limit: number;
}

interface Slot {
  /** When the token was used: taken, then moved to the response time. */
  at: number;
  pending: boolean;
  settled: Promise<void>;
}

/** Call when the response (or the failure) of the paced request arrived. */
export type PacedDone = () => void;

export class RequestPacer {
  private readonly sent: Slot[] = [];
  private pausedUntil = 0;
  private limit: number;
  private marginMs: number;
  private readonly baseMarginMs: number;
  private accepted = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly stats: PacerStats;

  constructor(private readonly options: PacerOptions) {
    this.limit = options.limit;
    this.baseMarginMs = options.marginMs ?? Math.max(20, options.windowMs * 0.01);
    this.marginMs = this.baseMarginMs;
    this.clock = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? sleep;
    this.stats = { requests: 0, throttled: 0, waitedMs: 0, limit: this.limit };
  }

  /** Waits for a token; callers are served in order. Call the returned function when the answer came. */
  acquire(signal?: { readonly aborted: boolean }): Promise<PacedDone> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  private async take(signal?: { readonly aborted: boolean }): Promise<PacedDone> {
    for (;;) {
      if (signal?.aborted) throw new Error('The request was aborted.');
      const oldest = this.sent.length >= this.limit ? this.sent[this.sent.length - this.limit] : undefined;
      if (oldest?.pending) {
        await oldest.settled;
        continue;
      }
      const now = this.clock();
      const readyAt = Math.max(
        this.pausedUntil,
        oldest === undefined ? now : oldest.at + this.options.windowMs + this.marginMs,
      );
      if (readyAt <= now) return this.use(now);
      this.stats.waitedMs += readyAt - now;
      await this.sleep(readyAt - now);
    }
  }

  private use(now: number): PacedDone {
    let settle = () => {};
    const slot: Slot = {
      at: now,
      pending: true,
      settled: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    this.sent.push(slot);
    if (this.sent.length > this.options.limit) this.sent.splice(0, this.sent.length - this.options.limit);
    this.stats.requests++;
    return () => {
      if (!slot.pending) return;
      slot.at = Math.max(slot.at, this.clock());
      slot.pending = false;
      settle();
    };
  }

  /** A 429 arrived: wait `retryAfterMs` before the next request and slow down. */
  throttled(retryAfterMs: number): void {
    this.stats.throttled++;
    this.accepted = 0;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + retryAfterMs);
    this.limit = Math.max(1, this.limit - 1);
    this.marginMs = Math.min(this.options.windowMs / 2, this.marginMs * 2 + 20);
    this.stats.limit = this.limit;
  }

  /** A request was accepted; after enough of them the pacer returns towards the configured limit. */
  succeeded(): void {
    if (this.limit === this.options.limit && this.marginMs === this.baseMarginMs) return;
    if (++this.accepted < this.options.limit * 3) return;
    this.accepted = 0;
    this.limit = Math.min(this.options.limit, this.limit + 1);
    this.marginMs = Math.max(this.baseMarginMs, this.marginMs / 2);
    this.stats.limit = this.limit;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
