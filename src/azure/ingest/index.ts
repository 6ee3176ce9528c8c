/**
 * `provlog ingest` as a library call: a backfill of one source through a data collection rule, with its
 * ledger and rejects file, and optionally a verification of the per-day counts by query.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { UserError } from '../../errors.js';
import type { AzureConnection } from '../connection.js';
import { DEFAULT_CHUNK_BYTES, MAX_REQUEST_BYTES } from './chunks.js';
import { ingestionClient } from './client.js';
import { type LandedRows, landedRows } from './landed.js';
import { Ledger } from './ledger.js';
import { type IngestProgress, type IngestSummary, runPipeline } from './pipeline.js';
import { RejectsFile } from './rejects.js';
import { workspaceIdOfRule } from './setup.js';
import type { IngestSource } from './source.js';
import { type VerifyResult, verifyCounts } from './verify.js';

export { customColumns, DEFAULT_TARGETS, unionFunctionKql } from './schema.js';
export { type SetupResult, setupIngestion } from './setup.js';
export { fileSource, memorySource, workspaceSource } from './source.js';
export { loadTarget, type SavedTarget, saveTarget } from './target.js';
export type { IngestProgress, IngestSummary, VerifyResult };

export interface IngestRequest {
  connection: AzureConnection;
  /** The rule's logs ingestion endpoint (or a DCE's). */
  endpoint: string;
  ruleId: string;
  stream: string;
  /** The custom table the rule writes to (for lookups and --verify). */
  customTable: string;
  source: IngestSource;
  /** Where the ledger and rejects file go; default next to the workspace (or provlog's data folder). */
  stateDir?: string;
  workspaceDir?: string;
  concurrency?: number;
  chunkBytes?: number;
  /** Plan again although the source changed; every chunk is looked up before it is sent. */
  restart?: boolean;
  /** The workspace (customerId) the rule writes to; or found from the rule (`dcrId`). */
  workspaceId?: string;
  dcrId?: string;
  /** The service's ingestion delay before rows can be looked up (default 10 min; 0 on the emulator). */
  settleMs?: number;
  verify?: { timeoutMs?: number; pollMs?: number; onPoll?: (result: VerifyResult) => void };
  onProgress?: (progress: IngestProgress) => void;
  warn?: (message: string) => void;
}

export interface IngestResult {
  summary: IngestSummary;
  verify?: VerifyResult;
  /** The ledger says every chunk was already acknowledged before this run. */
  alreadyComplete: boolean;
}

/** The ledger's file for this rule, stream and source. */
export function ledgerPath(
  request: Pick<IngestRequest, 'stateDir' | 'workspaceDir' | 'ruleId' | 'stream' | 'source'>,
): string {
  const dir =
    request.stateDir ??
    (request.workspaceDir
      ? join(resolve(request.workspaceDir), 'ingest')
      : join(envPaths('provlog', { suffix: '' }).data, 'ingest'));
  const key = createHash('sha256')
    .update(`${request.ruleId.toLowerCase()}\n${request.stream}\n${request.source.identity}`)
    .digest('hex')
    .slice(0, 16);
  const stream = request.stream.replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(dir, `${stream}-${key}.json`);
}

export async function ingest(request: IngestRequest): Promise<IngestResult> {
  const chunkBytes = request.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (chunkBytes < 1024 || chunkBytes > MAX_REQUEST_BYTES) {
    throw new UserError(`--chunk-bytes must be between 1024 and ${MAX_REQUEST_BYTES}`);
  }
  const concurrency = request.concurrency ?? 4;
  const path = ledgerPath(request);
  const ledger = await Ledger.open(
    path,
    {
      dcrImmutableId: request.ruleId,
      stream: request.stream,
      source: request.source.identity,
      fingerprint: request.source.fingerprint(),
      chunkBytes,
    },
    {
      ...(request.restart ? { restart: true } : {}),
      // A window of a workspace, or a source next to other backfills through the same rule, may overlap
      // what those sent: look every chunk up first.
      ...(request.source.window || otherLedgers(path, request).length > 0 ? { lookupAll: true } : {}),
      leaseAhead: 2 * concurrency,
    },
  );
  try {
    const alreadyComplete = ledger.complete;
    if (request.workspaceId) ledger.setWorkspaceId(request.workspaceId);
    if (request.verify && !ledger.workspaceId && !request.dcrId) {
      throw new UserError(
        '--verify needs the workspace the rule writes to: pass --workspace-id GUID or --dcr-id RESOURCE-ID',
      );
    }
    const landed = lazyLanded(request, ledger);
    const rejects = new RejectsFile(path.replace(/\.json$/, '.rejects.jsonl'));
    const counters = { requests: 0, throttled: 0 };
    let summary: IngestSummary;
    try {
      summary = await runPipeline({
        source: request.source,
        client: ingestionClient(request.connection, request.endpoint, counters),
        counters,
        ruleId: request.ruleId,
        stream: request.stream,
        ledger,
        rejects,
        chunkBytes,
        concurrency,
        landed,
        settleMs: request.settleMs ?? (request.connection.emulator ? 0 : 10 * 60_000),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(request.warn ? { warn: request.warn } : {}),
      });
    } finally {
      rejects.close();
    }
    if (!request.verify) return { summary, alreadyComplete };
    const emulator = Boolean(request.connection.emulator);
    const verify = await verifyCounts(landed, summary.expectedPerDay, {
      timeoutMs: request.verify.timeoutMs ?? (emulator ? 30_000 : 30 * 60_000),
      pollMs: request.verify.pollMs ?? (emulator ? 1_000 : 30_000),
      ...(request.verify.onPoll ? { onPoll: request.verify.onPoll } : {}),
      ...(request.source.window ? { window: request.source.window } : {}),
    });
    return { summary, verify, alreadyComplete };
  } finally {
    await ledger.close();
  }
}

/** The ledgers of other sources sent through the same rule and stream (in the same state folder). */
function otherLedgers(path: string, request: Pick<IngestRequest, 'ruleId' | 'stream'>): string[] {
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && join(dir, name) !== path)
    .filter((name) => {
      try {
        const ledger = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
          dcrImmutableId?: string;
          stream?: string;
          fingerprint?: string;
        };
        // Ledgers only: the folder also keeps the target ingest setup saved.
        return (
          ledger.fingerprint !== undefined &&
          ledger.dcrImmutableId?.toLowerCase() === request.ruleId.toLowerCase() &&
          ledger.stream === request.stream
        );
      } catch {
        return false;
      }
    });
}

/** Lookups in the rule's workspace, found when first needed (most runs never look anything up). */
function lazyLanded(request: IngestRequest, ledger: Ledger): LandedRows {
  let resolved: Promise<LandedRows> | undefined;
  const get = (): Promise<LandedRows> => {
    resolved ??= (async () => {
      let workspaceId = request.workspaceId ?? ledger.workspaceId;
      if (!workspaceId && request.dcrId) {
        workspaceId = await workspaceIdOfRule(request.connection, request.dcrId);
        ledger.setWorkspaceId(workspaceId);
      }
      if (!workspaceId) {
        throw new UserError(
          'provlog needs the workspace the rule writes to, to look rows up: pass --workspace-id GUID or --dcr-id RESOURCE-ID (the ledger keeps the progress so far)',
        );
      }
      return landedRows(request.connection, workspaceId, request.customTable);
    })();
    return resolved;
  };
  return {
    present: async (ids, earliestMs) => (await get()).present(ids, earliestMs),
    dayCounts: async (from, to) => (await get()).dayCounts(from, to),
  };
}
