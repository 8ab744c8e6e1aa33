// The host agent on a thread of its own (thread-main.ts), for agents that share a process with the
// harness. Sampling on the harness's event loop left a host without a sample whenever that loop
// was blocked for about a second (a CI run showed one such hole under load); on its own thread a
// tick fires on time whatever the main thread does, and its `time` is stamped there. Messages
// reach the bus when the main thread is free again, which the aggregator's late window absorbs.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ensureBundle } from '../../core/bundle.ts';
import type { Bus } from '../bus.ts';
import type { AgentThreadData, FromAgentThread, ToAgentThread } from './thread-main.ts';
import type { SourceSpec } from './source-spec.ts';
import type { AgentTopics } from './types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
const THREAD_MAIN = path.join(HERE, 'thread-main.ts');
const THREAD_BUNDLE = path.join(REPO_ROOT, '.cache', 'agent', 'thread-main.mjs');

export interface ThreadedAgentOptions {
  hosts: { host: string; spec: SourceSpec }[];
  bus: Pick<Bus<AgentTopics>, 'publish'>;
  intervalMs?: number;
  /** A host's sampling failed, or the thread died (host `*`); default: one line on stderr. */
  onError?: (message: string, host: string) => void;
}

export interface ThreadedAgent {
  /** Counts one more process as the host's from the next sample on (procfs sources). */
  addPid(host: string, pid: number): void;
  /** Stops sampling: nothing is published after this call. Resolves once the thread has exited. */
  stop(): Promise<void>;
}

/** Starts the agent's thread; its first sample is taken at once, then one per interval. */
export function startThreadedAgent(o: ThreadedAgentOptions): ThreadedAgent {
  const names = o.hosts.map((h) => h.host);
  if (new Set(names).size !== names.length)
    throw new Error(`agent: duplicate host ids in ${names.join(',')}`);
  const onError = o.onError ?? ((message, host) => process.stderr.write(`agent: host ${host}: ${message}\n`));
  const bundle = ensureBundle(THREAD_MAIN, THREAD_BUNDLE, [HERE, path.join(REPO_ROOT, 'src', 'core')]);
  const data: AgentThreadData = {
    hosts: o.hosts,
    ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
  };
  const worker = new Worker(bundle, { workerData: data });
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (m: FromAgentThread) => {
    if (stopped) return;
    if (m.type === 'stats') o.bus.publish('stats', m.msg);
    else onError(m.message, m.host);
  });
  worker.on('error', (err) => {
    if (!stopped) onError(`sampling thread died: ${err.message}`, '*');
  });
  const send = (m: ToAgentThread): void => worker.postMessage(m);
  return {
    addPid: (host, pid) => {
      if (!stopped) send({ type: 'addPid', host, pid });
    },
    stop: () => {
      if (!stopped) {
        stopped = true;
        send({ type: 'stop' });
        // The thread closes its port and exits; terminate() is the backstop for a stuck one.
        const t = setTimeout(() => void worker.terminate(), 2000);
        t.unref();
        void exited.then(() => clearTimeout(t));
      }
      return exited;
    },
  };
}
