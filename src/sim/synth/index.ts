// Deterministic synthetic datasets: a RUBiS-like multi-tier service on N hosts with one injected fault
// (or none), recorded at 1 s as the eight UBL-style host metrics plus a per-second SLO series.
//
// Pipeline (pure, O(hosts x seconds), typed arrays only):
//   1. topology.ts: hosts and the caller -> callee DAG; visits = share of requests through each host.
//   2. workload.ts: offered front-end request rate (load cycles, bursts, Poisson noise).
//   3. Culprit pre-pass: the faulty host is stepped twice (host.ts), with and without its fault, on the
//      same load; dR(t) = how many ms slower it got, thr(t) = the share of its requests it still passes on.
//      Closed loop: RUBiS clients think THINK_S between requests, so the offered rate shrinks as the mean
//      latency grows: rate x THINK_S / (THINK_S + visits_c dR(t - 1) / 1000) (interactive response-time law).
//   4. Every host is stepped and observed (metrics.ts), writing straight into the long-format columns
//      (row = t * hosts + h, hosts sorted by id, so rows are sorted by time then host). Propagation, with
//      HOP_DELAY_S per call-graph hop (connection pools and worker queues take seconds to fill or drain):
//      - callers of the culprit (any distance): threads waiting on it, by Little's law
//        lambda_h * reach_h * dR(t - hops * HOP_DELAY_S), smoothed with time constant WAIT_TAU_S and
//        capped at the worker pool; they add a little CPU and load on the caller (host.ts), so a caller's
//        change is smaller and later than the culprit's;
//      - callees of the culprit (back-pressure): the share of their load that arrives through the culprit
//        scales with thr(t - hops * HOP_DELAY_S): a struggling culprit sends them fewer requests.
//   5. slo.ts: per-second count, mean/p95/max latency, violations and errors at the front end.
//
// Units: times in the dataset are epoch ms; everything inside is in seconds since the run start.
// Limits: the SLO is the front end's mean latency, so a fault breaks it only when the culprit carries a
// large enough share of the requests (a saturated culprit adds ~2 s x its visits): with the default db
// culprit that held up to 100 hosts in our runs but not at 200 (a db carries ~1/60 of the requests there)
// or 1000, where a fault run stays within the SLO. Per-host cron spikes (metrics.ts) mean the first host
// to look odd is not always the culprit.

import {
  DATASET_FORMAT,
  type Dataset,
  type FaultRecord,
  type Manifest,
  type Phase,
} from '../../core/dataset.ts';
import { ConfigError } from '../../core/errors.ts';
import { CULPRIT_METRICS, faultLoadAt, faultParams, type FaultParams } from './faults.ts';
import { HostState, hostSpec, NO_FAULT, stepHost, type FaultLoad, type HostSpec } from './host.ts';
import { Observer, SYNTH_METRICS } from './metrics.ts';
import { resolveOptions, type ResolvedOptions, type SynthOptions } from './options.ts';
import { sloColumns } from './slo.ts';
import { stream } from './streams.ts';
import { buildTopology, influenceOf, type Influence, type Topology } from './topology.ts';
import { offeredLoad } from './workload.ts';

export { SYNTH_FAULT_TYPES, CULPRIT_METRICS, type SynthFaultType } from './faults.ts';
export { SYNTH_METRICS } from './metrics.ts';
export type { SynthOptions } from './options.ts';
export { buildTopology, tierSizes, type Topology } from './topology.ts';

/** RUBiS client think time (TPC-W mean, rubis.md), s. */
const THINK_S = 7;
/** Delay per call-graph hop before a slow host's callers (or callees) feel it, s. */
const HOP_DELAY_S = 3;
/** Time constant with which waiting threads pile up on (or drain from) a caller, s. */
const WAIT_TAU_S = 5;
/** A default fault host is drawn among db hosts with at least this share of the busiest db host's visits. */
const BUSY_SHARE = 0.5;

interface CulpritEffect {
  host: number;
  params: FaultParams;
  influence: Influence;
  /** ms the culprit is slower than it would be without the fault, per second. */
  dR: Float64Array;
  /** The culprit's throughput relative to the fault-free run, per second. */
  thr: Float64Array;
}

export function synthesize(options: SynthOptions): Dataset {
  const o = resolveOptions(options);
  const topo = buildTopology(o.hosts, o.seed);
  const n = topo.ids.length;
  const T = o.durationS;
  const specs: HostSpec[] = topo.ids.map((id, h) =>
    hostSpec(topo.roles[h] ?? 'app', topo.visits[h] ?? 0, stream(o.seed, `host:${id}:spec`)),
  );
  const offered = offeredLoad(o.seed, T);
  const closed = new Float64Array(T).fill(1);

  let culprit: CulpritEffect | null = null;
  if (o.fault !== 'none') {
    const host = culpritIndex(topo, o);
    const params = faultParams(o.fault, stream(o.seed, 'fault'));
    culprit = prePass(specs[host] as HostSpec, host, topo, o, params, offered, closed);
  }

  // Main pass.
  const rows = n * T;
  const time = new Float64Array(rows);
  const hostCol = new Int32Array(rows);
  const cols = SYNTH_METRICS.map(() => new Float64Array(rows));
  for (let t = 0; t < T; t++) {
    const ms = o.startMs + t * 1000;
    for (let h = 0, r = t * n; h < n; h++, r++) {
      time[r] = ms;
      hostCol[r] = h;
    }
  }
  const okSum = new Float64Array(T);
  const errSum = new Float64Array(T);
  const load: FaultLoad = { ...NO_FAULT };
  const waitGain = 1 - Math.exp(-1 / WAIT_TAU_S);
  for (let h = 0; h < n; h++) {
    const spec = specs[h] as HostSpec;
    const st = new HostState(spec);
    const obs = new Observer(spec, stream(o.seed, `host:${topo.ids[h]}:noise`));
    const isCulprit = culprit !== null && culprit.host === h;
    const up = culprit && !isCulprit ? (culprit.influence.upHops[h] ?? -1) : -1;
    const down = culprit && !isCulprit ? (culprit.influence.downHops[h] ?? -1) : -1;
    const reach = culprit ? (culprit.influence.reach[h] ?? 0) : 0;
    const via = culprit ? (culprit.influence.via[h] ?? 0) : 0;
    let wait = 0;
    for (let t = 0; t < T; t++) {
      let lambda = (offered[t] ?? 0) * (closed[t] ?? 1) * spec.visits;
      if (culprit && down > 0) {
        const k = t - down * HOP_DELAY_S;
        const r = k >= 0 ? (culprit.thr[k] ?? 1) : 1;
        lambda = Math.max(0, lambda * (1 - via * (1 - r)));
      }
      if (culprit && up > 0) {
        const k = t - up * HOP_DELAY_S;
        const target = k >= 0 ? (lambda * reach * (culprit.dR[k] ?? 0)) / 1000 : 0;
        wait += (Math.min(target, spec.pool) - wait) * waitGain;
      }
      let fault: Readonly<FaultLoad> = NO_FAULT;
      if (isCulprit && t >= o.faultStartS && t < o.faultEndS) {
        faultLoadAt(o.fault, culprit?.params ?? {}, t - o.faultStartS + 1, load);
        fault = load;
      }
      stepHost(spec, st, t, lambda, wait, fault);
      obs.write(st, t, lambda, cols, t * n + h);
      okSum[t] = (okSum[t] ?? 0) + spec.visits * st.okMs;
      errSum[t] = (errSum[t] ?? 0) + spec.visits * st.errFrac;
    }
  }

  let pathLength = 0;
  for (const v of topo.visits) pathLength += v;
  const rate = new Float64Array(T);
  for (let t = 0; t < T; t++) rate[t] = (offered[t] ?? 0) * (closed[t] ?? 1);
  const sloTime = new Float64Array(T);
  for (let t = 0; t < T; t++) sloTime[t] = o.startMs + t * 1000;
  const slo = {
    time: sloTime,
    columns: sloColumns({ rate, okSum, errSum, pathLength }, o.sloThresholdMs, o.seed),
  };

  return {
    manifest: buildManifest(o, topo, culprit),
    metrics: { time, host: hostCol, hosts: [...topo.ids], metrics: [...SYNTH_METRICS], columns: cols },
    slo,
  };
}

function culpritIndex(topo: Topology, o: ResolvedOptions): number {
  if (o.faultHost !== undefined) {
    const h = topo.ids.indexOf(o.faultHost);
    if (h < 0) {
      const shown = topo.ids.length <= 8 ? topo.ids.join(', ') : `${topo.ids.slice(0, 8).join(', ')}, ...`;
      throw new ConfigError(`faultHost: no host "${o.faultHost}" in this topology (hosts: ${shown})`);
    }
    return h;
  }
  const dbs = topo.ids.map((_, h) => h).filter((h) => topo.roles[h] === 'db');
  let busiest = 0;
  for (const h of dbs) busiest = Math.max(busiest, topo.visits[h] ?? 0);
  const candidates = dbs.filter((h) => (topo.visits[h] ?? 0) >= BUSY_SHARE * busiest);
  return candidates[stream(o.seed, 'fault-host').int(candidates.length)] ?? dbs[0] ?? 0;
}

function prePass(
  spec: HostSpec,
  host: number,
  topo: Topology,
  o: ResolvedOptions,
  params: FaultParams,
  offered: Float64Array,
  closed: Float64Array,
): CulpritEffect {
  const T = o.durationS;
  const dR = new Float64Array(T);
  const thr = new Float64Array(T).fill(1);
  const faulty = new HostState(spec);
  const clean = new HostState(spec);
  const load: FaultLoad = { ...NO_FAULT };
  for (let t = 0; t < T; t++) {
    const prev = t > 0 ? (dR[t - 1] ?? 0) : 0;
    closed[t] = THINK_S / (THINK_S + (spec.visits * prev) / 1000);
    const lambda = (offered[t] ?? 0) * (closed[t] ?? 1) * spec.visits;
    let fault: Readonly<FaultLoad> = NO_FAULT;
    if (t >= o.faultStartS && t < o.faultEndS) {
      faultLoadAt(o.fault, params, t - o.faultStartS + 1, load);
      fault = load;
    }
    stepHost(spec, faulty, t, lambda, 0, fault);
    stepHost(spec, clean, t, lambda, 0, NO_FAULT);
    dR[t] = Math.max(0, faulty.latencyMs - clean.latencyMs);
    thr[t] = clean.throughput > 0 ? faulty.throughput / clean.throughput : 1;
  }
  return { host, params, influence: influenceOf(topo, host), dR, thr };
}

function buildManifest(o: ResolvedOptions, topo: Topology, culprit: CulpritEffect | null): Manifest {
  const at = (s: number): number => o.startMs + s * 1000;
  const end = at(o.durationS);
  const faults: FaultRecord[] = [];
  let phases: Phase[];
  let faultHost = '';
  if (culprit && o.fault !== 'none') {
    faultHost = topo.ids[culprit.host] ?? '';
    faults.push({
      id: 'f1',
      type: o.fault,
      host: faultHost,
      start: at(o.faultStartS),
      end: at(o.faultEndS),
      metrics: [...CULPRIT_METRICS[o.fault]],
      params: { ...culprit.params },
    });
    // Train on the first two thirds of the fault-free lead-in; the last third stays in the scored part,
    // so false-alarm rates are measured on normal data too (not only on the fault and its aftermath).
    const trainEndS = Math.round((2 / 3) * o.faultStartS);
    phases = [
      { name: 'normal', start: at(0), end: at(trainEndS) },
      { name: 'pre-fault', start: at(trainEndS), end: at(o.faultStartS) },
      { name: 'fault', start: at(o.faultStartS), end: at(o.faultEndS) },
      { name: 'recovery', start: at(o.faultEndS), end },
    ].filter((p) => p.end > p.start);
  } else {
    // The same training share as a fault run with the default fault start (2/3 of 60%).
    const split = at(Math.round(0.4 * o.durationS));
    phases = [
      { name: 'normal', start: at(0), end: split },
      { name: 'control', start: split, end },
    ];
  }
  const detail =
    `synthesize hosts=${o.hosts} fault=${o.fault} seed=${o.seed} durationS=${o.durationS} startMs=${o.startMs}` +
    (culprit ? ` faultHost=${faultHost} faultStartS=${o.faultStartS} faultEndS=${o.faultEndS}` : '') +
    ` sloThresholdMs=${o.sloThresholdMs}`;
  return {
    format: DATASET_FORMAT,
    name: o.name,
    source: { kind: 'synthetic', detail },
    sampleIntervalMs: 1000,
    start: at(0),
    end,
    hosts: topo.ids.map((id, h) => ({ id, role: topo.roles[h] ?? 'app' })),
    dependencies: topo.edges.map(([a, b]) => [topo.ids[a] ?? '', topo.ids[b] ?? ''] as [string, string]),
    metrics: [...SYNTH_METRICS],
    slo: { signal: 'mean_latency_ms', threshold: o.sloThresholdMs },
    phases,
    faults,
    actions: [],
    seed: o.seed,
  };
}
