// Which hosts (and which of their metrics) get a timeline. A report on 100 hosts cannot draw all of
// them and stay a few MB, so it shows, in this order: the culprits (hosts of the dataset's faults),
// the hosts any algorithm ranked first (most often first, first), then others in manifest order,
// up to maxHosts in all (culprits are always shown). The report names the rule and what it left out.

import type { Dataset } from '../core/dataset.ts';
import type { ReportResults } from './inputs.ts';

export const DEFAULT_MAX_HOSTS = 12;
export const DEFAULT_MAX_METRICS = 16;

export interface ShownHost {
  host: string;
  reasons: string[];
}

export interface HostSelection {
  shown: ShownHost[];
  total: number;
  /** Hosts some algorithm ranked first that did not fit under maxHosts. */
  omittedRankedFirst: string[];
}

export function selectHosts(dataset: Dataset, results: ReportResults, maxHosts: number): HostSelection {
  const all = dataset.metrics.hosts;
  const culprits = [...new Set(dataset.manifest.faults.map((f) => f.host))].filter((h) => all.includes(h));
  const firstCount = new Map<string, number>();
  const firstBy = new Map<string, Set<string>>();
  for (const [name, r] of Object.entries(results.algorithms)) {
    for (const loc of r.localizations) {
      const top = loc.ranking[0]?.host;
      if (top === undefined || !all.includes(top)) continue;
      firstCount.set(top, (firstCount.get(top) ?? 0) + 1);
      if (!firstBy.has(top)) firstBy.set(top, new Set());
      firstBy.get(top)!.add(name);
    }
  }
  const rankedFirst = [...firstCount.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([h]) => h);
  const chosen = new Map<string, string[]>();
  const add = (h: string, reason: string): void => {
    const reasons = chosen.get(h);
    if (reasons) reasons.push(reason);
    else chosen.set(h, [reason]);
  };
  for (const h of culprits) add(h, 'culprit');
  const omittedRankedFirst: string[] = [];
  for (const h of rankedFirst) {
    const reason = `ranked first by ${[...firstBy.get(h)!].join(', ')}`;
    if (chosen.has(h)) add(h, reason);
    else if (chosen.size < maxHosts) add(h, reason);
    else omittedRankedFirst.push(h);
  }
  for (const h of all) {
    if (chosen.size >= maxHosts) break;
    if (!chosen.has(h)) add(h, 'other');
  }
  // Shown in manifest order, so the page reads the same way as the dataset.
  const shown = all.filter((h) => chosen.has(h)).map((host) => ({ host, reasons: chosen.get(host)! }));
  return { shown, total: all.length, omittedRankedFirst };
}

/**
 * The metrics drawn for a host: the faults' culprit metrics on it and the metrics rankings named
 * for it first, then the rest in manifest order, up to maxMetrics; returned in manifest order.
 */
export function selectMetrics(
  dataset: Dataset,
  results: ReportResults,
  host: string,
  maxMetrics: number,
): { metrics: string[]; omitted: number } {
  const all = dataset.metrics.metrics;
  const priority: string[] = [];
  for (const f of dataset.manifest.faults) if (f.host === host) priority.push(...(f.metrics ?? []));
  for (const r of Object.values(results.algorithms)) {
    for (const loc of r.localizations)
      for (const e of loc.ranking) if (e.host === host && e.metric !== null) priority.push(e.metric);
  }
  const picked = new Set<string>();
  for (const m of [...priority, ...all]) {
    if (picked.size >= maxMetrics) break;
    if (all.includes(m)) picked.add(m);
  }
  return { metrics: all.filter((m) => picked.has(m)), omitted: all.length - picked.size };
}
