// netloss inside a throwaway network namespace `fsf-test` (only `lo`, brought up here): nothing
// the test does reaches the machine's own network or nft ruleset. Loss is observed with UDP
// datagrams a process in the namespace sends to itself over 127.0.0.1 (there is no ping here).
// Needs root, nft, ip and nsenter; otherwise skipped with a warning naming the missing piece.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerPath } from '../../src/faults/marker.ts';
import { findNft, nftAddLossArgs, nftTableName } from '../../src/faults/nft.ts';
import { parseCleaned, parseReverted, parseStarted } from '../../src/faults/program.ts';
import { processesNaming, program, waitFor } from './helpers.ts';

const NS = 'fsf-test';
const IN_NS = ['nsenter', `--net=/run/netns/${NS}`, '--'];
const nft = findNft();
const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;
const missing =
  process.getuid?.() !== 0 ? 'root' : !nft ? 'nft' : !has('ip') ? 'ip' : !has('nsenter') ? 'nsenter' : null;
if (missing) console.warn(`faults/netloss.test.ts skipped: needs ${missing}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'fsf-net-'));

function sh(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const tablesInNs = (): string => sh([...IN_NS, nft ?? 'nft', 'list', 'tables']).stdout;

/** Datagrams (of `n` sent) a process in the namespace receives from itself over 127.0.0.1. */
function udpReceived(n: number): number {
  const script = `
    const s = require('node:dgram').createSocket('udp4');
    let got = 0;
    s.on('message', () => got++);
    s.on('error', () => {}); // a drop on output surfaces as EPERM on send
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      for (let i = 0; i < ${n}; i++) s.send('x', port, '127.0.0.1', () => {});
      setTimeout(() => { console.log(got); s.close(); }, 500);
    });`;
  const r = sh([...IN_NS, process.execPath, '-e', script]);
  if (r.status !== 0) throw new Error(`udp probe failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

describe.skipIf(missing !== null)('netloss in a throwaway network namespace', () => {
  beforeAll(() => {
    if (existsSync(`/run/netns/${NS}`)) sh(['ip', 'netns', 'del', NS]); // a crashed earlier run
    expect(sh(['ip', 'netns', 'add', NS]).status).toBe(0);
    expect(sh(['ip', '-n', NS, 'link', 'set', 'lo', 'up']).status).toBe(0);
  });

  afterAll(async () => {
    await program('cleanup', [dir], IN_NS);
    sh(['ip', 'netns', 'del', NS]);
    expect(existsSync(`/run/netns/${NS}`)).toBe(false);
    expect(processesNaming(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds rules nft accepts', () => {
    for (const pct of [0.1, 50, 99.9, 100]) {
      const r = sh([...IN_NS, nft!, '-c', ...nftAddLossArgs('foreshock_fault_check', 'eth0.1', pct)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('drops everything on lo at 100 %, only in its namespace, until reverted', async () => {
    expect(udpReceived(20)).toBe(20);
    const spec = { type: 'netloss', percent: 100, iface: 'lo', durationS: 60 };
    const a = await program('start', [dir, 'nl', JSON.stringify(spec)], IN_NS);
    const m = parseStarted(a.stdout, a.stderr);
    expect(m.nftTable).toBe(nftTableName('nl'));
    expect(tablesInNs()).toContain(`table inet ${nftTableName('nl')}`);
    // The machine's own ruleset is untouched (listing it is read-only).
    expect(sh([nft!, 'list', 'tables']).stdout).not.toContain(nftTableName('nl'));
    expect(udpReceived(20)).toBe(0);

    const r = await program('revert', [dir, 'nl'], IN_NS);
    expect(parseReverted(r.stdout, r.stderr)).toEqual({ id: 'nl', wasRunning: true });
    expect(tablesInNs()).not.toContain(nftTableName('nl'));
    expect(existsSync(markerPath(dir, 'nl'))).toBe(false);
    expect(udpReceived(20)).toBe(20);
  });

  it('drops a random share at 50 % and expires by itself', async () => {
    const spec = { type: 'netloss', percent: 50, iface: 'lo', durationS: 2 };
    const a = await program('start', [dir, 'half', JSON.stringify(spec)], IN_NS);
    parseStarted(a.stdout, a.stderr);
    // On lo each datagram passes output and input: kept with 0.5 * 0.5, so ~50 of 200.
    const got = udpReceived(200);
    expect(got).toBeGreaterThan(10);
    expect(got).toBeLessThan(120);
    await waitFor(() => !existsSync(markerPath(dir, 'half')), 15_000, 'the marker to disappear', 100);
    expect(tablesInNs()).not.toContain(nftTableName('half'));
  });

  it('refuses an interface the namespace does not have, leaving nothing', async () => {
    const spec = { type: 'netloss', percent: 10, iface: 'nope0', durationS: 5 };
    const a = await program('start', [dir, 'noif', JSON.stringify(spec)], IN_NS);
    expect(a.code).toBe(1);
    expect(() => parseStarted(a.stdout, a.stderr)).toThrow(/no interface "nope0"/);
    expect(existsSync(markerPath(dir, 'noif'))).toBe(false);
    expect(tablesInNs()).not.toContain(nftTableName('noif'));
  });

  it('cleanup deletes a stray foreshock_fault_* table and nothing else', () => {
    expect(sh([...IN_NS, nft!, 'add', 'table', 'inet', 'foreshock_fault_stray']).status).toBe(0);
    expect(sh([...IN_NS, nft!, 'add', 'table', 'inet', 'keepme']).status).toBe(0);
    return program('cleanup', [dir], IN_NS).then((c) => {
      const s = parseCleaned(c.stdout, c.stderr);
      expect(s.nftTables).toEqual(['foreshock_fault_stray']);
      expect(tablesInNs()).not.toContain('foreshock_fault_stray');
      expect(tablesInNs()).toContain('keepme');
    });
  });
});
