// The remote stack (`--stack remote`, the code behind `--stack aws`) end to end, on a stand-in for
// the AWS testbed: a namespaced testbed (prefix fsr-, subnet 10.86.0) whose hosts play the EC2
// instances. What the AWS user data starts at boot is started here the same way: the Kafka broker
// bound to the kafka host's address, MariaDB on db. Everything else is the remote stack's own
// doing, driven by the real CLI (`foreshock experiment <spec> --stack remote --remote-spec F`, then
// `foreshock live` on the same stack):
// every SSH connection goes through the `bastion` host (key-only, pinned keys), Kafka is reached
// through SSH tunnels, files travel over SSH, the database and web tier, machine-wide agents and
// the emulator are started over SSH, the fault runs from the bundle copied to db.
//
// What it cannot stand in for: the hosts share this machine's file system and /proc (so the
// machine-wide agents report the same CPU and memory for every host; metrics are not checked for
// fault effects here), and EC2 itself (see docs/aws.md). Needs root, the testbed's kernel pieces,
// sshd, mariadbd and the Kafka jars (.ci/run installs all).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/data/dataset-io.ts';
import { connectSsh } from '../../src/faults/transport.ts';
import { hostVisibleKafkaLib } from '../../src/stack/local.ts';
import type { RemoteStackSpec } from '../../src/stack/remote-spec.ts';
import { startKafkaBroker, type KafkaBroker } from '../../src/telemetry/kafka/broker.ts';
import { kafkaLibDir } from '../../src/telemetry/kafka/install.ts';
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
} from '../../src/testbed/local/index.ts';
import { layout } from '../../src/testbed/local/layout.ts';
import {
  findMariadbd,
  startMariaDbServer,
  type MariaDbServer,
} from '../../src/workload/db/mariadb-server.ts';
import { expectUserError, runCli, runCliAsync } from '../helpers/cli.ts';
import { testbedLeftovers } from '../helpers/testbed-leftovers.ts';

const PREFIX = 'fsr-';
const SUBNET = '10.86.0';
const HOSTS = ['bastion', 'web', 'db', 'kafka', 'client'];
const missing =
  missingPiece() ??
  (findMariadbd() ? undefined : 'mariadbd (mariadb-server)') ??
  (findTool('mariadb') ? undefined : 'the mariadb client (mariadb-client)') ??
  (existsSync(kafkaLibDir()) ? undefined : `the Kafka jars in ${kafkaLibDir()} (scripts/kafka/setup.sh)`) ??
  (findTool('sshd') ? undefined : 'sshd (openssh-server)');
if (missing) console.warn(`stack/remote.test.ts skipped: needs ${missing}`);

const REPO_ROOT = path.resolve('.');
/** This stack's agents and emulators (their argv names the kafka host of this subnet). */
const LEFTOVER_AGENT = `agent --machine .*--brokers ${SUBNET.replace(/\./g, '\\.')}\\.`;
const LEFTOVER_WEB = 'tiers/web-main\\.ts -$';
const LEFTOVER_CLIENT = `client-main\\.ts .*${SUBNET.replace(/\./g, '\\.')}\\.`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-remote-stack-'));
const stateDir = path.join(dir, 'testbed');
let broker: KafkaBroker | undefined;
let mariadb: MariaDbServer | undefined;

afterAll(async () => {
  await broker?.stop().catch(() => undefined);
  await mariadb?.stop().catch(() => undefined);
  if (!missing) await down(stateDir, PREFIX).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/**
 * Processes on this machine whose command line matches `pattern` (an extended regex; the stand-in
 * hosts share /proc). Patterns name this testbed's subnet or state directory, since other test
 * files run agents and tiers of their own at the same time.
 */
function processesWith(pattern: string): string[] {
  const r = spawnSync('pgrep', ['-af', pattern], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('pgrep'));
}

describe.skipIf(missing !== undefined)('remote stack through a bastion (AWS stand-in)', () => {
  it('runs an experiment and live mode with a memory leak on db over SSH only, and leaves nothing running', async () => {
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, ssh: true, hosts: HOSTS });
    const inv = readInventory(stateDir)!;
    const ip = (h: string): string => findHost(inv, h).ip;
    const at = (h: string) => {
      const host = openHost(stateDir, h);
      return (argv: string[]) => hostArgv(host, argv);
    };
    // "User data": what the AWS hosts start at boot.
    broker = await startKafkaBroker({
      lib: hostVisibleKafkaLib(stateDir),
      bindHost: ip('kafka'),
      port: 9092,
      controllerPort: 9093,
      heap: '256m',
      wrap: at('kafka'),
    });
    mariadb = await startMariaDbServer({
      bindHost: ip('db'),
      wrap: at('db'),
      port: 3306,
      clientHosts: `${SUBNET}.%`,
    });

    const ssh = sshPaths(stateDir);
    const workDir = layout(stateDir, inv).hostDiskPath;
    const spec: RemoteStackSpec = {
      hosts: ['web', 'db', 'kafka', 'client'].map((name) => ({ name, address: ip(name) })),
      ssh: {
        username: 'root',
        privateKeyFile: ssh.clientKey,
        knownHostsFile: ssh.knownHosts,
        jump: { address: ip('bastion') },
      },
      repoDir: REPO_ROOT,
      workDir,
      node: process.execPath,
      dbAdmin: ['mariadb', '--no-defaults', `--socket=${path.join(mariadb.dir, 'mysqld.sock')}`, '-uroot'],
    };
    const specFile = path.join(dir, 'remote.json');
    writeFileSync(specFile, JSON.stringify(spec, null, 2));

    // The hosts only let the harness in through the bastion here too: db sees the bastion's address.
    const t = await connectSsh({
      host: 'db',
      address: ip('db'),
      username: 'root',
      privateKeyFile: ssh.clientKey,
      knownHostsFile: ssh.knownHosts,
      jump: { address: ip('bastion'), privateKeyFile: ssh.clientKey, knownHostsFile: ssh.knownHosts },
    });
    const conn = await t.run(['printenv', 'SSH_CONNECTION']);
    await t.close();
    expect(conn.stdout.split(' ')[0]).toBe(ip('bastion'));

    // A short memory-leak experiment (the shipped ones run for minutes).
    const expFile = path.join(dir, 'remote-memleak.json');
    writeFileSync(
      expFile,
      JSON.stringify({
        name: 'remote-memleak',
        workload: { mix: 'bidding', users: 20, scale: 0.02 },
        target: 'db',
        fault: { type: 'memleak', mibPerS: 5, ramp: 'linear', rampS: 5, maxMiB: 60 },
        phases: { warmupS: 5, normalS: 20, faultS: 20, recoveryS: 10 },
        slo: { latencyMs: 50 },
        pendingWindowS: 20,
        repetitions: 1,
        seed: 3,
      }),
    );
    const outDir = path.join(dir, 'runs');
    // While it runs, the leftover patterns below must match its processes (else they prove nothing).
    const seen = { agent: false, web: false, client: false, fault: false };
    const watch = setInterval(() => {
      seen.agent ||= processesWith(LEFTOVER_AGENT).length > 0;
      seen.web ||= processesWith(LEFTOVER_WEB).length > 0;
      seen.client ||= processesWith(LEFTOVER_CLIENT).length > 0;
      seen.fault ||= processesWith(`${workDir}/fault-main.mjs`).length > 0;
    }, 1000);
    const r = await runCliAsync(
      [
        'experiment',
        expFile,
        '--stack',
        'remote',
        '--remote-spec',
        specFile,
        '--out',
        outDir,
        '--report-dir',
        path.join(dir, 'reports'),
        // The stand-in's machine agents all read this machine's own load average, which the tests
        // running beside this one move: bound the settle wait well inside the timeout.
        '--settle-max',
        '60',
      ],
      { timeoutMs: 400_000 },
    );
    clearInterval(watch);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(seen).toEqual({ agent: true, web: true, client: true, fault: true });
    expect(r.stderr).toMatch(/connecting to 4 hosts over SSH via 10\.86\.0\.10/);
    expect(r.stderr).toMatch(/connecting to Kafka at 10\.86\.0\.13:9092 through SSH/);

    const ds = readDataset(path.join(outDir, 'remote-memleak', 'rep-1', 'dataset'));
    expect([...ds.metrics.hosts].sort()).toEqual(['client', 'db', 'kafka', 'web']);
    const seconds = new Set(ds.metrics.time).size;
    expect(seconds).toBeGreaterThanOrEqual(50);
    // Every host reported (nearly) every recorded second, with the machine-wide metrics.
    for (const h of ['web', 'db', 'kafka', 'client']) {
      const idx = ds.metrics.hosts.indexOf(h);
      const n = ds.metrics.host.filter((x) => x === idx).length;
      expect(n, h).toBeGreaterThanOrEqual(seconds - 3);
    }
    expect(ds.metrics.metrics).toEqual(expect.arrayContaining(['availcpu', 'freemem', 'load1']));
    // The SLO series carries the emulator's responses (through Kafka, aggregated here).
    expect(ds.slo?.time.length ?? 0).toBeGreaterThanOrEqual(40);
    const faults = ds.manifest.faults ?? [];
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ type: 'memleak', host: 'db' });
    expect(existsSync(path.join(dir, 'reports', 'remote-memleak.html'))).toBe(true);
    const results = JSON.parse(
      readFileSync(path.join(outDir, 'remote-memleak', 'rep-1', 'results.json'), 'utf8'),
    ) as { algorithms?: unknown[] };
    expect(results).toBeTruthy();

    // Nothing the session started is left: no agent, web tier, emulator or fault on any host.
    expect(processesWith(`${workDir}/fault-main.mjs`)).toEqual([]);
    expect(processesWith(LEFTOVER_AGENT)).toEqual([]);
    expect(processesWith(LEFTOVER_WEB)).toEqual([]);
    expect(processesWith(LEFTOVER_CLIENT)).toEqual([]);

    // Live mode on the same stack: its own Kafka consumer, through the SSH tunnel too; trained on
    // the recording above, with the same leak injected. The live alarms equal the replay of its own
    // recording (the stream and the recording are the same data).
    const liveOut = path.join(dir, 'live');
    const lv = await runCliAsync(
      [
        'live',
        '--stack',
        'remote',
        '--remote-spec',
        specFile,
        '--model',
        'threshold',
        '--train',
        path.join(outDir, 'remote-memleak', 'rep-1', 'dataset'),
        '--users',
        '20',
        '--scale',
        '0.02',
        '--warmup',
        '5',
        '--inject',
        expFile,
        '--inject-at',
        '10',
        '--duration',
        '45',
        '--out',
        liveOut,
      ],
      { timeoutMs: 300_000 },
    );
    expect(lv.code, lv.stderr.slice(-3000)).toBe(0);
    expect(lv.stderr).toMatch(/injected memleak on db/);
    type Alarm = { host: string; time: number };
    const live = JSON.parse(readFileSync(path.join(liveOut, 'live.json'), 'utf8')) as {
      fault: { host: string } | null;
      alarms: Alarm[];
      summary: { samples: number };
      dropped: { host: string; time: number }[];
    };
    expect(live.fault?.host).toBe('db');
    // web and db only: the harness's hosts (client, kafka) are neither fed to the model nor scored.
    expect(live.summary.samples).toBeGreaterThan(2 * 30);
    expect(live.alarms.every((a) => a.host === 'web' || a.host === 'db')).toBe(true);
    const lds = readDataset(path.join(liveOut, 'dataset'));
    expect([...lds.metrics.hosts].sort()).toEqual(['client', 'db', 'kafka', 'web']);
    const lres = JSON.parse(readFileSync(path.join(liveOut, 'results.json'), 'utf8')) as {
      algorithms: { threshold: { alarms: Alarm[] } };
    };
    const from = lds.manifest.start + 10_000;
    const to = lds.manifest.end - 2000;
    const inRange = (a: Alarm): boolean =>
      a.time >= from &&
      a.time < to &&
      !live.dropped.some((d) => d.host === a.host && Math.abs(d.time - a.time) <= 5000);
    const key = (a: Alarm): string => `${a.host}@${a.time}`;
    // Within one second, live mode raises alarms in arrival order, replay in host order.
    expect(live.alarms.filter(inRange).map(key).sort()).toEqual(
      lres.algorithms.threshold.alarms.filter(inRange).map(key).sort(),
    );
    expect(processesWith(`${workDir}/fault-main.mjs`)).toEqual([]);
    expect(processesWith(LEFTOVER_AGENT)).toEqual([]);

    // Bad input: a spec naming no db host is a one-line user error before anything connects.
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...spec, hosts: spec.hosts.filter((h) => h.name !== 'db') }));
    expectUserError(
      runCli(
        'record',
        '--stack',
        'remote',
        '--remote-spec',
        bad,
        '--duration',
        '5',
        '--out',
        path.join(dir, 'x'),
      ),
      /bad\.json: no "db" host/,
    );

    await broker.stop();
    broker = undefined;
    await mariadb.stop();
    mariadb = undefined;
    await down(stateDir, PREFIX);
    expect(testbedLeftovers(PREFIX, [stateDir, dir])).toEqual([]);
  }, 600_000);
});
