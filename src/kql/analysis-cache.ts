/**
 * Analyses keyed by query text and schemas, kept as JSON files: loading Kusto.Language and warming it
 * up costs over a second, so a query analysed before (a shipped query, a report re-run) skips it.
 * The key includes a hash of the analyser bridge, so a new tree format never reads stale entries.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { literalShape, rebindAnalysis } from './analysis-rebind.js';
import { type Analysis, analyze, type TableColumns } from './analyzer.js';

let bridgeHash: string | undefined;

function analyserIdentity(): string {
  if (!bridgeHash) {
    const hash = createHash('sha256');
    // The compiled bridge; run from the TypeScript sources (tests), their text (a key of its own).
    const compiled = new URL('./analyzer.js', import.meta.url);
    hash.update(readFileSync(existsSync(compiled) ? compiled : new URL('./analyzer.ts', import.meta.url)));
    hash.update(
      readFileSync(createRequire(import.meta.url).resolve('@kusto/language-service-next/package.json')),
    );
    bridgeHash = hash.digest('hex').slice(0, 16);
  }
  return bridgeHash;
}

export function analysisKey(text: string, schemas: readonly TableColumns[]): string {
  return createHash('sha256')
    .update(analyserIdentity())
    .update('\0')
    .update(JSON.stringify(schemas))
    .update('\0')
    .update(text)
    .digest('hex');
}

function readEntry<T>(dir: string, key: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, key: string, entry: Analysis | ShapeEntry): void {
  try {
    mkdirSync(dir, { recursive: true });
    const temp = join(dir, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temp, JSON.stringify(entry));
    renameSync(temp, join(dir, `${key}.json`));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

export interface AnalysisCacheOptions {
  /** Directory to read and write entries in. */
  dir?: string;
  /** Read-only directories consulted first (analyses built ahead of time for shipped queries). */
  prebuilt?: string[];
}

/** An analysis kept under its text's literal shape, with the text it was made for. */
interface ShapeEntry {
  text: string;
  analysis: Analysis;
}

function shapeKey(shape: string, schemas: readonly TableColumns[]): string {
  return `shape-${analysisKey(shape, schemas)}`;
}

export function cachedAnalyze(
  text: string,
  schemas: readonly TableColumns[],
  options: AnalysisCacheOptions,
): Analysis {
  const key = analysisKey(text, schemas);
  const dirs = [...(options.prebuilt ?? []), ...(options.dir ? [options.dir] : [])];
  for (const dir of dirs) {
    const entry = readEntry<Analysis>(dir, key);
    if (entry) return entry;
  }
  // The same query with other literal values (another app, another user) binds the same way.
  const shape = literalShape(text);
  const byShape = shape === undefined ? undefined : shapeKey(shape, schemas);
  if (byShape) {
    for (const dir of dirs) {
      const entry = readEntry<ShapeEntry>(dir, byShape);
      const rebound = entry && rebindAnalysis(entry.analysis, entry.text, text);
      if (rebound) return rebound;
    }
  }
  const analysis = analyze(text, schemas);
  if (options.dir) {
    writeEntry(options.dir, key, analysis);
    if (byShape && analysis.diagnostics.length === 0) writeEntry(options.dir, byShape, { text, analysis });
  }
  return analysis;
}
