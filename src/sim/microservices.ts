// Per-service microservice cases at 1 s, like the held-out check of issue 20 (RCAEval RE1-style:
// per-service CPU %, memory MiB and latency s; a CPU hog or a memory leak in one of ~13 services).
// Not a copy of any data set: a small generative model with the properties that made localizers
// fail on real data: metrics in different units, noisy and bursty series, a shared workload swing,
// housekeeping spikes on innocent services, and callers whose latency follows their callees'.
// Seeded and pure: the same options give the same dataset.

import { DATASET_FORMAT, type Dataset } from '../core/dataset.ts';
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
  const rng = createRng(o.seed * 7919 + (o.fault === 'cpu' ? 1 : 2));
  const ns = Math.min(NAMES.length, o.services ?? 13);
  const seconds = o.seconds ?? 1200;
  const faultAt = o.faultAtS ?? 900;
  const names = NAMES.slice(0, ns);
  // Call graph: service i > 0 is called by one earlier service (a tree rooted at the frontend),
  // plus a few extra edges to later services.
  const edges: [string, string][] = [];
  const callees: number[][] = names.map(() => []);
  for (let i = 1; i < ns; i++) {
    const parent = i <= 4 ? 0 : 1 + rng.int(Math.min(i - 1, 6));
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
  const cpuBase = names.map(() => 1 + 30 * rng.next() ** 2);
  const memBase = names.map(() => 100 + 700 * rng.next());
  const latOwn = names.map(() => 0.002 + 0.03 * rng.next());
  const spikes = names.map(() => ({
    at: 60 + rng.int(seconds - 120),
    len: 10 + rng.int(30),
    on: rng.next() < 0.4,
  }));
  const hogLevel = 60 + 35 * rng.next();
  const leakRate = 1 + 4 * rng.next(); // MiB/s
  const ramp = 1 + rng.int(5);

  const n = seconds * ns;
  const time = new Float64Array(n);
  const host = new Int32Array(n);
  const columns = MICROSERVICE_METRICS.map(() => new Float64Array(n));
  const mem = memBase.slice();
  const lat = new Float64Array(ns);
  for (let s = 0; s < seconds; s++) {
    const load = 1 + 0.3 * Math.sin((2 * Math.PI * s) / 600) + 0.05 * rng.normal();
    const inFault = s >= faultAt;
    // Latency bottom-up (children have higher indices), then the rows.
    for (let i = ns - 1; i >= 0; i--) {
      let own = latOwn[i]! * load * (1 + 0.15 * Math.abs(rng.normal()));
      if (rng.next() < 0.01) own *= 3; // heavy tail
      if (inFault && i === culprit && o.fault === 'cpu') own *= 2 + rng.next();
      if (inFault && i === culprit && o.fault === 'mem') own *= 1 + 0.3 * Math.min(1, (s - faultAt) / 120);
      let down = 0;
      for (const c of callees[i]!) down += 0.6 * lat[c]!;
      lat[i] = own + down;
    }
    for (let i = 0; i < ns; i++) {
      const row = s * ns + i;
      time[row] = T0 + s * 1000;
      host[row] = i;
      let cpu = cpuBase[i]! * load * (1 + 0.1 * rng.normal()) + 0.5 * Math.abs(rng.normal());
      const sp = spikes[i]!;
      if (sp.on && s >= sp.at && s < sp.at + sp.len) cpu += 20 + 20 * rng.next(); // housekeeping
      if (inFault && i === culprit && o.fault === 'cpu') {
        cpu = Math.max(cpu, hogLevel * Math.min(1, (s - faultAt + 1) / ramp) + 2 * rng.normal());
      }
      mem[i] = mem[i]! + 0.3 * rng.normal() - 0.01 * (mem[i]! - memBase[i]!);
      if (inFault && i === culprit && o.fault === 'mem') mem[i] = mem[i]! + leakRate;
      columns[0]![row] = Math.min(100, Math.max(0, cpu));
      columns[1]![row] = mem[i]!;
      columns[2]![row] = lat[i]!;
    }
  }
  const culpritName = names[culprit]!;
  return {
    manifest: {
      format: DATASET_FORMAT,
      name: `micro-${o.fault}-${o.seed}`,
      source: { kind: 'synthetic', detail: 'src/sim/microservices.ts' },
      sampleIntervalMs: 1000,
      start: T0,
      end: T0 + seconds * 1000,
      hosts: names.map((id) => ({ id })),
      dependencies: edges,
      metrics: [...MICROSERVICE_METRICS],
      slo: null,
      phases: [],
      faults: [
        {
          id: `${o.fault}-${culpritName}`,
          type: o.fault,
          host: culpritName,
          start: T0 + faultAt * 1000,
          end: T0 + seconds * 1000,
          metrics: [o.fault],
        },
      ],
      actions: [],
      seed: o.seed,
    },
    metrics: { time, host, hosts: names, metrics: [...MICROSERVICE_METRICS], columns },
    slo: null,
  };
}
