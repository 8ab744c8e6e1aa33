// `foreshock kafka start --bind`: a bad address is a one-line user error before anything starts;
// with the broker's jars installed, a real detached broker on 127.0.0.2 (a loopback address other
// than the default) accepts a kafkajs client there and nothing listens on 127.0.0.1, then
// `kafka stop` removes it. Skips the real start (one line) when the jars are not installed: it never
// fetches them (`foreshock kafka setup` does).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { validateBindAddress } from '../../src/cli/commands/kafka.ts';
import { UserError } from '../../src/core/errors.ts';
import { localBrokerStatus, stopLocalBroker } from '../../src/telemetry/kafka/local.ts';
import { expectUserError, runCli, runCliAsync } from '../helpers/cli.ts';
import { kafkaInstalledOrSkip } from '../helpers/kafka.ts';

const installed = kafkaInstalledOrSkip('kafka --bind start test');

describe('kafka start --bind validation', () => {
  it('accepts loopback and local addresses, refuses the rest', () => {
    const local = () => ['127.0.0.1', '10.0.0.5'];
    expect(validateBindAddress('127.0.0.1', local)).toBe('127.0.0.1');
    expect(validateBindAddress('127.0.0.2', local)).toBe('127.0.0.2');
    expect(validateBindAddress('10.0.0.5', local)).toBe('10.0.0.5');
    for (const bad of ['not-an-ip', '10.0.0', '10.0.0.256', '010.0.0.5', '::1', '10.0.0.5:9092', ''])
      expect(() => validateBindAddress(bad, local), bad).toThrow(/dotted IPv4/);
    expect(() => validateBindAddress('0.0.0.0', local)).toThrow(UserError);
    expect(() => validateBindAddress('10.0.0.6', local)).toThrow(/not an address of this machine/);
  });

  it('--bind not-an-ip fails with one line and starts nothing', () => {
    const state = mkdtempSync(join(tmpdir(), 'foreshock-kbind-'));
    try {
      const dir = join(state, 'state');
      expectUserError(
        runCli('kafka', 'start', '--bind', 'not-an-ip', '--state-dir', dir),
        /--bind must be a dotted IPv4 address/,
      );
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe.skipIf(!installed)('kafka start --bind 127.0.0.2 (real broker)', () => {
  it('listens and advertises on 127.0.0.2 only, and stops', async () => {
    const base = mkdtempSync(join(tmpdir(), 'foreshock-kbind-'));
    const state = join(base, 'state');
    try {
      const r = await runCliAsync(['kafka', 'start', '--bind', '127.0.0.2', '--state-dir', state], {
        timeoutMs: 30_000,
      });
      expect(r.code, r.stderr).toBe(0);
      const m = /running on 127\.0\.0\.2:(\d+) /.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      const port = Number(m![1]);
      const kafka = new Kafka({
        clientId: 'foreshock-bind-test',
        brokers: [`127.0.0.2:${port}`],
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        // Metadata comes back with the advertised address: a client could only follow 127.0.0.2.
        const cluster = await admin.describeCluster();
        expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([`127.0.0.2:${port}`]);
        expect(await admin.listTopics()).toEqual(
          expect.arrayContaining(['stats', 'responsetime', 'aggregate']),
        );
      } finally {
        await admin.disconnect();
      }
      expect(await accepts('127.0.0.1', port)).toBe(false);
      const stop = await runCliAsync(['kafka', 'stop', '--state-dir', state], { timeoutMs: 20_000 });
      expect(stop.stdout).toMatch(/kafka broker stopped/);
      expect(localBrokerStatus(state)).toEqual({ running: false, stale: false });
    } finally {
      // Whatever failed above, no broker outlives the test.
      await stopLocalBroker(state).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    }
  }, 45_000);
});
