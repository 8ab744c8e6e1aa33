// `foreshock record`: record the live bus into a dataset directory (docs/telemetry.md, "Recorder").
// Runs an in-process Aggregator (unless --no-aggregate) and a Recorder for --duration seconds, then
// finalises. `foreshock record --recover <dir>` finalises the segments of a killed recorder.

import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { Aggregator } from '../../telemetry/aggregator.ts';
import { InMemoryBus, type Bus, type TopicMessages } from '../../telemetry/bus.ts';
import { createKafkaBus } from '../../telemetry/kafka/bus.ts';
import { Recorder, recoverRecording, type RecordingSummary } from '../../telemetry/recorder.ts';
import { logLine } from '../options.ts';

interface Args {
  duration?: number;
  out: string;
  bus: string;
  brokers?: string;
  'slo-ms': number;
  'late-delay-ms': number;
  aggregate: boolean;
  recover: boolean;
}

function describeSummary(s: RecordingSummary): string {
  return (
    `wrote ${s.dir}: ${s.seconds} s, ${s.hosts.length} hosts, ${s.metrics.length} metrics, ${s.sloRows} slo rows` +
    (s.tornSegments > 0 ? `, ${s.tornSegments} torn segment(s) cut at the last complete second` : '')
  );
}

export const recordCommand: CommandModule<object, Args> = {
  command: 'record',
  describe: 'Record stats and aggregate from the telemetry bus into a dataset directory',
  builder: (y) =>
    y
      .option('duration', { type: 'number', describe: 'seconds to record (required unless --recover)' })
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
      .option('recover', {
        type: 'boolean',
        default: false,
        describe: 'finalise the segments a killed recorder left in --out, then exit',
      })
      .example('$0 record --duration 600 --out datasets/run1 --brokers 127.0.0.1:9092', '')
      .example('$0 record --recover --out datasets/run1', ''),
  handler: async (args) => {
    if (args.recover) {
      logLine(describeSummary(recoverRecording(args.out)));
      return;
    }
    const duration = args.duration;
    if (duration === undefined || !(duration > 0)) throw new UserError('record: give --duration S (> 0)');
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
      await new Promise((resolve) => setTimeout(resolve, duration * 1000));
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
