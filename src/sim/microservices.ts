// Per-service microservice cases at 1 s, like the held-out check of issue 20 (RCAEval RE1-style:
// per-service CPU %, memory MiB and latency s; a CPU hog or a memory leak in one of ~13 services).
// Not a copy of any data set: a small generative model with the properties that made localizers
// fail on real data: metrics in different units, noisy and bursty series, a shared workload swing,
// housekeeping spikes on innocent services, and callers whose latency follows their callees'.
// Seeded and pure: the same options give the same dataset.
//
// Harder cases (issue 20 item 5; every option off gives exactly the cases of before):
// - `services` up to 100, with deeper call graphs above 20 services (any earlier service may call);
// - `faults: 2`: a second fault of the other type on another service, 5-29 s after the first
//   (every fault of a case is a culprit: rca scores each);
// - `backPressure`: the culprit's own metrics move only 15-34 s after the fault starts, while its
//   direct callers' latency moves at once (their requests queue on the culprit's saturated
//   connections): the earliest-changing host is a caller, not the culprit;
// - `noise` k: the noise terms, the heavy-tail rate and the share of services with housekeeping
//   spikes (capped at 0.9) are multiplied by k.

import { DATASET_FORMAT, type Dataset } from '../core/dataset.ts';
import { ConfigError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';

export type MicroserviceFault = 'cpu' | 'mem';

export interface MicroserviceCaseOptions {
  seed: number;
  fault: MicroserviceFault;
  /** Services (default 13). */
  services?: number;
  /** Length of the case (s, default 1200) and the fault start (s, default 900). */
  seconds?: number;
  faultAtS?: number;
  /** The culprit's index (default: drawn from the seed). */
  culprit?: number;
  /** Faults in the case: 1 (default) or 2 (the second of the other type, on another service). */
  faults?: 1 | 2;
  /** The culprit's callers' latency moves before the culprit's own metrics (default false). */
  backPressure?: boolean;
  /** Noise multiplier (default 1). */
  noise?: number;
}

/** Most services a case can have. */
export const MAX_MICRO_SERVICES = 100;

interface FaultSpec {
  host: number;
  type: MicroserviceFault;
  /** Fault start and the second its own metrics start to move (later with back-pressure), s. */
  at: number;
  ownAt: number;
  hogLevel: number;
  leakRate: number;
  ramp: number;
}

function checkOptions(o: MicroserviceCaseOptions): void {
  const bad = (what: string): never => {
    throw new ConfigError(`microservice case: ${what}`);
  };
  if (o.fault !== 'cpu' && o.fault !== 'mem') bad(`fault must be cpu or mem, got ${String(o.fault)}`);
  const ns = o.services ?? 13;
  if (!Number.isSafeInteger(ns) || ns < 2 || ns > MAX_MICRO_SERVICES)
    bad(`services must be an integer in 2..${MAX_MICRO_SERVICES}, got ${String(ns)}`);
  if (o.faults !== undefined && o.faults !== 1 && o.faults !== 2)
    bad(`faults must be 1 or 2, got ${String(o.faults)}`);
  const noise = o.noise ?? 1;
  if (!Number.isFinite(noise) || noise <= 0 || noise > 10)
    bad(`noise must be in (0, 10], got ${String(noise)}`);
  const seconds = o.seconds ?? 1200;
  const faultAt = o.faultAtS ?? 900;
  if (!Number.isSafeInteger(seconds) || seconds < 240)
    bad(`seconds must be an integer >= 240, got ${String(seconds)}`);
  if (!Number.isSafeInteger(faultAt) || faultAt < 120 || faultAt >= seconds - 60)
    bad(`the fault start must leave 120 s before and 60 s after it, got ${String(faultAt)} of ${seconds}`);
}

function serviceName(i: number): string {
  return NAMES[i] ?? `svc${String(i).padStart(2, '0')}`;
}

export const MICROSERVICE_METRICS = ['cpu', 'mem', 'latency'] as const;
const T0 = 1_767_225_600_000;
const NAMES = [
  'frontend',
  'cart',
  'checkout',
  'currency',
  'email',
  'payment',
  'catalog',
  'recommend',
  'shipping',
  'ad',
  'user',
  'order',
  'route',
  'price',
  'station',
  'travel',
  'seat',
  'food',
  'auth',
  'config',
];

export function microserviceCase(o: MicroserviceCaseOptions): Dataset {
  checkOptions(o);
  const rng = createRng(o.seed * 7919 + (o.fault === 'cpu' ? 1 : 2));
  const ns = o.services ?? 13;
  const seconds = o.seconds ?? 1200;
  const faultAt = o.faultAtS ?? 900;
  const k = o.noise ?? 1;
  const names = Array.from({ length: ns }, (_, i) => serviceName(i));
  // Call graph: service i > 0 is called by one earlier service (a tree rooted at the frontend),
  // plus a few extra edges to later services.
  const edges: [string, string][] = [];
  const callees: number[][] = names.map(() => []);
  for (let i = 1; i < ns; i++) {
    const parent = i <= 4 ? 0 : 1 + rng.int(ns <= NAMES.length ? Math.min(i - 1, 6) : i - 1);
    edges.push([names[parent]!, names[i]!]);
    callees[parent]!.push(i);
  }
  for (let e = 0; e < Math.floor(ns / 4); e++) {
    const a = 1 + rng.int(ns - 2);
    const b = a + 1 + rng.int(ns - a - 1);
    if (!callees[a]!.includes(b)) {
      edges.push([names[a]!, names[b]!]);
      callees[a]!.push(b);
    }
  }
  const culprit = o.culprit ?? rng.int(ns);
  if (culprit < 0 || culprit >= ns || !Number.isSafeInteger(culprit))
    throw new ConfigError(
      `microservice case: culprit must be a service index in 0..${ns - 1}, got ${culprit}`,
    );
  const cpuBase = names.map(() => 1 + 30 * rng.next() ** 2);
  const memBase = names.map(() => 100 + 700 * rng.next());
  const latOwn = names.map(() => 0.002 + 0.03 * rng.next());
  const spikes = names.map(() => ({
    at: 60 + rng.int(seconds - 120),
    len: 10 + rng.int(30),
    on: rng.next() < Math.min(0.9, 0.4 * k),
  }));
  const drawFault = (host: number, type: MicroserviceFault, at: number): FaultSpec => {
    const hogLevel = 60 + 35 * rng.next();
    const leakRate = 1 + 4 * rng.next(); // MiB/s
    const ramp = 1 + rng.int(5);
    return { host, type, at, ownAt: at, hogLevel, leakRate, ramp };
  };
  const faults = [drawFault(culprit, o.fault, faultAt)];
  if (o.faults === 2) {
    const other = (culprit + 1 + rng.int(ns - 1)) % ns;
    faults.push(drawFault(other, o.fault === 'cpu' ? 'mem' : 'cpu', faultAt + 5 + rng.int(25)));
  }
  const callers: number[][] = names.map(() => []);
  for (const [a, b] of edges) callers[names.indexOf(b)]!.push(names.indexOf(a));
  /** Per service, the fault whose callee it calls (back-pressure), if any. */
  const queuedOn: (FaultSpec | undefined)[] = names.map(() => undefined);
  if (o.backPressure) {
    for (const f of faults) {
      f.ownAt = f.at + 15 + rng.int(20);
      for (const c of callers[f.host]!) queuedOn[c] ??= f;
    }
  }
  // A service's fault-free latency (mean load 1, mean |normal| 0.8), to size the queueing delay.
  const typical = new Float64Array(ns);
  for (let i = ns - 1; i >= 0; i--) {
    typical[i] = latOwn[i]! * (1 + 0.12 * k);
    for (const c of callees[i]!) typical[i]! += 0.6 * typical[c]!;
  }
  const faultOf: (FaultSpec | undefined)[] = names.map(() => undefined);
  for (const f of faults) faultOf[f.host] = f;

  const n = seconds * ns;
  const time = new Float64Array(n);
  const host = new Int32Array(n);
  const columns = MICROSERVICE_METRICS.map(() => new Float64Array(n));
  const mem = memBase.slice();
  const lat = new Float64Array(ns);
  for (let s = 0; s < seconds; s++) {
    const load = 1 + 0.3 * Math.sin((2 * Math.PI * s) / 600) + 0.05 * k * rng.normal();
    // Latency bottom-up (children have higher indices), then the rows.
    for (let i = ns - 1; i >= 0; i--) {
      let own = latOwn[i]! * load * (1 + 0.15 * k * Math.abs(rng.normal()));
      if (rng.next() < 0.01 * k) own *= 3; // heavy tail
      const f = faultOf[i];
      if (f && s >= f.ownAt && f.type === 'cpu') own *= 2 + rng.next();
      if (f && s >= f.ownAt && f.type === 'mem') own *= 1 + 0.3 * Math.min(1, (s - f.ownAt) / 120);
      let down = 0;
      for (const c of callees[i]!) down += 0.6 * lat[c]!;
      // Back-pressure: requests queue in this caller for a saturated callee before the callee shows it.
      const q = queuedOn[i];
      if (q && s >= q.at) down += (3 + 3 * rng.next()) * typical[i]! * Math.min(1, (s - q.at + 1) / 5);
      lat[i] = own + down;
    }
    for (let i = 0; i < ns; i++) {
      const row = s * ns + i;
      time[row] = T0 + s * 1000;
      host[row] = i;
      let cpu = cpuBase[i]! * load * (1 + 0.1 * k * rng.normal()) + 0.5 * k * Math.abs(rng.normal());
      const sp = spikes[i]!;
      if (sp.on && s >= sp.at && s < sp.at + sp.len) cpu += 20 + 20 * rng.next(); // housekeeping
      const f = faultOf[i];
      if (f && s >= f.ownAt && f.type === 'cpu') {
        cpu = Math.max(cpu, f.hogLevel * Math.min(1, (s - f.ownAt + 1) / f.ramp) + 2 * rng.normal());
      }
      mem[i] = mem[i]! + 0.3 * k * rng.normal() - 0.01 * (mem[i]! - memBase[i]!);
      if (f && s >= f.ownAt && f.type === 'mem') mem[i] = mem[i]! + f.leakRate;
      columns[0]![row] = Math.min(100, Math.max(0, cpu));
      columns[1]![row] = mem[i]!;
      columns[2]![row] = lat[i]!;
    }
  }
  const tag = `${o.faults === 2 ? '-2f' : ''}${o.backPressure ? '-bp' : ''}${k !== 1 ? `-n${k}` : ''}`;
  const sized = o.services === undefined ? '' : `-${ns}s`;
  return {
    manifest: {
      format: DATASET_FORMAT,
      name: `micro-${o.fault}${sized}${tag}-${o.seed}`,
      source: { kind: 'synthetic', detail: 'src/sim/microservices.ts' },
      sampleIntervalMs: 1000,
      start: T0,
      end: T0 + seconds * 1000,
      hosts: names.map((id) => ({ id })),
      dependencies: edges,
      metrics: [...MICROSERVICE_METRICS],
      slo: null,
      phases: [],
      faults: faults.map((f) => ({
        id: `${f.type}-${names[f.host]!}`,
        type: f.type,
        host: names[f.host]!,
        start: T0 + f.at * 1000,
        end: T0 + seconds * 1000,
        metrics: [f.type],
      })),
      actions: [],
      seed: o.seed,
    },
    metrics: { time, host, hosts: names, metrics: [...MICROSERVICE_METRICS], columns },
    slo: null,
  };
}
