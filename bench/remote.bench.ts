// What the AWS (remote) stack's path through the bastion costs (issue 12), measured on a namespaced
// stand-in: a 3-host testbed (prefix fsd-, subnet 10.87.0: bastion, kafka, db, sshd per host), a
// Kafka broker on the kafka host (0.5 CPU, like the testbed's), in a temporary state directory that
// is always brought down.
//
// Part 1, telemetry delivery. A producer here publishes HOSTS flat `stats` messages per second
// (`time` = the moment the message is built). Two live-mode consumers (startLiveConsumer, own
// groups) read them at once: one connects to the broker directly, the other through SSH tunnels via
// the bastion (tunnelSocketFactory over an SSH connection to the kafka host through the bastion,
// what `--stack aws` does). delivery = arrival at the handler - the message's time.
//
// Part 2, command round trip: REPS runs of `true` on db over one SSH connection, direct vs through
// the bastion (what every fault injection, revert and fix pays), plus the connect time of each.
// The direct figures are the baseline measured in the same run; the ratio is the bastion's cost.
//
//   npm run bench -- remote
//   node bin/run-ts.js bench/remote.bench.ts --seconds 30 --reps 50

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectSsh, type SshHostTransport } from '../src/faults/transport.ts';
import type { StatsMessage } from '../src/telemetry/bus.ts';
import { startKafkaBroker, type KafkaBroker } from '../src/telemetry/kafka/broker.ts';
import { createKafkaBus, type KafkaBus } from '../src/telemetry/kafka/bus.ts';
import { kafkaInstalled, kafkaLibDir } from '../src/telemetry/kafka/install.ts';
import { startLiveConsumer, type LiveConsumer } from '../src/telemetry/kafka/live-consumer.ts';
import { tunnelSocketFactory } from '../src/telemetry/kafka/tunnel-socket.ts';
import { hostVisibleKafkaLib } from '../src/stack/local.ts';
import {
  down,
  findHost,
  findTool,
  hostArgv,
  missingPiece,
  openHost,
  readInventory,
  sshPaths,
  up,
} from '../src/testbed/local/index.ts';
import { alignedEvery, arg, ms, nowMs, quantiles, ratio, type Quantiles } from './helpers.ts';

const PREFIX = 'fsd-';
const SUBNET = '10.87.0';
const DURATION_S = arg('seconds', 60);
const WARMUP_S = 5;
const HOSTS = Math.round(arg('hosts', 5));
const REPS = Math.round(arg('reps', 100));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const quiet = { warn: () => undefined, error: () => undefined };

function table(rows: [string, Quantiles, Quantiles][]): void {
  const pad = (s: string, n: number): string => s.padStart(n);
  const cols = (q: Quantiles): string =>
    pad(String(q.n), 6) + [q.p50, q.p99, q.max].map((v) => pad(ms(v), 9)).join('');
  console.log(
    `${''.padEnd(30)}${pad('direct (ms)', 33)}${pad('via bastion (ms)', 33)}${pad('bastion/direct', 27)}`,
  );
  console.log(''.padEnd(30) + '     n      p50      p99      max'.repeat(2) + '      p50      p99      max');
  for (const [label, d, b] of rows) {
    const r = [
      [b.p50, d.p50],
      [b.p99, d.p99],
      [b.max, d.max],
    ]
      .map(([x, y]) => pad(ratio(x!, y!), 9))
      .join('');
    console.log(label.padEnd(30) + cols(d) + cols(b) + r);
  }
}

async function main(): Promise<number> {
  const missing =
    missingPiece() ??
    (findTool('sshd') ? undefined : 'sshd (openssh-server)') ??
    (kafkaInstalled() ? undefined : `the Kafka jars in ${kafkaLibDir()}`);
  if (missing) {
    console.log(`skipped: needs ${missing} (and root)`);
    return 0;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-bench-remote-'));
  const stateDir = path.join(dir, 'testbed');
  let broker: KafkaBroker | undefined;
  let producer: KafkaBus<{ stats: StatsMessage }> | undefined;
  const consumers: LiveConsumer[] = [];
  const transports: SshHostTransport[] = [];
  const stops: (() => void)[] = [];
  try {
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, ssh: true, hosts: ['bastion', 'kafka', 'db'] });
    const inv = readInventory(stateDir)!;
    const ip = (h: string): string => findHost(inv, h).ip;
    const ssh = sshPaths(stateDir);
    const endpoint = { username: 'root', privateKeyFile: ssh.clientKey, knownHostsFile: ssh.knownHosts };
    const jump = { address: ip('bastion'), ...endpoint };
    const kafkaHost = openHost(stateDir, 'kafka');
    broker = await startKafkaBroker({
      lib: hostVisibleKafkaLib(stateDir),
      bindHost: ip('kafka'),
      port: 9092,
      controllerPort: 9093,
      heap: '256m',
      topics: ['stats'],
      wrap: (argv) => hostArgv(kafkaHost, argv),
    });

    console.log(
      `-- part 1: telemetry delivery, ${HOSTS} messages/s for ${DURATION_S} s (+${WARMUP_S} s warm-up)`,
    );
    const viaKafkaHost = await connectSsh({ host: 'kafka', address: ip('kafka'), ...endpoint, jump });
    transports.push(viaKafkaHost);
    producer = await createKafkaBus<{ stats: StatsMessage }>({
      brokers: broker.brokers,
      clientId: 'bench-remote',
      topics: ['stats'],
      logger: quiet,
    });
    const arrivals = { direct: new Map<string, number>(), bastion: new Map<string, number>() };
    const consumer = async (kind: 'direct' | 'bastion'): Promise<void> => {
      const c = await startLiveConsumer({
        brokers: broker!.brokers,
        groupId: `bench-remote-${kind}-${Date.now().toString(36)}`,
        topics: ['stats'],
        ...(kind === 'bastion'
          ? {
              socketFactory: tunnelSocketFactory((h, p) => viaKafkaHost.tunnel(h, p)),
              connectionTimeoutMs: 10_000,
            }
          : {}),
        onMessage: (_t, v) => {
          const m = v as StatsMessage;
          arrivals[kind].set(`${m.host}@${m.time}`, nowMs());
        },
        logger: quiet,
      });
      consumers.push(c);
      await c.ready();
    };
    await Promise.all([consumer('direct'), consumer('bastion')]);
    const published: StatsMessage[] = [];
    let counting = false;
    for (let i = 0; i < HOSTS; i++) {
      const host = `h${i}`;
      stops.push(
        alignedEvery(1000, Math.round(((i + 0.5) * 1000) / HOSTS), () => {
          const msg: StatsMessage = { host, availcpu: 50, time: nowMs() };
          if (counting) published.push(msg);
          producer!.publish('stats', msg);
        }),
      );
    }
    await sleep(WARMUP_S * 1000);
    counting = true;
    await sleep(DURATION_S * 1000);
    counting = false;
    for (const s of stops.splice(0)) s();
    await producer.flush();
    const deadline = nowMs() + 10_000;
    const missingOf = (k: 'direct' | 'bastion'): number =>
      published.filter((m) => !arrivals[k].has(`${m.host}@${m.time}`)).length;
    while ((missingOf('direct') > 0 || missingOf('bastion') > 0) && nowMs() < deadline) await sleep(50);
    const delivery = (k: 'direct' | 'bastion'): number[] =>
      published.flatMap((m) => {
        const at = arrivals[k].get(`${m.host}@${m.time}`);
        return at === undefined ? [] : [at - m.time];
      });
    table([['delivery (sample -> handler)', quantiles(delivery('direct')), quantiles(delivery('bastion'))]]);
    console.log(
      `published ${published.length}; lost: direct ${missingOf('direct')}, via bastion ${missingOf('bastion')}`,
    );

    console.log(`\n-- part 2: command round trip on db (\`true\`), ${REPS} runs over one connection`);
    const connectTimes = { direct: [] as number[], bastion: [] as number[] };
    const runTimes = { direct: [] as number[], bastion: [] as number[] };
    for (const kind of ['direct', 'bastion'] as const) {
      for (let rep = 0; rep < 5; rep++) {
        const t0 = nowMs();
        const t = await connectSsh({
          host: 'db',
          address: ip('db'),
          ...endpoint,
          ...(kind === 'bastion' ? { jump } : {}),
        });
        connectTimes[kind].push(nowMs() - t0);
        if (rep < 4) {
          await t.close();
          continue;
        }
        transports.push(t);
        const r = await t.run(['printenv', 'SSH_CONNECTION']);
        const from = r.stdout.split(' ')[0];
        if (from !== (kind === 'bastion' ? ip('bastion') : inv.bridgeIp))
          throw new Error(`${kind}: db saw the connection from ${from}`);
        for (let i = 0; i < REPS; i++) {
          const t1 = nowMs();
          await t.run(['true']);
          runTimes[kind].push(nowMs() - t1);
        }
      }
    }
    table([
      ['connect (5 each)', quantiles(connectTimes.direct), quantiles(connectTimes.bastion)],
      ['run `true`', quantiles(runTimes.direct), quantiles(runTimes.bastion)],
    ]);
    return 0;
  } catch (e) {
    console.log(`failed: ${errText(e)}`);
    return 1;
  } finally {
    for (const s of stops) s();
    for (const c of consumers) await c.stop().catch(() => undefined);
    await producer?.close().catch(() => undefined);
    for (const t of transports) await t.close().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    await down(stateDir, PREFIX).catch((e: unknown) => console.log(`teardown failed: ${errText(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  "remote: the cost of the AWS stack's bastion path on a namespaced stand-in: Kafka delivery to a live consumer through SSH tunnels, and SSH command round trips, each against a direct connection measured in the same run",
);
process.exitCode = await main();
