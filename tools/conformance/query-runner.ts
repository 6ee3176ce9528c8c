/** Sends queries one at a time to a worker thread; a query that runs too long gets its worker replaced. */
import { Worker } from 'node:worker_threads';
import type { QueryReply, QueryRequest } from './worker.js';

export const CONFORMANCE_NOW = '2026-01-01T00:00:00Z';

const WARM_UP_MS = 120_000;

export type QueryOutcome = { response: string } | { error: string };

export class QueryRunner {
  private worker: Worker | undefined;
  private seq = 0;

  constructor(private readonly timeoutMs: number) {}

  async run(query: string): Promise<QueryOutcome> {
    const worker = await this.current();
    if (typeof worker === 'string') return { error: worker };
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const finish = (outcome: QueryOutcome) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (reply: QueryReply) => {
        if (reply.seq !== seq) return;
        finish('response' in reply ? { response: reply.response } : { error: reply.error });
      };
      const onError = (e: Error) => {
        this.discard(worker);
        finish({ error: `worker crashed: ${e.message}` });
      };
      const onExit = (code: number) => {
        this.discard(worker);
        finish({ error: `worker exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        this.discard(worker);
        finish({ error: `timeout: no result after ${this.timeoutMs / 1000}s` });
      }, this.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ seq, query, now: CONFORMANCE_NOW } satisfies QueryRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** The live worker, started and warmed up when needed; or why none could be started. */
  private async current(): Promise<Worker | string> {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 4096 },
    });
    const failure = await new Promise<string | undefined>((resolve) => {
      const onReady = () => settle(undefined);
      const onError = (e: Error) => settle(`worker failed to start: ${e.message}`);
      const onExit = (code: number) => settle(`worker exited with code ${code} while starting`);
      const timer = setTimeout(() => settle(`worker not ready after ${WARM_UP_MS / 1000}s`), WARM_UP_MS);
      // Only our own listeners go: Worker keeps internal ones that forward its messages.
      const settle = (value: string | undefined) => {
        clearTimeout(timer);
        worker.off('message', onReady);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(value);
      };
      worker.on('message', onReady);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    if (failure) {
      void worker.terminate();
      return failure;
    }
    this.worker = worker;
    return worker;
  }

  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }
}
