/** Runs queries for the conformance runner in a worker thread, so a runaway case can be stopped. */
import { parentPort } from 'node:worker_threads';
import { responseJson, runQuery } from '../../src/index.js';

export interface QueryRequest {
  seq: number;
  query: string;
  now: string;
}

export type QueryReply = { seq: number; response: string } | { seq: number; error: string };

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Loading the analyser is slow; do it before the first timed query. */
function warmUp(): void {
  try {
    runQuery('print 1', { now: '2026-01-01T00:00:00Z' });
  } catch {
    // A broken engine shows up in the real queries.
  }
  parentPort?.postMessage({ ready: true });
}

warmUp();

parentPort?.on('message', (request: QueryRequest) => {
  let reply: QueryReply;
  try {
    reply = { seq: request.seq, response: responseJson(runQuery(request.query, { now: request.now })) };
  } catch (e) {
    reply = { seq: request.seq, error: errorText(e) };
  }
  parentPort?.postMessage(reply);
});
