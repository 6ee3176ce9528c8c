/**
 * The plan of a backfill: the stream's records cut, in source order, into chunks whose JSON array is
 * at most `chunkBytes` bytes. The same source always gives the same chunks, which is what lets the
 * ledger refer to them by index. A record too big for any request is set aside, not sent.
 */

/** The service's limit per call (1 MB); the SDK also splits its batches at 1,000,000 bytes. */
export const MAX_REQUEST_BYTES = 1_000_000;
/** Default chunk size: room below the limit for the service's own accounting. */
export const DEFAULT_CHUNK_BYTES = 900_000;

export interface PlannedRecord {
  record: Record<string, unknown>;
  ingestionId: string;
  /** UTF-8 bytes of the record's JSON. */
  bytes: number;
  origin?: string;
}

export interface Chunk {
  index: number;
  records: Record<string, unknown>[];
  ingestionIds: string[];
  origins: (string | undefined)[];
  /** Bytes of the chunk's JSON array. */
  bytes: number;
}

export interface Oversized {
  record: PlannedRecord;
  limit: number;
}

/** Cuts records into chunks; `onOversized` gets each record that fits in no request. */
export async function* planChunks(
  records: AsyncIterable<PlannedRecord>,
  chunkBytes: number,
  onOversized: (oversized: Oversized) => void,
): AsyncGenerator<Chunk> {
  let index = 0;
  let current: Chunk = emptyChunk(index);
  for await (const planned of records) {
    // `[` + `]`, and a comma before every record but the first.
    const alone = planned.bytes + 2;
    if (alone > MAX_REQUEST_BYTES) {
      onOversized({ record: planned, limit: MAX_REQUEST_BYTES });
      continue;
    }
    const added = current.records.length === 0 ? alone : current.bytes + planned.bytes + 1;
    if (current.records.length > 0 && added > chunkBytes) {
      yield current;
      current = emptyChunk(++index);
    }
    current.bytes = current.records.length === 0 ? alone : current.bytes + planned.bytes + 1;
    current.records.push(planned.record);
    current.ingestionIds.push(planned.ingestionId);
    current.origins.push(planned.origin);
  }
  if (current.records.length > 0) yield current;
}

function emptyChunk(index: number): Chunk {
  return { index, records: [], ingestionIds: [], origins: [], bytes: 0 };
}
