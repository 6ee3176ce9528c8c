/**
 * synchronizationJob objects derived from the logs, as of the emulator's clock: one job per JobId seen
 * for a service principal; cycles (CycleId) give the executions, the provisioning service's AuditLogs
 * events give pause/restart and the quarantine episodes (data-model.md §9, §10).
 *
 * Rules: a job is quarantined when its latest `Quarantine` event is not followed by a restart or a
 * cycle that did not fail; the series counts the Quarantine events since the last release; the next
 * attempt follows the service's back-off (6 h, 12 h, then daily). A cycle is Failed when every event
 * failed, EntryLevelErrors when some did, else Succeeded. A cycle with events after "now" is in flight
 * and shows as progress.
 */
import {
  GRAPH_NEVER,
  type SynchronizationError,
  type SynchronizationJob,
  type SynchronizationTaskExecution,
} from '../../azure/graph-types.js';
import { trimmedIso } from '../../model/time.js';
import type { AuditEntry, GraphData, ProvisioningEntry } from './data.js';

const HOUR_MS = 3_600_000;

interface CycleStats {
  id: string;
  begin: string;
  end: string;
  events: number;
  failures: number;
  skipped: number;
  exported: number;
  referenceDeltas: number;
  /** Events of the cycle after "now" (the cycle is still running). */
  pending: number;
  errorCode: string;
  errorMessage: string;
}

interface JobFacts {
  id: string;
  spId: string;
  cycles: Map<string, CycleStats>;
  /** Source object id → key of its type pair, for objects currently in the target. */
  objects: Map<string, string>;
}

function cycleState(c: CycleStats): SynchronizationTaskExecution['state'] {
  if (c.failures > 0 && c.failures === c.events) return 'Failed';
  return c.failures > 0 ? 'EntryLevelErrors' : 'Succeeded';
}

function execution(c: CycleStats): SynchronizationTaskExecution {
  const state = cycleState(c);
  const entitled = c.events - c.skipped;
  return {
    activityIdentifier: c.id,
    countEntitled: entitled,
    countEntitledForProvisioning: entitled,
    countEscrowed: c.failures,
    countEscrowedRaw: c.failures,
    countExported: c.exported,
    countExports: entitled,
    countImported: c.events,
    countImportedDeltas: c.events,
    countImportedReferenceDeltas: c.referenceDeltas,
    error:
      state === 'Failed'
        ? { code: c.errorCode || 'Unknown', message: c.errorMessage, tenantActionable: true }
        : null,
    state,
    timeBegan: trimmedIso(c.begin),
    timeEnded: trimmedIso(c.end),
  };
}

function typeKey(entry: ProvisioningEntry): string {
  const source = entry.sourceType || 'object';
  const target = (entry.targetType.split(':').pop() || source).replace(/^\w/, (c) => c.toUpperCase());
  return `${source.toLowerCase()} to ${target}`;
}

function collect(data: GraphData, spId: string, now: string): Map<string, JobFacts> {
  const jobs = new Map<string, JobFacts>();
  for (const entry of data.provisioning) {
    if (entry.spId !== spId || entry.row.JobId === '') continue;
    let job = jobs.get(entry.row.JobId);
    if (!job) {
      job = { id: entry.row.JobId, spId, cycles: new Map(), objects: new Map() };
      jobs.set(job.id, job);
    }
    const cycleId = entry.row.CycleId || `(no cycle ${entry.time.slice(0, 13)})`;
    let cycle = job.cycles.get(cycleId);
    if (entry.time > now) {
      if (cycle) cycle.pending++;
      continue;
    }
    if (!cycle) {
      cycle = {
        id: cycleId,
        begin: entry.time,
        end: entry.time,
        events: 0,
        failures: 0,
        skipped: 0,
        exported: 0,
        referenceDeltas: 0,
        pending: 0,
        errorCode: '',
        errorMessage: '',
      };
      job.cycles.set(cycleId, cycle);
    }
    cycle.end = entry.time;
    cycle.events++;
    const action = entry.row.ProvisioningAction;
    const status = entry.status.toLowerCase();
    if (status === 'failure') {
      cycle.failures++;
      cycle.errorCode = entry.row.ResultSignature;
      cycle.errorMessage = entry.row.ResultDescription;
    } else if (status === 'skipped') cycle.skipped++;
    else if (action !== 'other') cycle.exported++;
    if (entry.sourceType.toLowerCase() === 'group' && action === 'update') cycle.referenceDeltas++;
    if (
      (status === 'success' || status === 'warning') &&
      entry.sourceId &&
      entry.sourceType !== 'FakeServicePrincipal'
    ) {
      if (action === 'delete') job.objects.delete(entry.sourceId);
      else if (action !== 'other' && action !== 'stagedDelete' && !job.objects.has(entry.sourceId))
        job.objects.set(entry.sourceId, typeKey(entry));
    }
  }
  return jobs;
}

function auditJobId(entry: AuditEntry): string | undefined {
  return entry.details.JobId;
}

function errorOf(entry: AuditEntry): SynchronizationError {
  const description = entry.row.ResultDescription;
  const code =
    entry.details.ErrorCode || entry.details.QuarantineReason || entry.row.ResultReason || 'Unknown';
  // The reason follows "Error: " in the description, itself often starting with the code.
  const at = description.indexOf('Error: ');
  let message = at >= 0 ? description.slice(at + 'Error: '.length) : description;
  if (message.startsWith(`${code}: `)) message = message.slice(code.length + 2);
  return { code, message, tenantActionable: true };
}

/** Back-off of a quarantined job: 6 h after the first failure, 12 h after the second, then daily. */
function nextAttemptMs(currentBeganMs: number, seriesCount: number): number {
  const step = seriesCount <= 1 ? 6 * HOUR_MS : seriesCount === 2 ? 12 * HOUR_MS : 24 * HOUR_MS;
  return currentBeganMs + step;
}

function canonicalMs(canonical: string): number {
  return Date.parse(`${canonical.slice(0, 23)}Z`);
}

function templateOf(jobId: string): string {
  const dot = jobId.indexOf('.');
  return dot < 0 ? jobId : jobId.slice(0, dot);
}

function buildJob(
  facts: JobFacts,
  audits: AuditEntry[],
  now: string,
  nowMs: number,
): SynchronizationJob | undefined {
  const cycles = [...facts.cycles.values()].sort((a, b) =>
    a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : 0,
  );
  const completed = cycles.filter((c) => c.pending === 0);
  const running = cycles.filter((c) => c.pending > 0);
  const ok = completed.filter((c) => cycleState(c) !== 'Failed');
  const last = completed.at(-1);
  const lastOk = ok.at(-1);
  const lastWithExports = ok.filter((c) => c.exported > 0).at(-1);
  let failuresInRow = 0;
  for (let i = completed.length - 1; i >= 0 && cycleState(completed[i]) === 'Failed'; i--) failuresInRow++;

  // Configuration and quarantine history of this job.
  let paused = false;
  let deleted = false;
  let threshold = '500';
  const releases: string[] = [];
  const quarantines: AuditEntry[] = [];
  for (const entry of audits) {
    if (entry.time > now || !entry.provisioning) continue;
    const jobId = auditJobId(entry);
    const forSp = entry.targets.some((t) => t.id === facts.spId);
    if (jobId !== undefined ? jobId !== facts.id : !forSp) continue;
    if (entry.details.QuarantineTooManyDeletesThreshold)
      threshold = entry.details.QuarantineTooManyDeletesThreshold;
    switch (entry.activity) {
      case 'Quarantine':
        quarantines.push(entry);
        break;
      case 'Disable/pause provisioning configuration':
        paused = true;
        break;
      case 'Enable/start provisioning configuration':
      case 'Enable/restart provisioning configuration':
        paused = false;
        deleted = false;
        releases.push(entry.time);
        break;
      case 'Delete provisioning configuration':
        deleted = true;
        break;
    }
  }
  if (deleted) return undefined;
  for (const c of ok) releases.push(c.begin);
  let lastRelease = '';
  for (const time of releases) if (time > lastRelease) lastRelease = time;
  const series = quarantines.filter((q) => q.time > lastRelease);
  let quarantine: SynchronizationJob['status']['quarantine'] = null;
  if (series.length > 0) {
    const current = series[series.length - 1];
    const count = Number(current.details.SeriesCount) || series.length;
    const currentMs = canonicalMs(current.time);
    quarantine = {
      currentBegan: trimmedIso(current.time),
      nextAttempt: new Date(nextAttemptMs(currentMs, count)).toISOString(),
      reason: current.details.QuarantineReason || current.row.ResultReason || 'Unknown',
      seriesBegan: trimmedIso(series[0].time),
      seriesCount: count,
      error: errorOf(current),
    };
  }
  const entryCounts = new Map<string, number>();
  for (const key of facts.objects.values()) entryCounts.set(key, (entryCounts.get(key) ?? 0) + 1);
  const firstOk = ok[0];
  const code = paused ? 'Paused' : quarantine ? 'Quarantine' : cycles.length === 0 ? 'NotRun' : 'Active';
  const template = templateOf(facts.id);
  return {
    id: facts.id,
    templateId: template,
    schedule: {
      expiration: null,
      interval: template === 'AD2AADProvisioning' ? 'PT2M' : 'PT40M',
      state: paused ? 'Paused' : 'Active',
    },
    status: {
      code,
      countSuccessiveCompleteFailures: failuresInRow,
      escrowsPruned: false,
      lastExecution: last ? execution(last) : null,
      lastSuccessfulExecution: lastOk ? execution(lastOk) : null,
      lastSuccessfulExecutionWithExports: lastWithExports ? execution(lastWithExports) : null,
      progress: running.map((c) => ({
        completedUnits: c.events,
        totalUnits: c.events + c.pending,
        units: 'Objects',
        progressObservationDateTime: new Date(nowMs).toISOString(),
      })),
      quarantine,
      steadyStateFirstAchievedTime: firstOk ? trimmedIso(firstOk.end) : GRAPH_NEVER,
      steadyStateLastAchievedTime: lastOk ? trimmedIso(lastOk.end) : GRAPH_NEVER,
      synchronizedEntryCountByType: [...entryCounts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => ({ key, value })),
      troubleshootingUrl: null,
    },
    synchronizationJobSettings: [{ name: 'QuarantineTooManyDeletesThreshold', value: threshold }],
  };
}

/** The service principal's jobs as of `nowMs`. */
export function synchronizationJobs(data: GraphData, spId: string, nowMs: number): SynchronizationJob[] {
  const now = new Date(nowMs).toISOString().replace('Z', '9999Z');
  const facts = collect(data, spId, now);
  // Jobs configured (audit events) but never run.
  for (const entry of data.audits) {
    if (!entry.provisioning || entry.time > now) continue;
    const jobId = auditJobId(entry);
    if (jobId && !facts.has(jobId) && entry.targets.some((t) => t.id === spId))
      facts.set(jobId, { id: jobId, spId, cycles: new Map(), objects: new Map() });
  }
  const jobs: SynchronizationJob[] = [];
  for (const job of facts.values()) {
    const built = buildJob(job, data.audits, now, nowMs);
    if (built) jobs.push(built);
  }
  return jobs.sort((a, b) => (a.id < b.id ? -1 : 1));
}
