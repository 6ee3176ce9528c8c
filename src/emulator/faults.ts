/** Injected faults: latency, 429/503 answers with Retry-After, and dropped connections. */
import type { EmulatorReply } from './http.js';
import { errorReply } from './http.js';
import type { EmulatorSettings } from './settings.js';

export type FaultDecision = { kind: 'none' } | { kind: 'drop' } | { kind: 'reply'; reply: EmulatorReply };

export class FaultDice {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: small, fast, and repeatable for a seed. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

export function decideFault(path: string, settings: EmulatorSettings, dice: FaultDice): FaultDecision {
  const f = settings.faults;
  if (f.paths.length > 0 && !f.paths.some((p) => path.toLowerCase().startsWith(p.toLowerCase()))) {
    return { kind: 'none' };
  }
  if (f.dropRate > 0 && dice.next() < f.dropRate) return { kind: 'drop' };
  const retryAfter = { 'retry-after': String(f.retryAfterSeconds) };
  if (f.throttleRate > 0 && dice.next() < f.throttleRate) {
    return {
      kind: 'reply',
      reply: errorReply(
        429,
        'TooManyRequests',
        'Rate limit exceeded (injected by the emulator).',
        {},
        retryAfter,
      ),
    };
  }
  if (f.unavailableRate > 0 && dice.next() < f.unavailableRate) {
    return {
      kind: 'reply',
      reply: errorReply(
        503,
        'ServiceUnavailable',
        'The service is unavailable (injected by the emulator).',
        {},
        retryAfter,
      ),
    };
  }
  return { kind: 'none' };
}
