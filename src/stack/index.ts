// Entry point of the stack sessions (session.ts) and the one-shot "run the workload and record it".

import { UserError } from '../core/errors.ts';
import type { RecordingSummary } from '../telemetry/recorder.ts';
import type { EmulatorStats } from '../workload/emulator/emulator.ts';
import { startEmbeddedSession } from './embedded.ts';
import { startLocalSession } from './local.ts';
import { startRemoteSession } from './remote.ts';
import { SESSION_STACKS, type SessionOptions, type StackSession } from './session.ts';

export * from './session.ts';

export async function startSession(o: SessionOptions): Promise<StackSession> {
  if (!SESSION_STACKS.includes(o.stack))
    throw new UserError(`unknown stack "${String(o.stack)}" (known: ${SESSION_STACKS.join(', ')})`);
  if (!Number.isInteger(o.users) || o.users < 1)
    throw new UserError(`--users must be a positive integer, got ${o.users}`);
  if (!(o.scale > 0 && o.scale <= 1)) throw new UserError(`--scale must be in (0, 1], got ${o.scale}`);
  if (!(o.sloMs > 0)) throw new UserError(`--slo-ms must be > 0, got ${o.sloMs}`);
  if (o.stack === 'embedded') return startEmbeddedSession(o);
  if (o.stack === 'local') return startLocalSession(o);
  return startRemoteSession(o);
}

export interface StackRunReport {
  recording: RecordingSummary;
  clients: EmulatorStats;
  hosts: StackSession['hosts'];
  webUrl: string;
}

/** Brings the stack up, runs the clients for `durationS`, finalises the recording, stops everything. */
export async function recordStackRun(o: SessionOptions, durationS: number): Promise<StackRunReport> {
  if (!(durationS > 0)) throw new UserError(`--duration must be > 0 seconds, got ${durationS}`);
  const log = o.log ?? (() => undefined);
  const session = await startSession(o);
  try {
    log(`stack ${o.stack} up: ${session.hosts.map((h) => `${h.host} (${h.where})`).join(', ')}`);
    log(`running ${o.users} users for ${durationS} s against ${session.webUrl} ...`);
    const clients = await session.runClients({ upRampMs: 0, runMs: durationS * 1000, downRampMs: 0 });
    const recording = await session.finish();
    return { recording, clients, hosts: session.hosts, webUrl: session.webUrl };
  } finally {
    await session.stop();
  }
}
