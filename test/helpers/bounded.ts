// Runs functions in a worker thread with a time limit, so that a test of untrusted input fails when
// a reader loops for ever instead of hanging the test run (a try/catch or a test timeout cannot stop
// a synchronous loop; terminating the worker can).
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type Outcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; name: string; chain: string[]; message: string; stack: string }
  | { kind: 'timeout'; ms: number };

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  value?: unknown;
  name?: string;
  chain?: string[];
  message?: string;
  stack?: string;
}

const WORKER = fileURLToPath(new URL('./bounded-worker.mjs', import.meta.url));

/** A worker that runs exports of one module; restarted after a call that times out. */
export class BoundedRunner {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private next = 0;

  constructor(private readonly modulePath: string) {}

  private start(): Promise<void> {
    const worker = new Worker(WORKER, { workerData: { module: pathToFileURL(this.modulePath).href } });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: Reply): void => {
        if (m.ready) {
          worker.off('message', onMessage);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return this.ready;
  }

  async run(fn: string, args: unknown[], timeoutMs: number): Promise<Outcome> {
    if (!this.worker) await this.start();
    else await this.ready;
    const worker = this.worker!;
    const id = this.next++;
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        this.worker = null;
        void worker.terminate();
        resolve({ kind: 'timeout', ms: timeoutMs });
      }, timeoutMs);
      const onMessage = (m: Reply): void => {
        if (m.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(
          m.ok
            ? { kind: 'ok', value: m.value }
            : { kind: 'error', name: m.name!, chain: m.chain!, message: m.message!, stack: m.stack! },
        );
      };
      const onError = (err: Error): void => {
        clearTimeout(timer);
        this.worker = null;
        reject(err);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.postMessage({ id, fn, args });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
