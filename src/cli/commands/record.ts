// `foreshock record`: record the live bus into a dataset directory (docs/telemetry.md, "Recorder").
// Runs an in-process Aggregator (unless --no-aggregate) and a Recorder for --duration seconds (or,
// without it, until SIGINT/SIGTERM), then finalises. SIGINT/SIGTERM during a timed recording also
// ends it early and finalises what was recorded (the summary says so). `foreshock record --recover <dir>` finalises the segments of a killed recorder.

import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { Aggregator } from '../../telemetry/aggregator.ts';
import { InMemoryBus, type Bus, type TopicMessages } from '../../telemetry/bus.ts';
import { createKafkaBus } from '../../telemetry/kafka/bus.ts';
import { Recorder, recoverRecording, type RecordingSummary } from '../../telemetry/recorder.ts';
import { recordStackRun, SESSION_STACKS, type SessionStack } from '../../stack/index.ts';
import { DEFAULT_STATE_DIR } from '../../testbed/local/inventory.ts';
import { defaultDataDir, parseMix } from '../../workload/data-files.ts';
import { logLine } from '../options.ts';
import { remoteStackOptions, resolveRemoteSpec, type RemoteStackArgs } from '../remote-stack-options.ts';

interface Args extends RemoteStackArgs {
  duration?: number;
  out: string;
  bus: string;
  brokers?: string;
  'slo-ms': number;
  'late-delay-ms': number;
  aggregate: boolean;
  recover: boolean;
  stack?: string;
  users: number;
  mix: string;
  scale: number;
  seed: number;
  'state-dir'?: string;
  harness?: string;
  dependency?: string[];
}

function describeSummary(s: RecordingSummary): string {
  return (
    `wrote ${s.dir}: ${s.seconds} s, ${s.hosts.length} hosts, ${s.metrics.length} metrics, ${s.sloRows} slo rows` +
    (s.tornSegments > 0 ? `, ${s.tornSegments} torn segment(s) cut at the last complete second` : '')
  );
}

/** Resolves after `durationS` (null) or at SIGINT/SIGTERM (its name), whichever comes first. */
function untilDoneOrSignal(durationS: number | undefined): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const timer = durationS === undefined ? null : setTimeout(() => finish(null), durationS * 1000);
    const onInt = (): void => finish('SIGINT');
    const onTerm = (): void => finish('SIGTERM');
    function finish(sig: NodeJS.Signals | null): void {
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      resolve(sig);
    }
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export const recordCommand: CommandModule<object, Args> = {
  builder: (y) =>
    remoteStackOptions(y)
      .option('duration', {
        type: 'number',
        describe: 'seconds to record (default: until SIGINT/SIGTERM, then finalise)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'dataset directory to write' })
      .option('bus', {
        type: 'string',
        choices: ['memory', 'kafka'],
        default: 'kafka',
        describe: 'memory only sees an in-process publisher (tests, embedding); kafka is the testbed',
      })
      .option('brokers', {
        type: 'string',
        describe: 'Kafka brokers host:port[,host:port] (with --bus kafka)',
      })
      .option('slo-ms', { type: 'number', default: 100, describe: 'SLO threshold on latency, ms' })
      .option('late-delay-ms', {
        type: 'number',
        default: 2000,
        describe: 'how long a second waits for late messages before it is aggregated',
      })
      .option('aggregate', {
        type: 'boolean',
        default: true,
        describe: 'run the aggregator here (--no-aggregate: another process publishes aggregate)',
      })
      .option('harness', {
        type: 'string',
        describe: 'comma-separated hosts of the harness itself (marked "harness": true in the manifest)',
      })
      .option('dependency', {
        type: 'string',
        array: true,
        describe: 'a caller:callee edge of the call graph for the manifest (repeatable), e.g. web:db',
      })
      .option('recover', {
        type: 'boolean',
        default: false,
        describe: 'finalise the segments a killed recorder left in --out, then exit',
      })
      .option('stack', {
        type: 'string',
        choices: SESSION_STACKS,
        describe:
          'bring up this stack with the RUBiS workload and record it for --duration (embedded: processes on loopback, no root; local: the namespaced testbed from `foreshock testbed up`; aws / remote: machines over SSH, docs/aws.md)',
      })
      .option('users', { type: 'number', default: 100, describe: 'with --stack: emulated users' })
      .option('mix', { type: 'string', default: 'bidding', describe: 'with --stack: bidding | browsing' })
      .option('scale', {
        type: 'number',
        default: 0.1,
        describe: "with --stack: database size as a share of RUBiS's default",
      })
      .option('seed', { type: 'number', default: 1, describe: 'with --stack: database and client seed' })
      .option('state-dir', {
        type: 'string',
        describe: `with --stack local: the testbed's state directory (default ${DEFAULT_STATE_DIR})`,
      })
      .example('$0 record --stack embedded --duration 60 --out out/run1', 'workload + agents, in-memory bus')
      .example(
        '$0 record --stack local --duration 60 --out out/run2',
        'on the namespaced testbed, real Kafka',
      )
      .example('$0 record --duration 600 --out datasets/run1 --brokers 127.0.0.1:9092', '')
      .example('$0 record --recover --out datasets/run1', ''),
  handler: async (args) => {
    if (args.recover) {
      logLine(describeSummary(recoverRecording(args.out)));
      return;
    }
    const duration = args.duration;
    if (duration !== undefined && !(duration > 0))
      throw new UserError(`record: --duration must be > 0 seconds, got ${duration}`);
    if (args.stack !== undefined) {
      if (duration === undefined) throw new UserError('record: --stack needs --duration S');
      const remote = await resolveRemoteSpec(args.stack as SessionStack, args);
      const report = await recordStackRun(
        {
          stack: args.stack as SessionStack,
          out: args.out,
          users: args.users,
          mix: parseMix(args.mix),
          scale: args.scale,
          seed: args.seed,
          sloMs: args['slo-ms'],
          lateDelayMs: args['late-delay-ms'],
          dataDir: defaultDataDir(),
          ...(args['state-dir'] ? { stateDir: args['state-dir'] } : {}),
          ...(remote ? { remote } : {}),
          log: logLine,
        },
        duration,
      );
      const c = report.clients;
      logLine(`clients: ${c.requests} requests, ${c.errors} errors, ${c.sessions} sessions`);
      logLine(describeSummary(report.recording));
      return;
    }
    let bus: Bus<TopicMessages>;
    let ready: () => Promise<void> = async () => {};
    if (args.bus === 'kafka') {
      if (!args.brokers) throw new UserError('record: --bus kafka needs --brokers host:port');
      const kafka = await createKafkaBus({ brokers: args.brokers.split(','), clientId: 'foreshock-record' });
      bus = kafka;
      ready = () => kafka.ready();
    } else {
      logLine('record: --bus memory sees only publishers in this process; nothing else will arrive');
      bus = new InMemoryBus();
    }
    // Close the bus whatever happens: open Kafka consumers would keep the process alive.
    let summary: RecordingSummary;
    try {
      const recorder = new Recorder(bus, {
        out: args.out,
        sloThresholdMs: args['slo-ms'],
        sourceDetail: `bus ${args.bus}`,
        dependencies: parseEdges(args.dependency ?? []),
        harnessHosts: args.harness ? args.harness.split(',').filter((h) => h !== '') : [],
      });
      recorder.start();
      const aggregator = args.aggregate
        ? new Aggregator(bus, {
            now: Date.now,
            sloThresholdMs: args['slo-ms'],
            lateDelayMs: args['late-delay-ms'],
          })
        : null;
      aggregator?.start();
      await ready();
      aggregator?.startTimer();
      // A readiness line for whoever started us (the local stack waits for it before the clients start).
      logLine(
        `record: recording to ${args.out}${duration === undefined ? ' until SIGINT/SIGTERM' : ` for ${duration} s`}`,
      );
      const signal = await untilDoneOrSignal(duration);
      if (signal) logLine(`record: ${signal}: finalising what was recorded`);
      // flush() emits only seconds that have ended: let the current one end, so a response that
      // completed just before the stop is not left out.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
      aggregator?.flush();
      aggregator?.stop();
      // Give an aggregate just published over Kafka a moment to come back to our subscription.
      if (args.bus === 'kafka') await new Promise((resolve) => setTimeout(resolve, 1000));
      summary = await recorder.stop();
    } finally {
      await bus.close();
    }
    logLine(describeSummary(summary));
  },
};

/** `caller:callee` edges of --dependency, each host a plain id. */
export function parseEdges(list: readonly string[]): [string, string][] {
  return list.map((e) => {
    const m = /^([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)$/.exec(e);
    if (!m || m[1] === m[2])
      throw new UserError(
        `--dependency: expected caller:callee (two different hosts), got ${JSON.stringify(e)}`,
      );
    return [m[1]!, m[2]!];
  });
}
