/**
 * The simulation: per app a scheduler of cycles (initial, incremental, quarantine streak and retries,
 * staged deletes) and a per-user state machine. It produces light event descriptors; rendering them
 * into rows is `steps.ts`'s job, so ground truth can be counted without rendering.
 */

import type { AppDef } from './apps.js';
import type { ErrorKey } from './errors.js';
import type { Group, User } from './names.js';
import { Rng } from './rng.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** 100-ns ticks per millisecond. */
export const TICKS = 10_000;

export const K = {
  create: 0,
  update: 1,
  noise: 2,
  disable: 3,
  enable: 4,
  delete: 5,
  skipScope: 6,
  skipInvalid: 7,
  staged: 8,
  groupCreate: 9,
  groupMembers: 10,
  fakeSp: 11,
} as const;

/** ProvisioningAction by event kind. */
export const ACTION_OF_KIND = [
  'create',
  'update',
  'update',
  'disable',
  'update',
  'delete',
  'other',
  'create',
  'stagedDelete',
  'create',
  'update',
  'other',
] as const;

export const RESULT_NAMES = ['Success', 'Failure', 'Skipped', 'Warning'] as const;

/** One provisioning event before rendering. */
export interface Ev {
  /** Ticks since the window start. */
  t: number;
  app: number;
  cycle: string;
  kind: number;
  /** 0 success, 1 failure, 2 skipped, 3 warning. */
  result: number;
  /** User or group index. */
  obj: number;
  /** Member user index (group member events). */
  member: number;
  err: ErrorKey | null;
  dur: number;
  variant: number;
  emptyAction: boolean;
}

// User states per app.
const OUT = 0;
const PROVISIONED = 1;
const DISABLED = 2;
const DELETED = 3;
const STAGED = 5;

export interface QuarantinePlan {
  app: number;
  streak: number[];
  quarantineAt: number;
  retries: number[];
  pauseAt: number;
  credentialsAt: number;
  restartAt: number;
  liftAt: number;
}

export interface StagedPlan {
  app: number;
  scopeChangeAt: number;
  at: number;
  threshold: number;
  count: number;
  spacingMs: number;
  quarantineAt: number;
  approveAt: number;
  deleteAt: number;
}

export interface Plan {
  windowMs: number;
  initialAt: number[];
  quarantine: QuarantinePlan | null;
  staged: StagedPlan | null;
}

export function makePlan(apps: readonly AppDef[], users: number, windowMs: number): Plan {
  const W = windowMs;
  const initialAt = apps.map((_, i) => 10 * MINUTE + i * 7 * MINUTE);
  const scim = apps.filter((a) => a.kind === 'scim');
  let quarantine: QuarantinePlan | null = null;
  if (scim.length > 0) {
    const start = Math.floor(W * 0.2);
    const streak = [0, 1, 2, 3].map((k) => start + k * 40 * MINUTE);
    const quarantineAt = streak[3] + 6 * MINUTE;
    const pauseAt = Math.max(Math.floor(W * 0.55), quarantineAt + HOUR);
    const retries: number[] = [];
    const steps = [6 * HOUR, 12 * HOUR];
    let at = quarantineAt;
    for (let k = 0; ; k++) {
      at += k < steps.length ? steps[k] : DAY;
      if (at >= pauseAt - 10 * MINUTE) break;
      retries.push(at);
    }
    quarantine = {
      app: scim[0].index,
      streak,
      quarantineAt,
      retries,
      pauseAt,
      credentialsAt: pauseAt + 4 * MINUTE,
      restartAt: pauseAt + 6 * MINUTE,
      liftAt: pauseAt + 8 * MINUTE,
    };
  }
  let staged: StagedPlan | null = null;
  if (scim.length > 0) {
    const app = scim.length > 1 ? scim[1] : scim[0];
    // QuarantineTooManyDeletesThreshold: 500 by default, scaled down to the tenant (10 % of users).
    const threshold = Math.min(500, Math.max(3, Math.round(users * 0.1)));
    const count = threshold + Math.max(2, Math.round(threshold * 0.25));
    const spacingMs = 1500;
    const at = Math.floor(W * 0.7);
    const quarantineAt = at + count * spacingMs + 2 * MINUTE;
    const approveAt = quarantineAt + 4 * HOUR;
    staged = {
      app: app.index,
      scopeChangeAt: at - 30 * MINUTE,
      at,
      threshold,
      count,
      spacingMs,
      quarantineAt,
      approveAt,
      deleteAt: approveAt + 5 * MINUTE,
    };
  }
  return { windowMs: W, initialAt, quarantine, staged };
}

type CycleType = 'initial' | 'normal' | 'credfail' | 'lift' | 'staged' | 'stagedDeletes';

interface Cycle {
  at: number;
  type: CycleType;
}

class AppSim {
  readonly state: Uint8Array;
  private readonly queue: Cycle[] = [];
  private next: Cycle;
  private quarantineDone: boolean;
  private stagedDone: boolean;
  private stagedUsers: number[] = [];

  constructor(
    private readonly sim: Simulation,
    readonly app: AppDef,
    private readonly rng: Rng,
  ) {
    this.state = new Uint8Array(sim.users.length);
    this.next = { at: sim.plan.initialAt[app.index], type: 'initial' };
    this.quarantineDone = sim.plan.quarantine?.app !== app.index;
    this.stagedDone = sim.plan.staged?.app !== app.index;
  }

  /** Runs every cycle that starts before `endMs`. */
  runUntil(endMs: number, out: Ev[]): void {
    const W = this.sim.plan.windowMs;
    while (this.next.at < endMs && this.next.at < W) {
      const cycle = this.next;
      const end = this.run(cycle, out);
      this.next = this.following(cycle, end);
    }
  }

  private following(cycle: Cycle, end: number): Cycle {
    const queued = this.queue.shift();
    if (queued) return queued;
    const app = this.app;
    const jitter = app.intervalMs >= 40 * MINUTE ? 4 * MINUTE : 10_000;
    let at = cycle.at + app.intervalMs + this.rng.range(-jitter, jitter);
    at = Math.max(at, end + MINUTE);
    const q = this.sim.plan.quarantine;
    if (!this.quarantineDone && q && at >= q.streak[0]) {
      this.quarantineDone = true;
      for (const s of q.streak) this.queue.push({ at: s, type: 'credfail' });
      for (const r of q.retries) this.queue.push({ at: r, type: 'credfail' });
      this.queue.push({ at: q.liftAt, type: 'lift' });
      return this.queue.shift()!;
    }
    const s = this.sim.plan.staged;
    if (!this.stagedDone && s && at >= s.at) {
      this.stagedDone = true;
      this.queue.push({ at: s.deleteAt, type: 'stagedDeletes' });
      return { at: s.at, type: 'staged' };
    }
    return { at, type: 'normal' };
  }

  private emit(
    out: Ev[],
    cycle: string,
    atMs: number,
    kind: number,
    result: number,
    obj: number,
    dur: number,
  ): Ev {
    const ev: Ev = {
      t: atMs * TICKS + this.rng.int(TICKS),
      app: this.app.index,
      cycle,
      kind,
      result,
      obj,
      member: -1,
      err: null,
      dur,
      variant: 0,
      emptyAction: false,
    };
    out.push(ev);
    return ev;
  }

  private failure(ev: Ev): void {
    ev.result = 1;
    ev.err = this.rng.pick(this.app.failureCodes);
    ev.dur += this.rng.range(500, 4000);
  }

  /** Runs one cycle; returns its end (ms). */
  private run(cycle: Cycle, out: Ev[]): number {
    const rng = this.rng;
    const app = this.app;
    const users = this.sim.users;
    const id = app.kind === 'cloud-sync' && cycle.type === 'normal' ? '' : rng.guid();
    let cursor = cycle.at + rng.range(1000, 15_000);
    const cycleId = () => id || rng.guid();
    switch (cycle.type) {
      case 'initial': {
        const cid = cycleId();
        for (let u = 0; u < users.length; u++) {
          cursor += rng.range(600, 4800);
          if (rng.chance(app.assigned)) {
            if (app.kind === 'scim' && rng.chance(0.02)) {
              this.emit(out, cid, cursor, K.skipInvalid, 2, u, rng.range(300, 1500));
            } else {
              const ev = this.emit(out, cid, cursor, K.create, 0, u, rng.range(800, 4800));
              if (rng.chance(0.03)) this.failure(ev);
              else this.state[u] = PROVISIONED;
            }
          } else {
            this.emit(out, cid, cursor, K.skipScope, 2, u, rng.range(150, 1200));
          }
        }
        if (app.hasGroups) {
          const groups = this.sim.groups;
          for (let g = 0; g < Math.ceil(groups.length / 2); g++) {
            cursor += rng.range(600, 4800);
            this.emit(out, cid, cursor, K.groupCreate, 0, g, rng.range(800, 5000));
          }
        }
        return cursor;
      }
      case 'credfail': {
        const cid = cycleId();
        const n = rng.range(3, 8);
        for (let i = 0; i < n; i++) {
          cursor += rng.range(1000, 5000);
          const u = rng.int(users.length);
          const kind = this.state[u] === PROVISIONED ? K.update : K.create;
          const ev = this.emit(out, cid, cursor, kind, 1, u, rng.range(1500, 9000));
          ev.err = 'credential';
          ev.variant = rng.int(300);
        }
        return cursor;
      }
      case 'staged': {
        const s = this.sim.plan.staged!;
        const cid = cycleId();
        const provisioned: number[] = [];
        for (let u = 0; u < users.length; u++) if (this.state[u] === PROVISIONED) provisioned.push(u);
        const take = Math.min(s.count, provisioned.length);
        // Deterministic partial shuffle.
        for (let i = 0; i < take; i++) {
          const j = i + rng.int(provisioned.length - i);
          const tmp = provisioned[i];
          provisioned[i] = provisioned[j];
          provisioned[j] = tmp;
        }
        this.stagedUsers = provisioned.slice(0, take).sort((a, b) => a - b);
        cursor = s.at;
        for (const u of this.stagedUsers) {
          cursor += s.spacingMs;
          this.state[u] = STAGED;
          this.emit(out, cid, cursor, K.staged, 2, u, rng.range(100, 600));
        }
        return cursor;
      }
      case 'stagedDeletes': {
        const cid = cycleId();
        for (const u of this.stagedUsers) {
          cursor += rng.range(300, 2500);
          this.state[u] = DELETED;
          this.emit(out, cid, cursor, K.delete, 0, u, rng.range(300, 2500));
        }
        this.stagedUsers = [];
        return this.incremental(out, cid, cursor, 1);
      }
      case 'lift':
        return this.incremental(out, cycleId(), cursor, 3);
      default: {
        const n = rng.poisson(users.length * app.rate);
        // About one group membership change per 40 minutes, whatever the schedule.
        const groupEvent = app.hasGroups && rng.chance((0.25 * app.intervalMs) / (40 * MINUTE));
        const fake = (app.kind === 'scim' || app.kind === 'cross-tenant') && rng.chance(0.015);
        if (n === 0 && !groupEvent && !fake) return cursor; // cycles without changes write nothing
        const cid = cycleId();
        cursor = this.incremental(out, cid, cursor, 1, n);
        if (groupEvent) cursor = this.groupMembers(out, cid, cursor);
        if (fake) {
          cursor += rng.range(100, 800);
          const ev = this.emit(out, cid, cursor, K.fakeSp, 2, 0, rng.range(50, 400));
          ev.emptyAction = rng.chance(0.5);
        }
        return cursor;
      }
    }
  }

  private groupMembers(out: Ev[], cid: string, cursor: number): number {
    const rng = this.rng;
    const groups = this.sim.groups;
    const n = this.state.length;
    let member = rng.int(n);
    // Mostly members that are provisioned; now and then one that is not (an unresolvable reference).
    if (rng.chance(0.85))
      for (let tries = 0; tries < 6 && this.state[member] !== PROVISIONED; tries++) member = rng.int(n);
    cursor += rng.range(500, 3000);
    const ev = this.emit(out, cid, cursor, K.groupMembers, 0, rng.int(Math.ceil(groups.length / 2)), 0);
    ev.member = member;
    ev.dur = rng.range(600, 6000);
    if (this.state[member] !== PROVISIONED) {
      ev.result = 1;
      ev.err = 'unresolvedReference';
    }
    return cursor;
  }

  /** Incremental changes: `n` objects (Poisson by default), `boost` scales the mean. */
  private incremental(out: Ev[], cid: string, cursor: number, boost: number, count?: number): number {
    const rng = this.rng;
    const app = this.app;
    const state = this.state;
    const n = count ?? rng.poisson(state.length * app.rate * boost);
    for (let i = 0; i < n; i++) {
      cursor += rng.range(200, 3000);
      const u = rng.int(state.length);
      const r = rng.next();
      switch (state[u]) {
        case OUT:
          if (r < 0.03) this.create(out, cid, cursor, u);
          else this.emit(out, cid, cursor, K.skipScope, 2, u, rng.range(150, 1200));
          break;
        case PROVISIONED:
          if (r < 0.55) {
            const ev = this.emit(out, cid, cursor, K.update, 0, u, rng.range(400, 3600));
            ev.variant = rng.int(300);
            const f = rng.next();
            if (f < 0.03) this.failure(ev);
            else if (f < 0.036) {
              ev.result = 3;
              ev.err = 'redundantExport';
            }
          } else if (r < 0.8) this.emit(out, cid, cursor, K.noise, 0, u, rng.range(300, 2500));
          else if (r < 0.85) {
            this.emit(out, cid, cursor, K.disable, 0, u, rng.range(400, 3000));
            state[u] = DISABLED;
          } else if (r < 0.87) {
            this.emit(out, cid, cursor, K.delete, 0, u, rng.range(300, 2500));
            state[u] = DELETED;
          } else this.emit(out, cid, cursor, K.skipScope, 2, u, rng.range(150, 1200)).variant = 1;
          break;
        case DISABLED:
          if (r < 0.3) {
            this.emit(out, cid, cursor, K.enable, 0, u, rng.range(400, 3000));
            state[u] = PROVISIONED;
          } else if (r < 0.45) {
            this.emit(out, cid, cursor, K.delete, 0, u, rng.range(300, 2500));
            state[u] = DELETED;
          } else this.emit(out, cid, cursor, K.skipScope, 2, u, rng.range(150, 1200));
          break;
        case DELETED:
          if (r < 0.04) this.create(out, cid, cursor, u);
          else this.emit(out, cid, cursor, K.skipScope, 2, u, rng.range(150, 1200));
          break;
        default:
          // Staged users wait for the administrator.
          break;
      }
    }
    return cursor;
  }

  private create(out: Ev[], cid: string, cursor: number, u: number): void {
    const ev = this.emit(out, cid, cursor, K.create, 0, u, this.rng.range(800, 4800));
    if (this.rng.chance(0.05)) this.failure(ev);
    else this.state[u] = PROVISIONED;
  }
}

/** Runs all apps; `day()` returns the next day's events in time order. */
export class Simulation {
  private readonly sims: AppSim[];
  private carry: Ev[] = [];
  private dayStart = 0;

  constructor(
    seed: number,
    readonly apps: readonly AppDef[],
    readonly users: readonly User[],
    readonly groups: readonly Group[],
    readonly plan: Plan,
  ) {
    this.sims = apps.map((app) => new AppSim(this, app, new Rng(seed, 1000 + app.index)));
  }

  get done(): boolean {
    return this.dayStart >= this.plan.windowMs;
  }

  /** Events of the next 24 h of the window, sorted by time (stable). */
  day(): Ev[] {
    const W = this.plan.windowMs;
    const dayEnd = Math.min(W, this.dayStart + DAY);
    const batch = this.carry;
    this.carry = [];
    for (const sim of this.sims) sim.runUntil(dayEnd, batch);
    batch.sort((a, b) => a.t - b.t);
    const endTicks = dayEnd * TICKS;
    let cut = batch.length;
    while (cut > 0 && batch[cut - 1].t >= endTicks) cut--;
    if (cut < batch.length) {
      if (dayEnd < W) this.carry = batch.slice(cut);
      batch.length = cut;
    }
    this.dayStart = dayEnd;
    return batch;
  }
}
