// Units of the metric and SLO columns (../shared/spec/dataset-format.md "Metric names"), so every
// chart panel names its unit. A metric the format does not define (an imported one) says so
// rather than guess.

const METRIC_UNITS: Record<string, string> = {
  availcpu: '% of allotment',
  freemem: 'MiB',
  pagein: 'pages/s',
  pageout: 'pages/s',
  freedisk: 'MiB',
  load1: 'runnable tasks',
  load5: 'runnable tasks',
  netin: 'KiB/s',
  netout: 'KiB/s',
  diskread: 'KiB/s',
  diskwrite: 'KiB/s',
  cpu_pressure: '%',
  mem_pressure: '%',
  io_pressure: '%',
  mean_latency_ms: 'ms',
  p95_latency_ms: 'ms',
  max_latency_ms: 'ms',
  count: 'requests/s',
  violations: 'requests/s',
  errors: 'requests/s',
};

/** The unit of a metric or SLO column, or null when the dataset format does not define it. */
export function unitOf(metric: string): string | null {
  return METRIC_UNITS[metric] ?? (/_ms$/.test(metric) ? 'ms' : null);
}

/** "freemem (MiB)"; "cpu (unit not recorded)" for a metric the format does not define. */
export function withUnit(metric: string): string {
  return `${metric} (${unitOf(metric) ?? 'unit not recorded'})`;
}
