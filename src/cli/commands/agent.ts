// `foreshock agent`: the host metric agent (docs/telemetry.md, "Agent"). Samples one host every
// interval and publishes `stats` keyed by the host id, on Kafka or, with --bus memory, as JSON
// lines on stdout. The host is a set of pids (--pid, the embedded procfs source) or the whole
// machine (--machine, the machine-wide source for hosts that are a VM each, e.g. on AWS).

import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import {
  flattenStats,
  HostAgent,
  MachineSource,
  ProcfsSource,
  type MetricSource,
  type AgentTopics,
  type HostStatsMessage,
} from '../../telemetry/agent/index.ts';
import type { Bus } from '../../telemetry/bus.ts';
import { createKafkaBus } from '../../telemetry/kafka/bus.ts';
import { logLine, parseList } from '../options.ts';

interface Args {
  host: string;
  pid?: string;
  machine: boolean;
  'interval-ms': number;
  bus: string;
  brokers?: string;
  'cpu-cores'?: number;
  'mem-limit-mib'?: number;
  'disk-dir'?: string;
  'block-device'?: string;
  'net-iface'?: string;
  shape: string;
  samples?: number;
}

export const agentCommand: CommandModule<object, Args> = {
  builder: (y) =>
    y
      .option('host', { type: 'string', demandOption: true, describe: 'host id: the message key' })
      .option('pid', {
        type: 'string',
        describe: "the host's processes, pid[,pid...] (procfs source; one of --pid / --machine)",
      })
      .option('machine', {
        type: 'boolean',
        default: false,
        describe: 'the host is this whole machine (machine-wide source; one of --pid / --machine)',
      })
      .option('interval-ms', { type: 'number', default: 1000, describe: 'sampling interval, ms' })
      .option('bus', {
        type: 'string',
        choices: ['memory', 'kafka'],
        default: 'memory',
        describe: 'memory prints each message as a JSON line on stdout; kafka publishes to --brokers',
      })
      .option('brokers', {
        type: 'string',
        describe: 'Kafka brokers host:port[,host:port] (with --bus kafka)',
      })
      .option('cpu-cores', {
        type: 'number',
        describe: 'CPU allotment availcpu is relative to, cores (--pid only; default 1)',
      })
      .option('mem-limit-mib', {
        type: 'number',
        describe: 'memory limit freemem counts against (--pid only; default: machine total)',
      })
      .option('disk-dir', {
        type: 'string',
        describe: 'directory whose file system is freedisk (default: cwd with --pid, / with --machine)',
      })
      .option('block-device', {
        type: 'string',
        describe:
          'diskread/diskwrite device, a /proc/diskstats name such as nvme0n1 (--machine only; default: the whole disk under /)',
      })
      .option('net-iface', {
        type: 'string',
        describe:
          "netin/netout interface (--machine only; default: the default route's, else the first non-lo)",
      })
      .option('shape', {
        type: 'string',
        choices: ['nested', 'flat'],
        // flat is the bus contract (bus.ts StatsMessage) that the aggregator and recorder read.
        default: 'flat',
        describe:
          'flat: {host,time,<metric>...} (the bus StatsMessage; nulls left out); nested: {host,time,metrics:{...}}',
      })
      .option('samples', {
        type: 'number',
        describe: 'stop after this many samples (default: until SIGINT/SIGTERM)',
      })
      .example('$0 agent --host web --pid 1234,1240', '')
      .example('$0 agent --host db --pid 4321 --bus kafka --brokers 127.0.0.1:9092 --shape flat', '')
      .example('$0 agent --machine --host db --bus kafka --brokers 10.0.0.5:9092', '')
      .epilogue(
        'Which source: --pid when several hosts share one machine and each host is a set of processes ' +
          '(the embedded stack): CPU, memory and I/O are summed over those processes, against --cpu-cores ' +
          'and --mem-limit-mib. --machine when the host is a whole machine or VM (AWS: one EC2 instance ' +
          'per host): /proc/stat, /proc/meminfo, /proc/loadavg, /proc/vmstat, /proc/diskstats and ' +
          '/proc/net/dev of the machine, availcpu against all its CPUs and freemem against MemTotal. ' +
          'The namespaced testbed uses the cgroup source through its host provider, not this command.',
      ),
  handler: async (args) => {
    const machine = args.machine;
    if (machine) {
      if (args.pid !== undefined)
        throw new UserError(
          'agent: --pid and --machine exclude each other (a host is a set of pids or the whole machine)',
        );
      if (args['cpu-cores'] !== undefined || args['mem-limit-mib'] !== undefined)
        throw new UserError(
          'agent: --cpu-cores and --mem-limit-mib are for --pid; --machine uses all CPUs and MemTotal',
        );
    } else {
      if (args.pid === undefined) throw new UserError('agent: give --pid <pid[,pid...]> or --machine');
      if (args['block-device'] !== undefined || args['net-iface'] !== undefined)
        throw new UserError('agent: --block-device and --net-iface need --machine');
    }
    const pids = machine ? [] : (parseList(args.pid) ?? []).map(Number);
    if (!machine && (pids.length === 0 || !pids.every((p) => Number.isInteger(p) && p > 0)))
      throw new UserError(`agent: --pid must be positive integers, got "${args.pid}"`);
    if (!(args['interval-ms'] > 0)) throw new UserError('agent: --interval-ms must be > 0');
    const cpuCores = args['cpu-cores'] ?? 1;
    if (!(cpuCores > 0)) throw new UserError('agent: --cpu-cores must be > 0');
    const memMiB = args['mem-limit-mib'];
    if (memMiB !== undefined && !(memMiB > 0)) throw new UserError('agent: --mem-limit-mib must be > 0');
    for (const opt of ['disk-dir', 'block-device', 'net-iface'] as const) {
      const v = args[opt];
      if (v !== undefined && v.trim() === '') throw new UserError(`agent: --${opt} must not be empty`);
    }

    let close: () => Promise<void> = async () => {};
    let send: (msg: HostStatsMessage) => void;
    const shape = args.shape === 'flat' ? flattenStats : (m: HostStatsMessage) => m;
    if (args.bus === 'kafka') {
      if (!args.brokers) throw new UserError('agent: --bus kafka needs --brokers host:port');
      const kafka = await createKafkaBus<Record<string, object>>({
        brokers: args.brokers.split(','),
        clientId: `foreshock-agent-${args.host}`,
      });
      send = (m) => kafka.publish('stats', shape(m));
      close = () => kafka.close();
    } else {
      send = (m) => process.stdout.write(`${JSON.stringify(shape(m))}\n`);
    }
    const bus: Pick<Bus<AgentTopics>, 'publish'> = { publish: (_topic, msg) => send(msg) };
    let source: MetricSource;
    let what: string;
    if (machine) {
      const m = new MachineSource({
        ...(args['disk-dir'] !== undefined ? { diskDir: args['disk-dir'] } : {}),
        ...(args['block-device'] !== undefined ? { blockDevice: args['block-device'] } : {}),
        ...(args['net-iface'] !== undefined ? { netIface: args['net-iface'] } : {}),
      });
      source = m;
      const d = m.describe();
      what =
        `the whole machine (${d.cpus ?? '?'} CPUs, disk ${d.blockDevice ?? 'none: diskread/diskwrite null'}, ` +
        `net ${d.netIface ?? 'none: netin/netout null'}, freedisk of ${d.diskDir})`;
    } else {
      source = new ProcfsSource({
        pids,
        cpuCores,
        ...(memMiB !== undefined ? { memLimitBytes: memMiB * 2 ** 20 } : {}),
        ...(args['disk-dir'] !== undefined ? { diskDir: args['disk-dir'] } : {}),
      });
      what = `pids ${pids.join(',')}`;
    }
    let count = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const agent = new HostAgent({
      hosts: [{ host: args.host, source }],
      bus: {
        publish: (t, m) => {
          bus.publish(t, m);
          if (args.samples !== undefined && ++count >= args.samples) finish();
        },
      },
      intervalMs: args['interval-ms'],
    });
    const onSignal = () => finish();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    logLine(`agent: host ${args.host}, ${what}, every ${args['interval-ms']} ms on ${args.bus}`);
    agent.start();
    await done;
    agent.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  },
};
