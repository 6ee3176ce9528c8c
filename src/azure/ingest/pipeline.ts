/**
 * The backfill pipeline: read the source in order, map each row to the stream's record, cut the
 * records into chunks (chunks.ts), and upload the chunks through the Logs Ingestion client, several
 * at a time, each recorded in the ledger (ledger.ts) so that a killed run resumes without duplicates.
 *
 * Per request outcome:
 * - 204: the chunk is acknowledged in the ledger.
 * - 429/503 (after the SDK's own Retry-After retries): sent again after Retry-After or a back-off.
 * - 413: the rows are split in two requests; a single row the service refuses is rejected.
 * - no answer / 408 / 500 / 502 / 504: the rows may have landed. The chunk is set aside and, once the
 *   service's ingestion delay (`settleMs`) has passed, its IngestionIds are looked up by query and only
 *   the missing rows are sent. Chunks leased but unacknowledged by a killed run get the same lookup.
 * - anything else (400, 401, 403, 404): the run stops with the service's message; the ledger keeps
 *   what was done, and the next run resumes.
 */
import type { LogsIngestionClient } from '@azure/monitor-ingestion';
import { isAggregateLogsUploadError } from '@azure/monitor-ingestion';
import { UserError } from '../../errors.js';
import { type Chunk, type PlannedRecord, planChunks } from './chunks.js';
import { classifyFailure, fatalMessage, type RequestCounters } from './client.js';
import type { LandedRows } from './landed.js';
import { HEARTBEAT_MS, type Ledger } from './ledger.js';
import type { RejectEntry, RejectsFile } from './rejects.js';
import { customRowMapper, INGESTION_ID_COLUMN, ORIGINAL_TIME_COLUMN } from './schema.js';
import type { IngestSource, SourceProblem } from './source.js';

/** The service truncates longer values (64 KB per field). */
const MAX_FIELD_BYTES = 65_536;
/** Give up on one chunk after this many lookups that were followed by another unknown outcome. */
const MAX_UNKNOWN_OUTCOMES = 8;

export interface PipelineOptions {
  source: IngestSource;
  client: LogsIngestionClient;
  ruleId: string;
  stream: string;
  ledger: Ledger;
  rejects: RejectsFile;
  chunkBytes: number;
  concurrency: number;
  /** Looks rows up in the workspace; needed only when an outcome is unknown. */
  landed?: LandedRows;
  /** The service's ingestion delay: wait this long after a request before looking its rows up. */
  settleMs: number;
  /** Per request. */
  requestTimeoutMs?: number;
  /** How long one chunk may keep being throttled before the run stops (it can be resumed). */
  maxThrottleMs?: number;
  /** Counted by the client's pipeline (ingestionClient): every HTTP request, retries included. */
  counters?: RequestCounters;
  onProgress?: (progress: IngestProgress) => void;
  warn?: (message: string) => void;
}

export interface IngestProgress {
  read: number;
  sent: number;
  alreadyIngested: number;
  chunks: number;
  retries: number;
  rejected: number;
}

export interface IngestSummary {
  source: string;
  table: string;
  stream: string;
  dcrImmutableId: string;
  ledger: string;
  rowsRead: number;
  /** Rows uploaded by this run (204). */
  rowsSent: number;
  /** Rows of chunks an earlier run had acknowledged. */
  rowsAlreadyIngested: number;
  /** Rows of uncertain chunks that were found in the workspace, so not sent again. */
  rowsFoundLanded: number;
  /** Source rows repeating an earlier row's Id (files only); sent once. */
  duplicatesInSource: number;
  rejected: number;
  rejectsPath?: string;
  /** Values longer than 64 KB, which the service truncates. */
  truncatedValues: number;
  chunks: number;
  chunksSent: number;
  chunksSkipped: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests answered 429 or 503 and sent again (by the SDK's pipeline or by provlog). */
  retries: number;
  splits: number;
  unknownOutcomes: number;
  lookups: number;
  elapsedSeconds: number;
  rowsPerSecond: number;
  /** Rows per UTC day of the original time that should be in the table (for --verify). */
  expectedPerDay: Record<string, number>;
}

interface Part {
  records: Record<string, unknown>[];
  ids: string[];
  origins: (string | undefined)[];
}

type Outcome = 'done' | 'unknown';

export async function runPipeline(options: PipelineOptions): Promise<IngestSummary> {
  const { source, client, ledger, rejects } = options;
  const started = Date.now();
  const timeoutMs = options.requestTimeoutMs ?? 120_000;
  const maxThrottleMs = options.maxThrottleMs ?? 30 * 60_000;
  const concurrency = Math.max(1, options.concurrency);
  const warn = options.warn ?? (() => {});
  const stats = {
    read: 0,
    sent: 0,
    alreadyIngested: 0,
    foundLanded: 0,
    duplicates: 0,
    truncated: 0,
    chunks: 0,
    chunksSent: 0,
    chunksSkipped: 0,
    requests: 0,
    retries: 0,
    splits: 0,
    unknown: 0,
    lookups: 0,
  };
  const expected = new Map<string, number>();
  const refusedIds = new Set(ledger.refused.map((r) => r.ingestionId));
  for (const refused of ledger.refused) {
    rejects.write({ ...pick(refused), reason: refused.reason });
  }
  // A killed run's last request went out no later than its last ledger write + the heartbeat (a
  // finished run had none in flight); its rows are queryable once the ingestion delay passed too.
  const resumedLookupAt =
    ledger.previousWriteMs === undefined
      ? 0
      : ledger.previousWriteMs + (ledger.previousComplete ? 0 : HEARTBEAT_MS) + options.settleMs;

  const progress = () =>
    options.onProgress?.({
      read: stats.read,
      sent: stats.sent,
      alreadyIngested: stats.alreadyIngested,
      chunks: stats.chunks,
      retries: options.counters?.throttled ?? stats.retries,
      rejected: rejects.count,
    });

  const mapper = customRowMapper(source.table);
  const seen = source.mayRepeat ? new Set<string>() : undefined;
  const onProblem = (problem: SourceProblem) => {
    if (problem.kind === 'warning')
      warn(problem.origin ? `${problem.origin}: ${problem.reason}` : problem.reason);
    else
      rejects.write({
        ...(problem.origin ? { origin: problem.origin } : {}),
        reason: problem.reason,
        ...(problem.excerpt ? { excerpt: problem.excerpt } : {}),
      });
  };

  async function* planned(): AsyncGenerator<PlannedRecord> {
    for await (const { row, origin } of source.records(onProblem)) {
      stats.read++;
      const record = mapper(row);
      const ingestionId = record[INGESTION_ID_COLUMN] as string;
      if (seen) {
        if (seen.has(ingestionId)) {
          stats.duplicates++;
          continue;
        }
        seen.add(ingestionId);
      }
      const bytes = Buffer.byteLength(JSON.stringify(record));
      if (bytes > MAX_FIELD_BYTES) countLongValues(record, origin ?? String(row.Id ?? ''));
      // Refused rows stay in the plan (chunk boundaries must not move between runs); they are left
      // out when sending.
      if (!refusedIds.has(ingestionId)) {
        const day = dayOf(record);
        expected.set(day, (expected.get(day) ?? 0) + 1);
      }
      if (stats.read % 5000 === 0) progress();
      yield { record, ingestionId, bytes, ...(origin ? { origin } : {}) };
    }
  }

  function countLongValues(record: Record<string, unknown>, where: string): void {
    for (const [name, value] of Object.entries(record)) {
      if (
        typeof value === 'string' &&
        value.length * 3 > MAX_FIELD_BYTES &&
        Buffer.byteLength(value) > MAX_FIELD_BYTES
      ) {
        stats.truncated++;
        if (stats.truncated <= 5)
          warn(`${where}: ${name} is longer than 64 KB; the service keeps only its first 64 KB`);
      }
    }
  }

  const onOversized = ({ record, limit }: { record: PlannedRecord; limit: number }) => {
    const day = dayOf(record.record);
    expected.set(day, (expected.get(day) ?? 1) - 1);
    rejects.write({
      ...(record.origin ? { origin: record.origin } : { id: String(record.record.RecordId ?? '') }),
      reason: `the record is ${record.bytes} bytes of JSON, more than the ${limit}-byte limit of one Logs Ingestion request`,
    });
  };

  /** Sends rows; resolves 'unknown' when some may have landed without an answer saying so. */
  async function send(part: Part): Promise<Outcome> {
    const firstTry = Date.now();
    let attempt = 0;
    for (;;) {
      await ledger.heartbeat();
      stats.requests++;
      let failures: { cause: Error; failed: Part }[];
      try {
        await client.upload(options.ruleId, options.stream, part.records, {
          maxConcurrency: 1,
          abortSignal: AbortSignal.timeout(timeoutMs),
        });
        stats.sent += part.records.length;
        return 'done';
      } catch (error) {
        failures = failedParts(part, error);
      }
      stats.sent += part.records.length - failures.reduce((n, f) => n + f.failed.records.length, 0);
      // With provlog's chunk sizes the SDK sends one request per call, so there is one failure.
      let outcome: Outcome = 'done';
      let retry: Part | undefined;
      let waitMs = 0;
      for (const { cause, failed } of failures) {
        const failure = classifyFailure(cause);
        if (failure.kind === 'fatal')
          throw new UserError(fatalMessage(failure, options.ruleId, options.stream));
        if (failure.kind === 'unknown-outcome') {
          warn(
            `no answer for ${failed.records.length} rows (${failure.reason}); they will be looked up before being sent again`,
          );
          outcome = 'unknown';
        } else if (failure.kind === 'too-large') {
          if ((await sendHalves(failed)) === 'unknown') outcome = 'unknown';
        } else {
          retry = retry ? concat(retry, failed) : failed;
          waitMs = Math.max(waitMs, failure.retryAfterMs ?? backoffMs(attempt));
        }
      }
      if (!retry) return outcome;
      if (outcome === 'unknown') {
        // Part of the rows have an unknown outcome; the lookup will settle these as well.
        return 'unknown';
      }
      if (Date.now() - firstTry > maxThrottleMs) {
        throw new UserError(
          `the service kept throttling requests for ${Math.round(maxThrottleMs / 60_000)} minutes; run the same command again later to resume`,
        );
      }
      attempt++;
      stats.retries++;
      await sleep(waitMs);
      part = retry;
    }
  }

  async function sendHalves(part: Part): Promise<Outcome> {
    if (part.records.length === 1) {
      const record = part.records[0];
      const entry = {
        ingestionId: part.ids[0],
        day: dayOf(record),
        ...(part.origins[0] ? { origin: part.origins[0] } : { id: String(record.RecordId ?? '') }),
        reason: 'the service refused the record as too large (413) even when sent alone',
      };
      ledger.recordRefused(entry);
      refusedIds.add(entry.ingestionId);
      expected.set(entry.day, (expected.get(entry.day) ?? 1) - 1);
      rejects.write({ ...pick(entry), reason: entry.reason });
      return 'done';
    }
    stats.splits++;
    const middle = Math.ceil(part.records.length / 2);
    const first = await send(slice(part, 0, middle));
    const second = await send(slice(part, middle, part.records.length));
    return first === 'unknown' || second === 'unknown' ? 'unknown' : 'done';
  }

  const setAside: { chunk: Chunk; lookupAt: number; attempts: number }[] = [];
  let announcedWait = 0;

  async function processChunk(chunk: Chunk, lookup: boolean, lookupAt: number, attempts = 0): Promise<void> {
    await ledger.lease(chunk.index);
    let part: Part = { records: chunk.records, ids: chunk.ingestionIds, origins: chunk.origins };
    if (lookup) {
      if (!options.landed) {
        throw new UserError(
          `${stats.unknown > 0 ? 'requests got no answer' : 'a previous run was interrupted'}, so some rows may already be in the workspace; ` +
            'pass --workspace-id (or --dcr-id) so provlog can look them up before sending them again (the ledger keeps the progress)',
        );
      }
      const wait = lookupAt - Date.now();
      if (wait > 0 && lookupAt > announcedWait) {
        announcedWait = lookupAt;
        warn(
          `waiting ${Math.ceil(wait / 1000)} s for the service's ingestion delay, then looking up rows that may have landed`,
        );
        await sleep(wait);
      }
      stats.lookups++;
      const present = await options.landed.present(chunk.ingestionIds, earliestMs(chunk, ledger));
      if (present.size > 0) {
        stats.foundLanded += present.size;
        const keep = chunk.ingestionIds.map((id, i) => (present.has(id) ? -1 : i)).filter((i) => i >= 0);
        part = {
          records: keep.map((i) => part.records[i]),
          ids: keep.map((i) => part.ids[i]),
          origins: keep.map((i) => part.origins[i]),
        };
      }
    }
    part = withoutRefused(part, refusedIds);
    const outcome = part.records.length === 0 ? 'done' : await send(part);
    if (outcome === 'unknown') {
      stats.unknown++;
      if (attempts + 1 >= MAX_UNKNOWN_OUTCOMES) {
        throw new UserError(
          `requests for chunk ${chunk.index} keep failing without an answer; run the same command again later to resume`,
        );
      }
      setAside.push({ chunk, lookupAt: Date.now() + options.settleMs, attempts: attempts + 1 });
      return;
    }
    ledger.acknowledge(chunk.index);
    stats.chunksSent++;
    progress();
  }

  const inFlight = new Set<Promise<void>>();
  let fatal: unknown;
  let readToEnd = false;
  const launch = (work: Promise<void>) => {
    const tracked: Promise<void> = work
      .catch((error: unknown) => {
        fatal ??= error;
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  try {
    for await (const chunk of planChunks(planned(), options.chunkBytes, onOversized)) {
      stats.chunks = chunk.index + 1;
      if (ledger.isAcked(chunk.index)) {
        stats.alreadyIngested += chunk.records.length;
        stats.chunksSkipped++;
        continue;
      }
      while (inFlight.size >= concurrency && fatal === undefined) await Promise.race(inFlight);
      if (fatal !== undefined) break;
      launch(processChunk(chunk, ledger.needsLookup(chunk.index), resumedLookupAt));
    }
    if (fatal === undefined) readToEnd = true;
  } catch (error) {
    // A source that fails part-way (a broken file): what is in flight still finishes and is recorded.
    fatal ??= error;
  }
  await Promise.all(inFlight);
  while (fatal === undefined && setAside.length > 0) {
    setAside.sort((a, b) => a.lookupAt - b.lookupAt);
    const next = setAside.shift()!;
    launch(processChunk(next.chunk, true, next.lookupAt, next.attempts));
    await Promise.all(inFlight);
  }
  if (fatal !== undefined) throw fatal;
  if (readToEnd) await ledger.finish(stats.chunks);
  progress();

  const elapsedSeconds = (Date.now() - started) / 1000;
  return {
    source: source.description,
    table: source.table,
    stream: options.stream,
    dcrImmutableId: options.ruleId,
    ledger: ledger.path,
    rowsRead: stats.read,
    rowsSent: stats.sent,
    rowsAlreadyIngested: stats.alreadyIngested,
    rowsFoundLanded: stats.foundLanded,
    duplicatesInSource: stats.duplicates,
    rejected: rejects.count,
    ...(rejects.count > 0 ? { rejectsPath: rejects.path } : {}),
    truncatedValues: stats.truncated,
    chunks: stats.chunks,
    chunksSent: stats.chunksSent,
    chunksSkipped: stats.chunksSkipped,
    requests: options.counters?.requests ?? stats.requests,
    retries: options.counters?.throttled ?? stats.retries,
    splits: stats.splits,
    unknownOutcomes: stats.unknown,
    lookups: stats.lookups,
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    rowsPerSecond: Math.round(stats.sent / Math.max(elapsedSeconds, 0.001)),
    expectedPerDay: Object.fromEntries([...expected.entries()].filter(([, n]) => n > 0).sort()),
  };
}

/** The failed rows of an upload, per cause (rows not named in any failure were accepted). */
function failedParts(part: Part, error: unknown): { cause: Error; failed: Part }[] {
  if (!isAggregateLogsUploadError(error)) {
    return [{ cause: error instanceof Error ? error : new Error(String(error)), failed: part }];
  }
  const position = new Map<Record<string, unknown>, number>();
  part.records.forEach((record, i) => {
    position.set(record, i);
  });
  return error.errors.map(({ cause, failedLogs }) => {
    const indexes = failedLogs
      .map((r) => position.get(r as Record<string, unknown>))
      .filter((i) => i !== undefined);
    return {
      cause,
      failed: {
        records: indexes.map((i) => part.records[i]),
        ids: indexes.map((i) => part.ids[i]),
        origins: indexes.map((i) => part.origins[i]),
      },
    };
  });
}

function slice(part: Part, from: number, to: number): Part {
  return {
    records: part.records.slice(from, to),
    ids: part.ids.slice(from, to),
    origins: part.origins.slice(from, to),
  };
}

function concat(a: Part, b: Part): Part {
  return {
    records: [...a.records, ...b.records],
    ids: [...a.ids, ...b.ids],
    origins: [...a.origins, ...b.origins],
  };
}

function withoutRefused(part: Part, refused: Set<string>): Part {
  if (refused.size === 0) return part;
  const keep = part.ids.map((id, i) => (refused.has(id) ? -1 : i)).filter((i) => i >= 0);
  return {
    records: keep.map((i) => part.records[i]),
    ids: keep.map((i) => part.ids[i]),
    origins: keep.map((i) => part.origins[i]),
  };
}

function pick(entry: { origin?: string; id?: string }): Pick<RejectEntry, 'origin' | 'id'> {
  return { ...(entry.origin ? { origin: entry.origin } : {}), ...(entry.id ? { id: entry.id } : {}) };
}

function dayOf(record: Record<string, unknown>): string {
  const time = record[ORIGINAL_TIME_COLUMN];
  return typeof time === 'string' && /^\d{4}-\d{2}-\d{2}/.test(time) ? time.slice(0, 10) : 'unknown';
}

/** Lower bound of the stored TimeGenerated of a chunk's rows: their original time or when they arrived. */
function earliestMs(chunk: Chunk, ledger: Ledger): number {
  let earliest = ledger.previousWriteMs ?? Date.now();
  for (const record of chunk.records) {
    const t = Date.parse(String(record[ORIGINAL_TIME_COLUMN] ?? ''));
    if (!Number.isNaN(t) && t < earliest) earliest = t;
  }
  return Math.min(earliest, ledger.createdMs);
}

function backoffMs(attempt: number): number {
  const base = Math.min(60_000, 1000 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
