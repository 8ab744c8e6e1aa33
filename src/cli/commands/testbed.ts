// `foreshock testbed up|status|down`: the local multi-host testbed (network namespaces on a
// bridge, cgroup v1 caps, a loop disk per host). Thin handlers over src/testbed/local; see
// docs/testbed.md. Needs root; without it (or a kernel feature) it refuses in one line.

import type { Argv, CommandModule } from 'yargs';
import {
  DEFAULT_STATE_DIR,
  DEFAULT_PREFIX,
  DEFAULT_SUBNET,
  down,
  status,
  up,
  type TestbedStatus,
} from '../../testbed/local/index.ts';
import { logLine, parseList } from '../options.ts';

/** Under /var/tmp, not /run: a host's disk image on tmpfs would count as machine memory. */
export const DEFAULT_TESTBED_STATE_DIR = DEFAULT_STATE_DIR;

interface Args {
  'state-dir': string;
  prefix?: string;
  hosts?: string;
  subnet: string;
  cpus?: number;
  'memory-mib'?: number;
  'disk-mib'?: number;
  ssh: boolean;
}

const common = <T>(y: Argv<T>) =>
  y
    .option('state-dir', {
      type: 'string',
      default: DEFAULT_TESTBED_STATE_DIR,
      describe: 'where the testbed keeps testbed.json, disk images and namespace files',
    })
    .option('prefix', {
      type: 'string',
      describe: `name prefix of every kernel object (default ${DEFAULT_PREFIX}; down finds leftovers by it, and refuses a prefix that is not the state directory's)`,
    });

function summary(st: TestbedStatus): string {
  if (!st.inventory) {
    return st.leftovers.length > 0
      ? `no testbed in ${st.stateDir}, but leftovers exist: ${st.leftovers.join(', ')} (run down)`
      : `no testbed in ${st.stateDir}`;
  }
  const hosts = st.hosts
    .map((h) => {
      const bad = (['netns', 'cgroups', 'disk', 'namespaces', 'sshd'] as const).filter((k) => !h[k]);
      return `${h.name}=${h.ip}${bad.length > 0 ? ` (missing ${bad.join(', ')})` : ''}`;
    })
    .join(' ');
  return `${st.complete ? 'up' : 'INCOMPLETE'}: ${hosts}${st.bridge ? '' : ' (bridge missing)'}`;
}

export const testbedCommand: CommandModule = {
  builder: (y) =>
    y
      .command<Args>({
        command: 'up',
        describe: 'Create the hosts (idempotent: an existing complete testbed is left as is)',
        builder: (yy) =>
          common(yy)
            .option('hosts', {
              type: 'string',
              describe: 'comma-separated host names (default web,db,client,kafka,analysis)',
            })
            .option('subnet', {
              type: 'string',
              default: DEFAULT_SUBNET,
              describe: 'first three octets of the private /24 bridge subnet',
            })
            .option('cpus', { type: 'number', describe: 'CPU cap per host in cores (default 0.5)' })
            .option('memory-mib', { type: 'number', describe: 'memory cap per host (default 512)' })
            .option('disk-mib', {
              type: 'number',
              describe: 'disk size per host (default 256)',
            })
            .option('ssh', {
              type: 'boolean',
              default: false,
              describe: 'start a key-only sshd per host (needs openssh-server); keys under <state-dir>/ssh',
            }) as Argv<Args>,
        handler: async (args) => {
          const hosts = parseList(args.hosts);
          const r = await up(args['state-dir'], {
            prefix: args.prefix ?? DEFAULT_PREFIX,
            subnet: args.subnet,
            ...(hosts ? { hosts } : {}),
            ...(args.cpus !== undefined ? { cpus: args.cpus } : {}),
            ...(args['memory-mib'] !== undefined ? { memoryBytes: args['memory-mib'] * 1024 * 1024 } : {}),
            ...(args['disk-mib'] !== undefined ? { diskMiB: args['disk-mib'] } : {}),
            ssh: args.ssh,
          });
          logLine(`${r.created ? 'created' : 'already up, nothing done'}: ${summary(r.status)}`);
        },
      })
      .command<Args>({
        command: 'status',
        describe: 'Print the testbed status as JSON on stdout (summary on stderr)',
        builder: (yy) => common(yy) as Argv<Args>,
        handler: (args) => {
          const st = status(args['state-dir'], args.prefix ?? DEFAULT_PREFIX);
          console.log(JSON.stringify(st, null, 2));
          logLine(summary(st));
        },
      })
      .command<Args>({
        command: 'down',
        describe:
          'Remove everything: processes in the hosts, mounts, loop devices, links, netns, cgroups, state files',
        builder: (yy) => common(yy) as Argv<Args>,
        handler: async (args) => {
          const r = await down(args['state-dir'], args.prefix);
          logLine(
            `down: killed ${r.killed} processes, ${r.unmounted} mounts, ${r.loopDetached} stray loop devices, ` +
              `${r.netns} netns, ${r.links} links, ${r.cgroups} cgroups`,
          );
        },
      })
      .demandCommand(1, 'give up, status or down'),
  handler: () => undefined,
};
