// Live mode's hands: performs a remedy's action on a host of the running stack and says how to roll
// it back. What each action type means here:
//
//   scale-cpu / scale-memory  double the host's CPU quota / memory limit (the testbed provider's
//                             cgroups; the local stack only). Rollback: the limit as it was.
//   restart                   end the process behind the culprit resource on the host (memory: the
//                             one whose resident set grew most over 2 s, or the largest when none
//                             grew by 1 MiB; CPU: CPU time over 0.5 s), the way an operator ends a
//                             runaway process. The host's own services (the database,
//                             the web tier), its sshd and this process are never chosen: restarting a
//                             service in place is not something the stacks offer yet. Not reversible.
//   anything else             (migrate, replace-host) not available on the local and embedded
//                             stacks: reported as skipped, never attempted.
//
// The kill travels as argv over the host's transport (SSH on the testbed), like fault commands.

import { readFileSync } from 'node:fs';
import type { ActionRequest } from '../core/algorithm.ts';
import { RESOURCE_PATTERNS } from '../algorithms/baselines/rule-remedy.ts';
import type { HostTransport } from '../faults/transport.ts';

/** What the actuator needs from the stack (a StackSession fits). */
export interface ActuatorStack {
  stack: string;
  pids: Record<string, number[]>;
  raiseLimit(host: string, resource: 'cpu' | 'memory'): Promise<void>;
  restoreLimit(host: string, resource: 'cpu' | 'memory'): Promise<void>;
  hostProcesses(host: string): number[];
  transport(host: string): Promise<HostTransport>;
}

export interface ProcessInfo {
  pid: number;
  comm: string;
  rssBytes: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
}

export interface ActuatorDeps {
  readProcess?: (pid: number) => ProcessInfo | null;
  sleep?: (ms: number) => Promise<void>;
  /** Processes never chosen by `restart` besides the stack's services (default: this process). */
  protectedPids?: number[];
}

export interface Performed {
  /** done: the action took effect; skipped: not available here; failed: tried and failed. */
  state: 'done' | 'skipped' | 'failed';
  detail: string;
  rollback: (() => Promise<void>) | null;
}

const PAGE_SIZE = 4096;
/** CPU use is measured over this interval. */
const CPU_INTERVAL_MS = 500;
/** Memory growth is measured over this interval ... */
const MEMORY_INTERVAL_MS = 2000;
/** ... and ranks processes when one grew at least this much; otherwise the largest resident set does. */
const MIN_GROWTH_BYTES = 2 ** 20;

/** A process's name, resident memory and CPU time from /proc; null when gone (or a zombie). */
export function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // A zombie has exited; only its parent's wait() is missing: it holds nothing any more.
    if (f[0] === 'Z') return null;
    // Fields after comm start at index 3 (state); utime 14, stime 15, rss 24 (1-based in proc(5)).
    return {
      pid,
      comm,
      cpuTicks: Number(f[11]) + Number(f[12]),
      rssBytes: Number(f[21]) * PAGE_SIZE,
    };
  } catch {
    return null;
  }
}

/** The resource an action aims at, from the culprit metric's name (null: memory by default). */
export function resourceOf(metric: string | null): 'cpu' | 'memory' {
  return metric !== null && RESOURCE_PATTERNS.cpu.test(metric) ? 'cpu' : 'memory';
}

export async function performAction(
  stack: ActuatorStack,
  request: ActionRequest,
  metric: string | null,
  deps: ActuatorDeps = {},
): Promise<Performed> {
  const host = request.host;
  switch (request.type) {
    case 'scale-cpu':
    case 'scale-memory': {
      const resource = request.type === 'scale-cpu' ? 'cpu' : 'memory';
      if (stack.stack !== 'local')
        return {
          state: 'skipped',
          detail: `${request.type}: no limits on the ${stack.stack} stack`,
          rollback: null,
        };
      await stack.raiseLimit(host, resource);
      return {
        state: 'done',
        detail: `doubled ${host}'s ${resource === 'cpu' ? 'CPU quota' : 'memory limit'}`,
        rollback: () => stack.restoreLimit(host, resource),
      };
    }
    case 'restart':
      return endTopConsumer(stack, host, resourceOf(metric), deps);
    default:
      return {
        state: 'skipped',
        detail: `${request.type} is not available on the ${stack.stack} stack`,
        rollback: null,
      };
  }
}

/** Picks the process holding most of `resource` on `host`, ignoring services and protected ones. */
export async function topConsumer(
  stack: ActuatorStack,
  host: string,
  resource: 'cpu' | 'memory',
  deps: ActuatorDeps = {},
): Promise<{ pick: ProcessInfo | null; service: ProcessInfo | null }> {
  const read = deps.readProcess ?? readProcess;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const services = new Set(stack.pids[host] ?? []);
  const never = new Set([...(deps.protectedPids ?? [process.pid, process.ppid])]);
  const candidates = stack.hostProcesses(host).filter((p) => !never.has(p));
  const first = candidates.map(read).filter((p): p is ProcessInfo => p !== null && p.comm !== 'sshd');
  // Both resources are judged over an interval: CPU use is a rate, and a leak is a process whose
  // memory grows (early on, a leaking process is often still smaller than the service it sits beside).
  const before = new Map(first.map((p) => [p.pid, p]));
  await sleep(resource === 'cpu' ? CPU_INTERVAL_MS : MEMORY_INTERVAL_MS);
  const infos = first.map((p) => read(p.pid)).filter((p): p is ProcessInfo => p !== null);
  const growth = (p: ProcessInfo): number => p.rssBytes - (before.get(p.pid)?.rssBytes ?? p.rssBytes);
  const used = (p: ProcessInfo): number => p.cpuTicks - (before.get(p.pid)?.cpuTicks ?? p.cpuTicks);
  const byGrowth = resource === 'memory' && infos.some((p) => growth(p) >= MIN_GROWTH_BYTES);
  const key = (p: ProcessInfo): number => (resource === 'cpu' ? used(p) : byGrowth ? growth(p) : p.rssBytes);
  infos.sort((a, b) => key(b) - key(a) || a.pid - b.pid);
  if (resource === 'cpu')
    for (let i = 0; i < infos.length; i++) infos[i] = { ...infos[i]!, cpuTicks: used(infos[i]!) };
  const top = infos[0] ?? null;
  if (top && services.has(top.pid)) return { pick: null, service: top };
  return { pick: top, service: null };
}

async function endTopConsumer(
  stack: ActuatorStack,
  host: string,
  resource: 'cpu' | 'memory',
  deps: ActuatorDeps,
): Promise<Performed> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const read = deps.readProcess ?? readProcess;
  const { pick, service } = await topConsumer(stack, host, resource, deps);
  if (service)
    return {
      state: 'skipped',
      detail: `the top ${resource} consumer on ${host} is its service ${service.comm} (pid ${service.pid}); restarting a service in place is not supported`,
      rollback: null,
    };
  if (!pick) return { state: 'failed', detail: `no process to end on ${host}`, rollback: null };
  const transport = await stack.transport(host);
  const what = `${pick.comm} (pid ${pick.pid}, ${describe(pick, resource)})`;
  await transport.run(['kill', '-TERM', String(pick.pid)], { timeoutMs: 10_000 }).catch(() => undefined);
  // Gone, or escalate: a process that ignores SIGTERM for 5 s gets SIGKILL.
  for (let waited = 0; waited < 5000; waited += 100) {
    if (read(pick.pid) === null) return { state: 'done', detail: `ended ${what} on ${host}`, rollback: null };
    await sleep(100);
  }
  await transport.run(['kill', '-KILL', String(pick.pid)], { timeoutMs: 10_000 }).catch(() => undefined);
  for (let waited = 0; waited < 2000; waited += 100) {
    if (read(pick.pid) === null)
      return { state: 'done', detail: `ended ${what} on ${host} (SIGKILL)`, rollback: null };
    await sleep(100);
  }
  return { state: 'failed', detail: `${what} on ${host} did not exit`, rollback: null };
}

function describe(p: ProcessInfo, resource: 'cpu' | 'memory'): string {
  return resource === 'cpu'
    ? `${p.cpuTicks} ticks in 0.5 s`
    : `${Math.round(p.rssBytes / 2 ** 20)} MiB resident`;
}
