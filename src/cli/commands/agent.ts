// `foreshock agent`: the host metric agent (docs/telemetry.md, "Agent"). Samples one host (a set
// of pids, the embedded procfs source) every interval and publishes `stats` keyed by the host id,
// on Kafka or, with --bus memory, as JSON lines on stdout.

import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import {
  flattenStats,
  HostAgent,
  ProcfsSource,
  type AgentTopics,
  type HostStatsMessage,
} from '../../telemetry/agent/index.ts';
import type { Bus } from '../../telemetry/bus.ts';
import { createKafkaBus } from '../../telemetry/kafka/bus.ts';
import { logLine, parseList } from '../options.ts';

interface Args {
  host: string;
  pid: string;
  'interval-ms': number;
  bus: string;
  brokers?: string;
  'cpu-cores': number;
  'mem-limit-mib'?: number;
  'disk-dir'?: string;
  shape: string;
  samples?: number;
}

export const agentCommand: CommandModule<object, Args> = {
  command: 'agent',
  describe:
    'Publish host metrics (availcpu, freemem, load, ...) of a set of processes on `stats` every second',
  builder: (y) =>
    y
      .option('host', { type: 'string', demandOption: true, describe: 'host id: the message key' })
      .option('pid', { type: 'string', demandOption: true, describe: "the host's processes, pid[,pid...]" })
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
        default: 1,
        describe: 'CPU allotment availcpu is relative to, cores',
      })
      .option('mem-limit-mib', {
        type: 'number',
        describe: 'memory limit freemem counts against (default: machine total)',
      })
      .option('disk-dir', {
        type: 'string',
        describe: 'directory whose file system is freedisk (default: cwd)',
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
      .example('$0 agent --host db --pid 4321 --bus kafka --brokers 127.0.0.1:9092 --shape flat', ''),
  handler: async (args) => {
    const pids = (parseList(args.pid) ?? []).map(Number);
    if (pids.length === 0 || !pids.every((p) => Number.isInteger(p) && p > 0))
      throw new UserError(`agent: --pid must be positive integers, got "${args.pid}"`);
    if (!(args['interval-ms'] > 0)) throw new UserError('agent: --interval-ms must be > 0');
    if (!(args['cpu-cores'] > 0)) throw new UserError('agent: --cpu-cores must be > 0');
    const memMiB = args['mem-limit-mib'];
    if (memMiB !== undefined && !(memMiB > 0)) throw new UserError('agent: --mem-limit-mib must be > 0');

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
    const source = new ProcfsSource({
      pids,
      cpuCores: args['cpu-cores'],
      ...(memMiB !== undefined ? { memLimitBytes: memMiB * 2 ** 20 } : {}),
      ...(args['disk-dir'] !== undefined ? { diskDir: args['disk-dir'] } : {}),
    });
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
    logLine(
      `agent: host ${args.host}, pids ${pids.join(',')}, every ${args['interval-ms']} ms on ${args.bus}`,
    );
    agent.start();
    await done;
    agent.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  },
};
