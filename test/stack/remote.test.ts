// The remote stack (`--stack remote`, the code behind `--stack aws`) end to end, on a stand-in for
// the AWS testbed: a namespaced testbed (prefix fsr-, subnet 10.86.0) whose hosts play the EC2
// instances. What the AWS user data starts at boot is started here the same way: the Kafka broker
// bound to the kafka host's address, MariaDB on db. Everything else is the remote stack's own
// doing, driven by the real CLI (`foreshock experiment <spec> --stack remote --remote-spec F`):
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

/** Processes on this machine whose command line contains `word` (the stand-in hosts share /proc). */
function processesWith(word: string): string[] {
  const r = spawnSync('pgrep', ['-af', word], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('pgrep'));
}

describe.skipIf(missing !== undefined)('remote stack through a bastion (AWS stand-in)', () => {
  it('runs an experiment with a memory leak on db over SSH only, and leaves nothing running', async () => {
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
      ],
      { timeoutMs: 400_000 },
    );
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
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
    expect(processesWith('agent --machine')).toEqual([]);
    expect(processesWith('tiers/web-main.ts')).toEqual([]);
    expect(processesWith('tiers/client-main.ts')).toEqual([]);

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
