// The agent's sampling thread (threaded.ts starts it from a bundle of this file). It owns the
// timer and the sources, so a busy or blocked main thread (the harness: emulator, aggregator,
// recorder, a test runner) cannot delay a sample past its second. It posts each stats message to
// the main thread, which publishes it.

import { parentPort, workerData } from 'node:worker_threads';
import { HostAgent } from './agent.ts';
import { buildSource, type BuiltSource, type SourceSpec } from './source-spec.ts';
import type { HostStatsMessage } from './types.ts';

export interface AgentThreadData {
  hosts: { host: string; spec: SourceSpec }[];
  intervalMs?: number;
}

export type ToAgentThread = { type: 'addPid'; host: string; pid: number } | { type: 'stop' };
export type FromAgentThread =
  { type: 'stats'; msg: HostStatsMessage } | { type: 'error'; host: string; message: string };

const port = parentPort;
if (port) {
  const data = workerData as AgentThreadData;
  const post = (m: FromAgentThread): void => port.postMessage(m);
  // A host whose source cannot be built is reported and left out; the others are sampled.
  const built = new Map<string, BuiltSource>();
  for (const h of data.hosts) {
    try {
      built.set(h.host, buildSource(h.spec));
    } catch (err) {
      post({ type: 'error', host: h.host, message: (err as Error)?.message ?? String(err) });
    }
  }
  const agent = new HostAgent({
    hosts: [...built].map(([host, b]) => ({ host, source: b.source })),
    bus: { publish: (_topic, msg) => post({ type: 'stats', msg }) },
    ...(data.intervalMs !== undefined ? { intervalMs: data.intervalMs } : {}),
    onError: (err, host) => post({ type: 'error', host, message: (err as Error)?.message ?? String(err) }),
  });
  port.on('message', (m: ToAgentThread) => {
    if (m.type === 'addPid') built.get(m.host)?.addPid?.(m.pid);
    else {
      agent.stop();
      port.close();
    }
  });
  agent.start();
}
