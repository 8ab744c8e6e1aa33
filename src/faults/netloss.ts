// netloss: an nftables table `foreshock_fault_<id>` in the network namespace this program runs
// in, dropping a random `percent` % of the packets entering (input hook) and leaving (output hook)
// `iface`. Through a real interface each packet passes one of the hooks (loss p), so a round trip
// is lost with 1 - (1 - p)^2; on `lo` each packet passes both hooks (loss 1 - (1 - p)^2 per packet).
// Forwarded traffic (a router namespace) is not touched: our hosts are end points.
//
// Needs root (CAP_NET_ADMIN in the namespace) and nft. The table is created in one atomic nft
// transaction and deleted on revert; it is listed in the marker before it is created.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../core/errors.ts';
import type { ActiveFault, FaultContext } from './effect.ts';
import { findNft, nftAddLossArgs, nftDeleteTable, nftTableName } from './nft.ts';
import type { NetLossSpec } from './spec.ts';

const execFileP = promisify(execFile);

/** True if `iface` exists in this network namespace (ip reads netlink, so it sees our netns). */
async function ifaceExists(iface: string): Promise<boolean | undefined> {
  try {
    await execFileP('ip', ['-o', 'link', 'show', 'dev', iface], { timeout: 5000 });
    return true;
  } catch (err) {
    // No `ip` at all: we cannot tell, so do not refuse.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : false;
  }
}

export async function startNetLoss(spec: NetLossSpec, ctx: FaultContext): Promise<ActiveFault> {
  const nft = findNft();
  if (!nft) throw new Error('netloss: nft not found (install nftables)');
  // A rule on a missing interface is accepted by nft and silently matches nothing.
  if ((await ifaceExists(spec.iface)) === false) {
    throw new UserError(`netloss: no interface "${spec.iface}" in this network namespace`);
  }
  const table = nftTableName(ctx.id);
  try {
    await execFileP(nft, nftAddLossArgs(table, spec.iface, spec.percent), { timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new UserError(`netloss: nft refused the table: ${(e.stderr || e.message).trim().split('\n')[0]}`, {
      cause: err,
    });
  }
  const per1000 = Math.round(spec.percent * 10);
  ctx.log(`netloss: table inet ${table} drops ${per1000 / 10} % on ${spec.iface} (in and out)`);
  return {
    notes: [`dropping ${per1000 / 10} % of packets per direction on ${spec.iface}`],
    async stop() {
      nftDeleteTable(nft, table);
    },
  };
}
