// The host metric agent's loop: every interval, sample each host's source, derive its metrics
// from the previous sample (derive.ts) and publish one `stats` message per host, keyed by host.
// Clock and timer are injected so tests drive it without waiting; a host whose source throws is
// reported and skipped for that tick, never stopping the others.

import type { Bus } from '../bus.ts';
import { deriveMetrics, INITIAL_LOAD, type LoadState } from './derive.ts';
import type { AgentTopics, HostStatsMessage, MetricSource, RawSample } from './types.ts';

export interface AgentClock {
  /** Wall clock, epoch ms: the message's `time`. */
  now(): number;
  /** Monotonic ms: the dt of rates (a wall-clock step must not make a rate jump). */
  monotonic(): number;
}

export interface AgentTimer {
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: AgentClock = { now: () => Date.now(), monotonic: () => performance.now() };

/** How far past a period boundary the system timer fires (timer jitter up to ms - this is absorbed). */
const ALIGN_OFFSET_MS = 20;

/**
 * Fires at wall-clock multiples of `ms` (+20 ms), not every `ms` from the start: setInterval drifts
 * and its jitter sometimes puts two samples in one second and none in the next, which a per-second
 * recording shows as a hole. Aligned, each tick lands in its own second unless it is ~1 s late.
 */
export const systemTimer: AgentTimer = {
  every(ms, fn) {
    let h: NodeJS.Timeout | null = null;
    const schedule = (): void => {
      h = setTimeout(
        () => {
          fn();
          if (h !== null) schedule();
        },
        ms - (Date.now() % ms) + ALIGN_OFFSET_MS,
      );
    };
    schedule();
    return () => {
      if (h !== null) clearTimeout(h);
      h = null;
    };
  },
};

export interface AgentHost {
  host: string;
  source: MetricSource;
}

export interface AgentOptions {
  hosts: readonly AgentHost[];
  bus: Pick<Bus<AgentTopics>, 'publish'>;
  /** Sampling interval, ms (default 1000: the seed's one message per host and second). */
  intervalMs?: number;
  clock?: AgentClock;
  timer?: AgentTimer;
  /** Called when a host's sampling or the publish throws (default: one line on stderr). */
  onError?: (err: unknown, host: string) => void;
}

interface HostState {
  prev: RawSample | undefined;
  load: LoadState;
}

export class HostAgent {
  private readonly state = new Map<string, HostState>();
  private stopTimer: (() => void) | null = null;
  private readonly clock: AgentClock;
  private readonly onError: (err: unknown, host: string) => void;

  constructor(private readonly options: AgentOptions) {
    const names = options.hosts.map((h) => h.host);
    if (new Set(names).size !== names.length)
      throw new Error(`agent: duplicate host ids in ${names.join(',')}`);
    this.clock = options.clock ?? systemClock;
    this.onError =
      options.onError ??
      ((err, host) =>
        process.stderr.write(`agent: host ${host}: ${(err as Error)?.message ?? String(err)}\n`));
    for (const h of options.hosts) this.state.set(h.host, { prev: undefined, load: INITIAL_LOAD });
  }

  /** Samples every host once and publishes; returns the messages published (for callers/tests). */
  tick(): HostStatsMessage[] {
    const time = this.clock.now();
    const out: HostStatsMessage[] = [];
    for (const { host, source } of this.options.hosts) {
      const st = this.state.get(host)!;
      try {
        const cur = source.sample(this.clock.monotonic());
        const { metrics, load } = deriveMetrics(st.prev, cur, st.load);
        st.prev = cur;
        st.load = load;
        const msg: HostStatsMessage = { host, time, metrics };
        this.options.bus.publish('stats', msg);
        out.push(msg);
      } catch (err) {
        this.onError(err, host);
      }
    }
    return out;
  }

  /** Samples now (the first, rate-less message) and then every interval until stop(). */
  start(): void {
    if (this.stopTimer) return;
    const timer = this.options.timer ?? systemTimer;
    this.tick();
    this.stopTimer = timer.every(this.options.intervalMs ?? 1000, () => this.tick());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }
}
