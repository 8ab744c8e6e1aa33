// Each injector, over SSH on a real namespaced host, moves its own host's metric and not the other
// host's (issue 8). A two-host testbed with its own prefix and subnet; cgroup agents sample both
// hosts every second while a fault runs on db; the fault's metric on db is compared with the same
// metric on web, and with db before the fault. Needs root, sshd and the testbed's kernel pieces.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../src/faults/injector.ts';
import { validateFaultSpec, type FaultSpec } from '../../src/faults/spec.ts';
import { testbedTransport, type HostTransport } from '../../src/faults/transport.ts';
import { agentSources } from '../../src/stack/local.ts';
import { buildSource } from '../../src/telemetry/agent/source-spec.ts';
import { HostAgent } from '../../src/telemetry/agent/agent.ts';
import type { HostStatsMessage } from '../../src/telemetry/agent/types.ts';
import { down, findTool, missingPiece, readInventory, up } from '../../src/testbed/local/index.ts';
import { layout } from '../../src/testbed/local/layout.ts';
import { testbedLeftovers } from '../helpers/testbed-leftovers.ts';

const PREFIX = 'fsj-';
const SUBNET = '10.81.0';
const missing =
  missingPiece() ??
  (findTool('sshd') ? undefined : 'sshd (openssh-server)') ??
  (findTool('nft') ? undefined : 'nft (nftables)');
if (missing) console.warn(`faults/injectors-testbed.test.ts skipped: needs ${missing}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-inj-'));
const stateDir = path.join(dir, 'testbed');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing !== undefined)('injectors on a namespaced testbed over SSH', () => {
  let db: HostTransport;
  let faultDir: string;
  const samples: HostStatsMessage[] = [];
  let agent: HostAgent;

  beforeAll(async () => {
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, hosts: ['web', 'db'], ssh: true });
    const inv = readInventory(stateDir)!;
    faultDir = path.join(layout(stateDir, inv).hostDiskPath, '.foreshock-faults');
    db = await testbedTransport(stateDir, 'db');
    agent = new HostAgent({
      hosts: agentSources(stateDir, inv).map((h) => ({ host: h.host, source: buildSource(h.spec).source })),
      bus: { publish: (_t, m) => void samples.push(m) },
    });
    agent.start();
  }, 120_000);

  afterAll(async () => {
    agent?.stop();
    await db?.close();
    if (!missing) {
      await down(stateDir, PREFIX);
      expect(testbedLeftovers(PREFIX, [stateDir])).toEqual([]);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** Mean of a metric per host over [from, to). */
  function mean(host: string, metric: keyof HostStatsMessage['metrics'], from: number, to: number): number {
    const v = samples
      .filter((s) => s.host === host && s.time >= from && s.time < to)
      .map((s) => s.metrics[metric])
      .filter((x): x is number => x !== null);
    return v.reduce((a, b) => a + b, 0) / v.length;
  }

  /** Runs the fault for its duration; returns [before, during] windows as epoch ms. */
  async function runFault(raw: object): Promise<{ before: [number, number]; during: [number, number] }> {
    const spec: FaultSpec = validateFaultSpec(raw);
    const t0 = Date.now();
    await sleep(4000); // a baseline
    const f = await injectFault(db, faultDir, `t-${spec.type}-${Date.now().toString(36)}`, spec);
    await sleep(spec.durationS * 1000 - 500);
    await f.revert();
    return { before: [t0, f.startedAt], during: [f.startedAt + 2000, f.startedAt + spec.durationS * 1000] };
  }

  it('cpuhog: db availcpu drops, web does not move', async () => {
    const w = await runFault({ type: 'cpuhog', percent: 100, cores: 1, durationS: 8 });
    const dbDrop = mean('db', 'availcpu', ...w.before) - mean('db', 'availcpu', ...w.during);
    const webDrop = mean('web', 'availcpu', ...w.before) - mean('web', 'availcpu', ...w.during);
    expect(dbDrop).toBeGreaterThan(50); // the 0.5-CPU cap is taken by the hog
    expect(Math.abs(webDrop)).toBeLessThan(10);
  }, 60_000);

  it('memleak: db freemem drops by about the leak, web does not move', async () => {
    const w = await runFault({ type: 'memleak', mibPerS: 40, maxMiB: 120, durationS: 8 });
    const dbDrop = mean('db', 'freemem', ...w.before) - mean('db', 'freemem', ...w.during);
    const webDrop = mean('web', 'freemem', ...w.before) - mean('web', 'freemem', ...w.during);
    expect(dbDrop).toBeGreaterThan(100); // the program itself plus up to 120 MiB of leak
    expect(Math.abs(webDrop)).toBeLessThan(10);
  }, 60_000);

  it('diskhog: db diskwrite rises, web does not', async () => {
    const w = await runFault({
      type: 'diskhog',
      mibPerS: 8,
      blockKiB: 256,
      fsync: true,
      maxMiB: 32,
      durationS: 8,
    });
    const dbRise = mean('db', 'diskwrite', ...w.during) - mean('db', 'diskwrite', ...w.before);
    const webRise = mean('web', 'diskwrite', ...w.during) - mean('web', 'diskwrite', ...w.before);
    expect(dbRise).toBeGreaterThan(2048); // KiB/s
    expect(Math.abs(webRise)).toBeLessThan(1024);
  }, 60_000);

  it('diskfill: db freedisk drops to the target, web does not', async () => {
    const w = await runFault({ type: 'diskfill', percent: 90, durationS: 6 });
    const dbDrop = mean('db', 'freedisk', ...w.before) - mean('db', 'freedisk', ...w.during);
    const webDrop = mean('web', 'freedisk', ...w.before) - mean('web', 'freedisk', ...w.during);
    expect(dbDrop).toBeGreaterThan(100); // MiB of a 256 MiB disk
    expect(Math.abs(webDrop)).toBeLessThan(1);
  }, 60_000);

  it('netloss: db drops every packet but its SSH control channel; web is not affected', async () => {
    // A TCP listener on db (port 7000) and one on web: reachable before, db's not during, again after.
    const listen = (t: HostTransport): Promise<unknown> =>
      t.run(['timeout', '30', 'node', '-e', "require('net').createServer((s) => s.end()).listen(7000)"]);
    const web = await testbedTransport(stateDir, 'web');
    const listeners = [listen(db), listen(web)];
    const inv = readInventory(stateDir)!;
    const ip = (h: string): string => inv.hosts.find((x) => x.name === h)!.ip;
    const reachable = (addr: string, port = 7000): Promise<boolean> =>
      new Promise((resolve) => {
        const s = net.connect({ host: addr, port, timeout: 1500 });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('timeout', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(false));
      });
    let up = false;
    for (let i = 0; i < 40 && !up; i++) up = (await reachable(ip('db'))) || (await sleep(250), false);
    expect(up).toBe(true);
    const spec = validateFaultSpec({ type: 'netloss', percent: 100, durationS: 8 });
    const f = await injectFault(db, faultDir, `t-netloss-${Date.now().toString(36)}`, spec);
    expect(await reachable(ip('db'))).toBe(false);
    expect(await reachable(ip('web'))).toBe(true);
    // The control channel still works: status over SSH sees the fault, and revert ends it.
    expect((await db.run(['true'])).code).toBe(0);
    await f.revert();
    expect(await reachable(ip('db'))).toBe(true);
    await db.run(['pkill', '-f', 'listen\\(7000\\)']);
    await web.run(['pkill', '-f', 'listen\\(7000\\)']);
    await Promise.allSettled(listeners);
    await web.close();
  }, 90_000);

  it('leaves no marker or fault file on db', async () => {
    const r = await db.run(['ls', '-A', faultDir]);
    expect(r.stdout.split('\n').filter((f) => f.endsWith('.json') || f.endsWith('.data'))).toEqual([]);
    expect(existsSync(stateDir)).toBe(true);
  });
});
