// Call graph of a synthetic multi-tier service (RUBiS-like: web front ends, application servers,
// database back ends).
//
// Tiers and sizes (N hosts):
//   web = max(1, round(WEB_SHARE * N)), db = max(1, round(DB_SHARE * N)), app = the rest (>= 0).
//   N = 2 gives web-0 -> db-0, N = 3 gives web-0 -> app-0 -> db-0, N = 5 gives 1 web, 2 app, 2 db.
// Edges go only from one tier to the next (web -> app -> db, or web -> db when there is no app tier), so
// the graph is a layered DAG. Every callee gets at least one caller and every caller at least one callee
// (spread evenly by index), then each caller gets 0..EXTRA_FANOUT more random callees (fan-out). Hence
// every host is reachable from some web host.
// Edge weights: each caller splits its calls over its callees with random weights in
// [WEIGHT_MIN, WEIGHT_MAX] normalised to 1 (uneven load balancing / sharding), and the web hosts share the
// incoming requests evenly. `visits[h]` is then the share of front-end requests that pass through h
// (per tier the visits sum to 1): a request visits exactly one host per tier.
// Host ids are `<role>-<index>` with the index zero-padded to the width of the largest tier's last index
// (`app-007` when a tier has 100+ hosts), so sorting ids as strings sorts them by tier and index; the
// host index used everywhere is the position in that sorted list.
// Everything random comes from the `topology` stream of the seed.

import type { Rng } from '../../core/rng.ts';
import { stream } from './streams.ts';

export type Role = 'web' | 'app' | 'db';

/** Share of hosts in the front-end tier (UBL/FChain RUBiS setups: one web per few back-end hosts). */
const WEB_SHARE = 0.2;
/** Share of hosts in the database tier. */
const DB_SHARE = 0.3;
/** At most this many extra callees per caller on top of the guaranteed one. */
const EXTRA_FANOUT = 2;
/** Range of the raw per-edge weights before normalisation (ratio 3:1 = visibly uneven, never starved). */
const WEIGHT_MIN = 0.5;
const WEIGHT_MAX = 1.5;

export interface Topology {
  /** Host ids, sorted ascending (the host index is the position here). */
  ids: string[];
  roles: Role[];
  /** caller -> callee host-index pairs, sorted by caller then callee. */
  edges: [number, number][];
  /** Per edge: share of the caller's calls that go over it (sums to 1 per caller). */
  weights: number[];
  /** Per host: edge indexes where it is the caller / the callee. */
  out: number[][];
  in: number[][];
  /** Per host: share of front-end requests that pass through it. */
  visits: Float64Array;
  /** Host indexes in call order (web tier, app tier, db tier): callers before callees. */
  order: number[];
}

export function tierSizes(hosts: number): { web: number; app: number; db: number } {
  const web = Math.max(1, Math.round(WEB_SHARE * hosts));
  const db = Math.max(1, Math.round(DB_SHARE * hosts));
  return { web, app: hosts - web - db, db };
}

export function buildTopology(hosts: number, seed: number): Topology {
  const sizes = tierSizes(hosts);
  const width = String(Math.max(sizes.web, sizes.app, sizes.db) - 1).length;
  const label = (role: Role, i: number): string => `${role}-${String(i).padStart(width, '0')}`;
  // Sorted order is app-*, db-*, web-* ('a' < 'd' < 'w'); indexes within a tier are zero-padded.
  const appIdx = (i: number): number => i;
  const dbIdx = (i: number): number => sizes.app + i;
  const webIdx = (i: number): number => sizes.app + sizes.db + i;
  const ids: string[] = [];
  const roles: Role[] = [];
  for (const role of ['app', 'db', 'web'] as const) {
    for (let i = 0; i < sizes[role]; i++) {
      ids.push(label(role, i));
      roles.push(role);
    }
  }

  const rng = stream(seed, 'topology');
  const webs = range(sizes.web).map(webIdx);
  const apps = range(sizes.app).map(appIdx);
  const dbs = range(sizes.db).map(dbIdx);
  const raw = new Map<number, Map<number, number>>(); // caller -> callee -> raw weight
  if (apps.length === 0) connect(webs, dbs, rng, raw);
  else {
    connect(webs, apps, rng, raw);
    connect(apps, dbs, rng, raw);
  }

  const edges: [number, number][] = [];
  const weights: number[] = [];
  const out: number[][] = ids.map(() => []);
  const inn: number[][] = ids.map(() => []);
  for (const caller of [...raw.keys()].sort((a, b) => a - b)) {
    const callees = raw.get(caller) ?? new Map<number, number>();
    let total = 0;
    for (const w of callees.values()) total += w;
    for (const callee of [...callees.keys()].sort((a, b) => a - b)) {
      const e = edges.length;
      edges.push([caller, callee]);
      weights.push((callees.get(callee) ?? 0) / total);
      out[caller]?.push(e);
      inn[callee]?.push(e);
    }
  }

  const order = [...webs, ...apps, ...dbs];
  const visits = new Float64Array(ids.length);
  for (const w of webs) visits[w] = 1 / webs.length;
  for (const h of order) {
    for (const e of out[h] ?? []) {
      const [, callee] = edges[e] ?? [0, 0];
      visits[callee] = (visits[callee] ?? 0) + (visits[h] ?? 0) * (weights[e] ?? 0);
    }
  }
  return { ids, roles, edges, weights, out, in: inn, visits, order };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function connect(
  callers: number[],
  callees: number[],
  rng: Rng,
  raw: Map<number, Map<number, number>>,
): void {
  const add = (a: number, b: number): void => {
    let m = raw.get(a);
    if (!m) raw.set(a, (m = new Map()));
    if (!m.has(b)) m.set(b, rng.uniform(WEIGHT_MIN, WEIGHT_MAX));
  };
  const nc = callers.length;
  const ne = callees.length;
  // Guaranteed edges, spread evenly: every callee has a caller and every caller a callee.
  for (let j = 0; j < ne; j++) add(callers[Math.floor((j * nc) / ne)] ?? 0, callees[j] ?? 0);
  for (let i = 0; i < nc; i++) add(callers[i] ?? 0, callees[Math.floor((i * ne) / nc)] ?? 0);
  // Random fan-out.
  for (let i = 0; i < nc; i++) {
    const extra = rng.int(EXTRA_FANOUT + 1);
    for (let k = 0; k < extra; k++) add(callers[i] ?? 0, callees[rng.int(ne)] ?? 0);
  }
}

/** How a fault on one host reaches the others along the call graph. */
export interface Influence {
  /** Share of h's outgoing calls that (directly or through intermediaries) end at the culprit; 1 for it. */
  reach: Float64Array;
  /** Share of h's request load that arrives through the culprit (h a descendant); 1 for the culprit. */
  via: Float64Array;
  /** Hops from h down to the culprit when h is a (transitive) caller; -1 otherwise; 0 for the culprit. */
  upHops: Int32Array;
  /** Hops from the culprit down to h when h is a (transitive) callee; -1 otherwise; 0 for the culprit. */
  downHops: Int32Array;
}

export function influenceOf(topo: Topology, culprit: number): Influence {
  const n = topo.ids.length;
  const reach = new Float64Array(n);
  const via = new Float64Array(n);
  const upHops = new Int32Array(n).fill(-1);
  const downHops = new Int32Array(n).fill(-1);
  reach[culprit] = 1;
  upHops[culprit] = 0;
  downHops[culprit] = 0;
  // Callees before callers: reach and the shortest hop count towards the culprit.
  for (let k = topo.order.length - 1; k >= 0; k--) {
    const h = topo.order[k] ?? 0;
    if (h === culprit) continue;
    let r = 0;
    let hops = -1;
    for (const e of topo.out[h] ?? []) {
      const callee = topo.edges[e]?.[1] ?? 0;
      r += (topo.weights[e] ?? 0) * (reach[callee] ?? 0);
      const d = upHops[callee] ?? -1;
      if (d >= 0 && (hops < 0 || d + 1 < hops)) hops = d + 1;
    }
    reach[h] = r;
    upHops[h] = hops;
  }
  // Callers before callees: flow that passed through the culprit.
  const flow = new Float64Array(n);
  flow[culprit] = topo.visits[culprit] ?? 0;
  for (const h of topo.order) {
    if ((flow[h] ?? 0) === 0) continue;
    for (const e of topo.out[h] ?? []) {
      const callee = topo.edges[e]?.[1] ?? 0;
      flow[callee] = (flow[callee] ?? 0) + (flow[h] ?? 0) * (topo.weights[e] ?? 0);
      const d = (downHops[h] ?? -1) + 1;
      const cur = downHops[callee] ?? -1;
      if (cur < 0 || d < cur) downHops[callee] = d;
    }
  }
  for (let h = 0; h < n; h++) via[h] = (flow[h] ?? 0) / Math.max(topo.visits[h] ?? 0, Number.MIN_VALUE);
  return { reach, via, upHops, downHops };
}
