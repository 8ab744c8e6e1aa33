// The harness side of fault injection: run the on-host fault program (fault-main.ts) through a
// host transport (SSH on the testbed, local processes on the embedded stack) and hand back a
// handle whose revert() ends the fault. The fault also expires by itself on the host (its own
// deadline), so a runner killed with SIGKILL leaves nothing that outlives the fault's timeout;
// `foreshock faults cleanup` removes what a SIGKILLed fault process left (files, nft tables).

import { UserError } from '../core/errors.ts';
import { ensureFaultBundle } from './bundle.ts';
import { faultProgramArgv } from './program.ts';
import { faultTimeoutS, validateFaultId, type FaultSpec } from './spec.ts';
import type { HostTransport } from './transport.ts';

export interface ActiveFault {
  id: string;
  host: string;
  pid: number;
  /** Epoch ms the fault took effect on the host (its own clock); for an armed fault, when it will. */
  startedAt: number;
  /** True while the fault waits, armed, for its begin time (injectFault's `beginAt`). */
  armed: boolean;
  /**
   * Asks the host whether the effect is on and returns the epoch ms it began (the marker's
   * startedAt); a UserError when the fault is not running (it failed or ended early).
   */
  confirm(): Promise<number>;
  /** Epoch ms it reverts itself. */
  expiresAt: number;
  /** Ends the fault now; safe to call twice. */
  revert(): Promise<void>;
}

/**
 * The metrics a fault of each type moves first on its host (the manifest's culprit metrics), as
 * measured on the testbed (test/faults/injectors-testbed.test.ts). The synthetic generator has its
 * own list (src/sim/synth CULPRIT_METRICS) for its modelled faults.
 */
export function culpritMetrics(type: FaultSpec['type']): string[] {
  switch (type) {
    case 'cpuhog':
      return ['availcpu', 'load1'];
    case 'memleak':
      return ['freemem', 'pagein', 'pageout'];
    case 'diskhog':
      return ['diskwrite', 'freedisk'];
    case 'diskfill':
      return ['freedisk'];
    case 'netloss':
      return ['netin', 'netout'];
  }
}

/** The program's result line `<TAG> <rest>`, or a UserError quoting its last stderr line. */
function resultLine(stdout: string, stderr: string, tag: string, what: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tag} `) || l === tag);
  if (line !== undefined) return line.slice(tag.length).trim();
  const failed = stdout.split('\n').find((l) => l.startsWith('FAILED '));
  const why = failed?.slice(7) ?? (stderr.trim().split('\n').pop() || 'no output');
  throw new UserError(`${what}: ${why}`);
}

export interface InjectOptions {
  /**
   * Arm the fault: start its program now, idle, and begin the effect at this epoch ms (the host's
   * clock). The program's own start-up then happens before the fault, not at its start.
   */
  beginAt?: number;
}

export async function injectFault(
  transport: HostTransport,
  dir: string,
  id: string,
  spec: FaultSpec,
  options: InjectOptions = {},
): Promise<ActiveFault> {
  validateFaultId(id);
  ensureFaultBundle();
  const what = `inject ${spec.type} on ${transport.host} (${transport.description})`;
  const begin = options.beginAt === undefined ? [] : [String(Math.round(options.beginAt))];
  const r = await transport.run(faultProgramArgv('start', [dir, id, JSON.stringify(spec), ...begin]), {
    timeoutMs: 60_000,
  });
  const marker = JSON.parse(resultLine(r.stdout, r.stderr, 'STARTED', what)) as {
    pid: number;
    startedAt: string;
    expiresAt: string;
    state: string;
    beginsAt?: string;
  };
  const armed = marker.state === 'armed';
  let reverted: Promise<void> | null = null;
  return {
    id,
    host: transport.host,
    pid: marker.pid,
    startedAt: armed && marker.beginsAt ? Date.parse(marker.beginsAt) : Date.parse(marker.startedAt),
    expiresAt: Date.parse(marker.expiresAt),
    armed,
    confirm: async () => {
      const all = (await faultStatus(transport, dir)) as {
        id?: string;
        state?: string;
        startedAt?: string;
        alive?: boolean;
      }[];
      const m = all.find((x) => x.id === id);
      if (!m || !m.alive || m.state !== 'running' || !m.startedAt)
        throw new UserError(
          `${what}: not running (${m ? `state ${m.state}${m.alive ? '' : ', dead'}` : 'no marker'}; see its log in ${dir})`,
        );
      return Date.parse(m.startedAt);
    },
    revert: () => {
      reverted ??= revertFault(transport, dir, id, (faultTimeoutS(spec) + 30) * 1000).then(() => undefined);
      return reverted;
    },
  };
}

/** Ends fault `id` on the host (by its marker); false when it was not running. */
export async function revertFault(
  transport: HostTransport,
  dir: string,
  id: string,
  timeoutMs = 120_000,
): Promise<boolean> {
  ensureFaultBundle();
  const r = await transport.run(faultProgramArgv('revert', [dir, id]), { timeoutMs });
  if (/^NOT-RUNNING /m.test(r.stdout)) return false;
  resultLine(r.stdout, r.stderr, 'REVERTED', `revert ${id} on ${transport.host}`);
  return true;
}

/** Reverts every fault on the host and removes their leftovers; returns the program's summary. */
export async function cleanupFaults(transport: HostTransport, dir: string): Promise<unknown> {
  ensureFaultBundle();
  const r = await transport.run(faultProgramArgv('cleanup', [dir]), { timeoutMs: 120_000 });
  return JSON.parse(resultLine(r.stdout, r.stderr, 'CLEANED', `cleanup on ${transport.host}`)) as unknown;
}

/** The faults running on the host (one object per marker). */
export async function faultStatus(transport: HostTransport, dir: string): Promise<unknown[]> {
  ensureFaultBundle();
  const r = await transport.run(faultProgramArgv('status', [dir]), { timeoutMs: 60_000 });
  if (r.code !== 0) resultLine(r.stdout, r.stderr, 'STATUS', `status on ${transport.host}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as unknown);
}
