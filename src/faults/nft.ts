// nftables pieces of the netloss fault: table names, the argv of each nft call, and parsing of
// `nft list tables`. Every call is one argv (execFile, no shell). nft joins its arguments and
// parses them as one script, so a `;`-separated argv is a single atomic transaction: either the
// whole table with both chains and rules appears, or nothing does.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NFT_TABLE_PREFIX = 'foreshock_fault_';

/** Ids are [a-z0-9-]; nft identifiers may not contain '-', so it becomes '_' (ids have no '_'). */
export function nftTableName(id: string): string {
  return NFT_TABLE_PREFIX + id.replace(/-/g, '_');
}

/** Absolute path of nft when it is in a usual place (a non-login PATH may lack /usr/sbin). */
export function findNft(): string | undefined {
  return ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft', '/bin/nft'].find((p) => existsSync(p));
}

/** The control channel: the harness reaches a host over SSH on this port (testbed sshd). */
export const CONTROL_PORT = 22;

/**
 * The nft arguments that create the loss table: chains on input and output (filter, priority 0,
 * policy accept) each dropping a random `percent` % of the packets on `iface`, except the SSH
 * control channel (tcp port 22 in, from port 22 out): the harness must still be able to see and
 * revert the fault it injected (at 100 % loss the injecting session's own reply would otherwise
 * be dropped until the fault expired), as chaos tools exempt their control connection. `numgen random
 * mod 1000` yields 0..999, so the threshold is percent * 10 rounded (0.1 % steps); at 100 % the
 * rule is a plain drop (`< 1000` would be out of the generator's range and rejected).
 */
export function nftAddLossArgs(table: string, iface: string, percent: number): string[] {
  const per1000 = Math.round(percent * 10);
  const verdict =
    per1000 >= 1000 ? ['drop'] : ['numgen', 'random', 'mod', '1000', '<', String(per1000), 'drop'];
  const chain = (name: string, hook: string, match: string, port: string): string[] => [
    'add', 'chain', 'inet', table, name, '{', 'type', 'filter', 'hook', hook, 'priority', '0', ';', 'policy', 'accept', ';', '}', ';',
    // The name is quoted for nft's parser (it has no shell around it): "eth0.100" stays one token.
    'add', 'rule', 'inet', table, name, 'meta', match, `"${iface}"`, 'tcp', port, String(CONTROL_PORT), 'accept', ';',
    'add', 'rule', 'inet', table, name, 'meta', match, `"${iface}"`, ...verdict,
  ]; // prettier-ignore
  return [
    'add', 'table', 'inet', table, ';',
    ...chain('input', 'input', 'iifname', 'dport'), ';',
    ...chain('output', 'output', 'oifname', 'sport'),
  ]; // prettier-ignore
}

export function nftDeleteTableArgs(table: string): string[] {
  return ['delete', 'table', 'inet', table];
}

/** Table names of family inet with our prefix in `nft list tables` output. */
export function parseOurTables(listing: string): string[] {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    const m = /^table inet (\S+)$/.exec(line.trim());
    if (m && m[1]!.startsWith(NFT_TABLE_PREFIX)) out.push(m[1]!);
  }
  return out;
}

/** Runs nft synchronously; throws with nft's first stderr line. Used on revert paths, which must not wait on the event loop. */
export function nftSync(nft: string, args: string[]): string {
  try {
    return execFileSync(nft, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const line = (e.stderr ?? '').trim().split('\n')[0] || e.message.split('\n')[0];
    throw new Error(`nft ${args.slice(0, 4).join(' ')}: ${line}`, { cause: err });
  }
}

/** Deletes the table; true if it existed. A missing table is not an error (revert is idempotent). */
export function nftDeleteTable(nft: string, table: string): boolean {
  try {
    nftSync(nft, nftDeleteTableArgs(table));
    return true;
  } catch (err) {
    if (/No such file or directory|does not exist/i.test((err as Error).message)) return false;
    throw err;
  }
}
