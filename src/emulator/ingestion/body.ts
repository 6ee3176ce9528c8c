/**
 * The body of a Logs Ingestion request: optionally gzip-compressed, at most the size limit both as sent
 * and once decompressed, and a JSON array of records.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { EmulatorHttpError, type EmulatorRequest, errorReply, header } from '../http.js';

const gunzipAsync = promisify(gunzip);

export type IngestionRecord = Record<string, unknown>;

function tooLarge(what: string, size: number | undefined, limit: number): EmulatorHttpError {
  const actual = size === undefined ? 'more than' : `${size} bytes, more than`;
  return new EmulatorHttpError(
    errorReply(
      413,
      'ContentLengthLimitExceeded',
      `The ${what} request body is ${actual} the limit of ${limit} bytes per call; send fewer records per request.`,
    ),
  );
}

function invalid(message: string): EmulatorHttpError {
  return new EmulatorHttpError(errorReply(400, 'InvalidPayload', message));
}

/** The records of the request, or an EmulatorHttpError (413 too large, 400 not a JSON array of objects). */
export async function ingestionRecords(
  request: EmulatorRequest,
  maxBytes: number,
): Promise<IngestionRecord[]> {
  if (request.body.length > maxBytes) {
    const encoding = header(request, 'content-encoding');
    throw tooLarge(encoding ? 'compressed' : 'uncompressed', request.body.length, maxBytes);
  }
  const text = (await decoded(request, maxBytes)).toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw invalid('The request body is empty; send a JSON array of records.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : typeof parsed === 'object' ? 'an object' : typeof parsed;
    throw invalid(`The request body must be a JSON array of records, not ${kind}.`);
  }
  parsed.forEach((record, index) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw invalid(`Record ${index} of the request body is not a JSON object.`);
    }
  });
  return parsed as IngestionRecord[];
}

async function decoded(request: EmulatorRequest, maxBytes: number): Promise<Buffer> {
  const encoding = (header(request, 'content-encoding') ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return request.body;
  if (encoding !== 'gzip') {
    throw new EmulatorHttpError(
      errorReply(
        415,
        'UnsupportedContentEncoding',
        `Content-Encoding '${encoding}' is not supported; send gzip or no encoding.`,
      ),
    );
  }
  let body: Buffer;
  try {
    body = await gunzipAsync(request.body, { maxOutputLength: maxBytes + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge('uncompressed', undefined, maxBytes);
    }
    throw invalid(`The request body is not valid gzip data: ${(error as Error).message}`);
  }
  if (body.length > maxBytes) throw tooLarge('uncompressed', body.length, maxBytes);
  return body;
}
