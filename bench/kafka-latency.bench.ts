// End-to-end telemetry latency through a real Kafka broker, against the same pipeline over the
// InMemoryBus in the same run (same samples, same clock, so the ratio is Kafka's cost alone).
//
//   agent (HostAgent, HOSTS hosts, ProcfsSource on this pid, flat `stats` as `foreshock agent`)
//     -> stats -> Aggregator (lateDelayMs 0 or 200) -> aggregate -> final consumer
//
// For every sample (one per host and second, its `time` = the moment it was taken):
//   (a) time until the stats message reaches the aggregator's consumer (its subscribe handler);
//   (b) time until the aggregate row of the sample's second reaches the final consumer. (b)
//       includes the aggregator's deliberate wait (second end + lateDelayMs - time), so it is also
//       printed minus that wait, split into emit lag (when the aggregator's tick ran) and the
//       aggregate hop (row emitted -> row received).
// All four pipelines (in-memory and Kafka, lateDelayMs 0 and 200) run at once and see the same
// agent messages. Each Kafka aggregator publishes on its own aggregate topic (aggregate-d<delay>),
// or their rows would mix; stats is shared (every subscribe is its own consumer group).
//
// Timers are drift-free and aligned, so the numbers do not depend on when the run started: the
// agent samples at +PHASE_MS into each second (mid-second: lateDelayMs 0 is then not a race), the
// aggregators tick on the 200 ms grid (on a second boundary, so a second is emitted right when its
// wait ends). A free-running Aggregator.startTimer() adds 0-200 ms of emit lag on top.
//
//   npm run bench -- kafka-latency
//   node bin/run-ts.js bench/kafka-latency.bench.ts --seconds 10 --hosts 5

import { flattenStats, HostAgent, ProcfsSource, type AgentTimer } from '../src/telemetry/agent/index.ts';
import { Aggregator, floorSecond, SECOND_MS } from '../src/telemetry/aggregator.ts';
import {
  InMemoryBus,
  type AggregateMessage,
  type Bus,
  type Handler,
  type StatsMessage,
  type TopicMessages,
} from '../src/telemetry/bus.ts';
import { startKafkaBroker, type KafkaBroker } from '../src/telemetry/kafka/broker.ts';
import { createKafkaBus, type KafkaBus } from '../src/telemetry/kafka/bus.ts';
import { ensureKafkaInstalled } from '../src/telemetry/kafka/install.ts';
import { alignedEvery, arg, ms, nowMs, quantiles, ratio } from './helpers.ts';

/** Seconds of samples measured (after the warm-up). 60 s keeps the whole run near 90 s. */
const DURATION_S = arg('seconds', 60);
/** Seconds sampled first and not counted: first fetches, connection set-up, JIT. */
const WARMUP_S = 3;
const HOSTS = arg('hosts', 5);
const LATE_DELAYS_MS = [0, 200] as const;
/** Where in each second the agent samples (ms). */
const PHASE_MS = 500;
/** The aggregator's tick period (startTimer's default). */
const TICK_MS = 200;

type AnyTopics = Record<string, object>;

/** What one pipeline saw, in nowMs() epoch ms. */
interface Probe {
  name: string;
  kind: 'memory' | 'kafka';
  lateDelayMs: number;
  /** sample key (host@time) -> when its stats message reached the aggregator's handler. */
  statsAt: Map<string, number>;
  /** second -> when the aggregator emitted its row / when the final consumer got it. */
  emitAt: Map<number, number>;
  rowAt: Map<number, number>;
  late: number;
}

const keyOf = (host: string, time: number): string => `${host}@${time}`;

/**
 * The aggregator's view of a bus: `aggregate` renamed to this pipeline's topic, and every `stats`
 * delivery timed before the aggregator's own handler runs.
 */
function aggregatorBus(inner: Bus<AnyTopics>, aggregateTopic: string, probe: Probe): Bus<TopicMessages> {
  return {
    publish(topic, msg) {
      inner.publish(topic === 'aggregate' ? aggregateTopic : topic, msg);
    },
    subscribe<T extends keyof TopicMessages & string>(topic: T, handler: Handler<TopicMessages[T]>) {
      return inner.subscribe(topic, (msg) => {
        if (topic === 'stats') {
          const m = msg as StatsMessage;
          probe.statsAt.set(keyOf(m.host, Number(m.time)), nowMs());
        }
        handler(msg as TopicMessages[T]);
      });
    },
    close: () => inner.close(),
  };
}

interface Pipeline {
  probe: Probe;
  aggregator: Aggregator;
}

function pipeline(
  kind: Probe['kind'],
  lateDelayMs: number,
  aggBus: Bus<AnyTopics>,
  finalBus: Bus<AnyTopics>,
): Pipeline {
  const topic = kind === 'kafka' ? `aggregate-d${lateDelayMs}` : 'aggregate';
  const probe: Probe = {
    name: `${kind} d${lateDelayMs}`,
    kind,
    lateDelayMs,
    statsAt: new Map(),
    emitAt: new Map(),
    rowAt: new Map(),
    late: 0,
  };
  const aggregator = new Aggregator(aggregatorBus(aggBus, topic, probe), {
    now: nowMs,
    sloThresholdMs: 100,
    lateDelayMs,
    onRow: (row) => probe.emitAt.set(row.timestamp, nowMs()),
    onLate: () => probe.late++,
  });
  finalBus.subscribe(topic, (msg) => probe.rowAt.set((msg as AggregateMessage).timestamp, nowMs()));
  return { probe, aggregator };
}

interface Sample {
  host: string;
  time: number;
  /** When the agent handed it to the buses (after sampling this and the earlier hosts). */
  publishedAt: number;
}

interface Measured {
  a: number[];
  agent: number[];
  bus: number[];
  bRaw: number[];
  wait: number[];
  bNet: number[];
  emitLag: number[];
  hop: number[];
  lost: number;
  late: number;
  noRow: number;
}

function measure(p: Probe, samples: readonly Sample[]): Measured {
  const out: Measured = {
    a: [],
    agent: [],
    bus: [],
    bRaw: [],
    wait: [],
    bNet: [],
    emitLag: [],
    hop: [],
    lost: 0,
    late: 0,
    noRow: 0,
  };
  for (const s of samples) {
    const at = p.statsAt.get(keyOf(s.host, s.time));
    if (at === undefined) {
      out.lost++;
      continue;
    }
    out.a.push(at - s.time);
    out.agent.push(s.publishedAt - s.time);
    out.bus.push(at - s.publishedAt);
    const second = floorSecond(s.time);
    const emit = p.emitAt.get(second);
    const row = p.rowAt.get(second);
    if (emit === undefined || row === undefined) {
      out.noRow++;
      continue;
    }
    // Arrived after its second was emitted: the row does not carry it, (b) is undefined.
    if (at > emit) {
      out.late++;
      continue;
    }
    const due = second + SECOND_MS + p.lateDelayMs;
    out.bRaw.push(row - s.time);
    out.wait.push(due - s.time);
    out.bNet.push(row - due);
    out.emitLag.push(emit - due);
    out.hop.push(row - emit);
  }
  return out;
}

function printTable(lateDelayMs: number, mem: Measured, kafka: Measured): void {
  const pad = (s: string, n: number): string => s.padStart(n);
  const cols = (q: { p50: number; p99: number; max: number }, f: (v: number) => string): string =>
    [q.p50, q.p99, q.max].map((v) => pad(f(v), 8)).join('');
  console.log(
    `\nlateDelayMs = ${lateDelayMs}`.padEnd(44) +
      pad('in-memory (ms)', 24) +
      pad('kafka (ms)', 24) +
      pad('kafka/in-memory', 24),
  );
  console.log(''.padEnd(43) + '     p50     p99     max'.repeat(3));
  const rows: [string, keyof Measured][] = [
    ['(a) sample -> aggregator consumer', 'a'],
    ['    of which agent (sample -> publish)', 'agent'],
    ['    of which bus (publish -> handler)', 'bus'],
    ['(b) sample -> aggregate consumer, raw', 'bRaw'],
    ['    deliberate wait (s+1000+delay-time)', 'wait'],
    ['(b) minus deliberate wait', 'bNet'],
    ['    of which emit lag (tick ran late)', 'emitLag'],
    ['    of which aggregate hop', 'hop'],
  ];
  for (const [label, key] of rows) {
    const qm = quantiles(mem[key] as number[]);
    const qk = quantiles(kafka[key] as number[]);
    const showRatio = key !== 'wait' && key !== 'agent';
    console.log(
      label.padEnd(43) +
        cols(qm, ms) +
        cols(qk, ms) +
        (showRatio
          ? [
              [qk.p50, qm.p50],
              [qk.p99, qm.p99],
              [qk.max, qm.max],
            ]
              .map(([k, m]) => pad(ratio(k!, m!), 8))
              .join('')
          : ''),
    );
  }
  console.log(
    `samples: in-memory ${mem.a.length} received, ${mem.bRaw.length} in rows (late ${mem.late}, lost ${mem.lost}, no row ${mem.noRow}); ` +
      `kafka ${kafka.a.length} received, ${kafka.bRaw.length} in rows (late ${kafka.late}, lost ${kafka.lost}, no row ${kafka.noRow})`,
  );
}

/** stderr, minus kafkajs's "Topic creation errors" when a bus finds the topics already made. */
const logger = {
  warn: (m: string): void => void process.stderr.write(`kafka: ${m}\n`),
  error: (m: string): void => {
    if (!m.includes('Topic creation errors')) process.stderr.write(`kafka: ${m}\n`);
  },
};

async function main(): Promise<void> {
  const lib = ensureKafkaInstalled();
  let broker: KafkaBroker | undefined;
  const kafkaBuses: KafkaBus<AnyTopics>[] = [];
  const memBuses: InMemoryBus<AnyTopics>[] = [];
  const pipelines: Pipeline[] = [];
  let stopAgent: () => void = () => {};
  let stopTicks: () => void = () => {};
  try {
    const aggregateTopics = LATE_DELAYS_MS.map((d) => `aggregate-d${d}`);
    const topics = ['stats', 'responsetime', ...aggregateTopics];
    let t0 = performance.now();
    broker = await startKafkaBroker({ lib, topics });
    const brokerStartS = (performance.now() - t0) / 1000;

    t0 = performance.now();
    const connect = async (clientId: string): Promise<KafkaBus<AnyTopics>> => {
      const bus = await createKafkaBus<AnyTopics>({ brokers: broker!.brokers, clientId, topics, logger });
      kafkaBuses.push(bus);
      return bus;
    };
    // One client per role, as separate processes would have: the agent's producer, each
    // aggregator's consumers + producer, and the final consumer.
    const agentBus = await connect('bench-agent');
    const finalKafka = await connect('bench-final');
    for (const d of LATE_DELAYS_MS) {
      const mem = new InMemoryBus<AnyTopics>();
      memBuses.push(mem);
      pipelines.push(pipeline('memory', d, mem, mem));
      pipelines.push(pipeline('kafka', d, await connect(`bench-aggregator-d${d}`), finalKafka));
    }
    // Subscriptions are made by start(); the final consumers already exist.
    for (const p of pipelines) p.aggregator.start();
    await Promise.all(kafkaBuses.map((b) => b.ready()));
    const connectS = (performance.now() - t0) / 1000;

    const samples: Sample[] = [];
    const agent = new HostAgent({
      hosts: Array.from({ length: HOSTS }, (_, i) => ({
        host: `h${i}`,
        source: new ProcfsSource({ pids: [process.pid] }),
      })),
      // What `foreshock agent` publishes by default (flat), to every pipeline.
      bus: {
        publish: (_topic, msg) => {
          const flat = flattenStats(msg);
          samples.push({ host: flat.host, time: flat.time, publishedAt: nowMs() });
          agentBus.publish('stats', flat);
          for (const m of memBuses) m.publish('stats', flat);
        },
      },
      clock: { now: nowMs, monotonic: () => performance.now() },
      timer: { every: (periodMs, fn) => alignedEvery(periodMs, PHASE_MS, fn) } satisfies AgentTimer,
    });
    stopTicks = alignedEvery(TICK_MS, 0, () => {
      for (const p of pipelines) p.aggregator.tick();
    });

    const totalS = WARMUP_S + DURATION_S;
    console.log(
      `kafka-latency: ${HOSTS} hosts, ${DURATION_S} s measured after ${WARMUP_S} s warm-up; broker start ${brokerStartS.toFixed(1)} s, ` +
        `${kafkaBuses.length} kafka clients connected and joined in ${connectS.toFixed(1)} s`,
    );
    // HostAgent.start() samples at once and then on the grid: wait for the grid so the first
    // sample is aligned too.
    await new Promise<void>((resolve) => {
      const stop = alignedEvery(SECOND_MS, PHASE_MS, () => {
        stop();
        resolve();
      });
    });
    agent.start();
    stopAgent = () => agent.stop();
    await new Promise((r) => setTimeout(r, totalS * SECOND_MS - PHASE_MS / 2));
    agent.stop();
    await agentBus.flush();

    // Wait for the row of the last sample's second in every pipeline (bounded).
    const last = floorSecond(samples[samples.length - 1]!.time);
    const deadline = nowMs() + 10_000;
    while (pipelines.some((p) => !p.probe.rowAt.has(last)) && nowMs() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }

    const from = samples[0]!.time + WARMUP_S * SECOND_MS - PHASE_MS / 2;
    const counted = samples.filter((s) => s.time >= from);
    console.log(
      `${counted.length} samples counted per pipeline; agent at +${PHASE_MS} ms into each second, ` +
        `aggregators tick every ${TICK_MS} ms on the second grid`,
    );
    for (const d of LATE_DELAYS_MS) {
      const find = (kind: Probe['kind']): Probe =>
        pipelines.find((p) => p.probe.name === `${kind} d${d}`)!.probe;
      printTable(d, measure(find('memory'), counted), measure(find('kafka'), counted));
    }
  } finally {
    stopAgent();
    stopTicks();
    for (const p of pipelines) p.aggregator.stop();
    await Promise.all([...kafkaBuses, ...memBuses].map((b) => b.close().catch(() => undefined)));
    await broker?.stop();
  }
}

await main();
