// Issue 18, item 5: a repetition does not start its workload while a host's load5 is still falling
// from what ran before (the previous repetition, the stack's own start, another job): a normal phase
// that opens on a decaying load5 teaches the predictors a trend the fault phase does not have. The
// kernel's load5 decays with a 5-minute time constant, so "settled" is a falling rate below a bound,
// not a level. The wait is bounded; a host that never settles is named and the run goes on. The
// runner watches the hosts under test: the harness's own (Kafka's JVM start-up, the recorder) are
// neither replayed nor scored (rules v2), and waiting on them cost up to the bound on every run.

import type { AggregateMessage } from '../../telemetry/bus.ts';

/** How much load5 may fall over `windowS` seconds and still count as settled (load units). */
export const SETTLE_TOLERANCE = 0.05;
/** The window over which the fall is measured, seconds. */
export const SETTLE_WINDOW_S = 30;
/** The longest the runner waits, seconds (one load5 time constant). */
export const SETTLE_MAX_WAIT_S = 300;

/** load5 of every host in one aggregate row (rows carry each host's metrics; null = no reading). */
export function load5OfRow(row: AggregateMessage): Map<string, number> {
  const hosts = (row as { hosts?: Record<string, Record<string, number | null>> }).hosts ?? {};
  const out = new Map<string, number>();
  for (const [h, m] of Object.entries(hosts)) {
    const v = m['load5'];
    if (typeof v === 'number' && Number.isFinite(v)) out.set(h, v);
  }
  return out;
}

export interface SettleVerdict {
  settled: boolean;
  /** The hosts whose load5 fell by more than the tolerance over the window, with the fall. */
  falling: { host: string; fall: number }[];
}

/**
 * Pure: given each host's load5 series, one value per second (oldest first), is every host settled?
 * Not settled while any host has fewer than windowS + 1 readings (nothing to judge yet).
 */
export function judgeSettled(
  series: ReadonlyMap<string, readonly number[]>,
  windowS = SETTLE_WINDOW_S,
  tolerance = SETTLE_TOLERANCE,
): SettleVerdict {
  if (series.size === 0) return { settled: false, falling: [] };
  const falling: { host: string; fall: number }[] = [];
  let enough = true;
  for (const [host, s] of series) {
    if (s.length <= windowS) {
      enough = false;
      continue;
    }
    const fall = s[s.length - 1 - windowS]! - s[s.length - 1]!;
    if (fall > tolerance) falling.push({ host, fall });
  }
  return { settled: enough && falling.length === 0, falling };
}

export interface SettleSource {
  onAggregate(cb: (row: AggregateMessage) => void): () => void;
}

export interface SettleResult {
  waitedS: number;
  settled: boolean;
  falling: { host: string; fall: number }[];
}

/**
 * Watches the session's aggregate rows until every host's load5 is settled or `maxWaitS` has
 * passed; `log` says what it waits for (once, then every 30 s) and how it ended.
 */
export async function waitForSettledLoad(
  session: SettleSource,
  o: {
    log: (line: string) => void;
    maxWaitS?: number;
    now?: () => number;
    /** The hosts to watch (default: every host in the rows). */
    hosts?: readonly string[];
  },
): Promise<SettleResult> {
  const now = o.now ?? Date.now;
  const maxWaitS = o.maxWaitS ?? SETTLE_MAX_WAIT_S;
  const start = now();
  const series = new Map<string, number[]>();
  let lastSaid = -Infinity;
  return new Promise<SettleResult>((resolve) => {
    let unsubscribe: () => void = () => undefined;
    const done = (r: SettleResult): void => {
      unsubscribe();
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      const v = judgeSettled(series);
      const names = v.falling.map((f) => `${f.host} (-${f.fall.toFixed(2)} in ${SETTLE_WINDOW_S} s)`);
      o.log(`load5 not settled after ${maxWaitS} s${names.length ? `: ${names.join(', ')}` : ''}; going on`);
      done({ waitedS: maxWaitS, settled: false, falling: v.falling });
    }, maxWaitS * 1000);
    unsubscribe = session.onAggregate((row) => {
      for (const [h, v] of load5OfRow(row)) {
        if (o.hosts && !o.hosts.includes(h)) continue;
        const s = series.get(h) ?? [];
        s.push(v);
        if (s.length > SETTLE_WINDOW_S + 1) s.shift();
        series.set(h, s);
      }
      const v = judgeSettled(series);
      const waitedS = Math.round((now() - start) / 1000);
      if (v.settled) {
        if (waitedS > SETTLE_WINDOW_S + 5) o.log(`load5 settled on every host after ${waitedS} s`);
        done({ waitedS, settled: true, falling: [] });
      } else if (v.falling.length > 0 && now() - lastSaid >= 30_000) {
        lastSaid = now();
        o.log(
          `waiting for load5 to settle (at most ${maxWaitS} s): falling on ${v.falling
            .map((f) => `${f.host} (-${f.fall.toFixed(2)} in ${SETTLE_WINDOW_S} s)`)
            .join(', ')}`,
        );
      }
    });
  });
}
