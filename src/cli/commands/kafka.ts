// `foreshock kafka setup|start|stop|status`: the local Apache Kafka broker (KRaft) the live
// pipeline publishes to. Thin handlers over src/telemetry/kafka (see docs/kafka.md).

import type { Argv, CommandModule } from 'yargs';
import { ensureKafkaInstalled, KAFKA_VERSION } from '../../telemetry/kafka/install.ts';
import {
  defaultStateDir,
  localBrokerStatus,
  startLocalBroker,
  stopLocalBroker,
} from '../../telemetry/kafka/local.ts';

interface StateArgs {
  'state-dir'?: string;
}

const stateOption = <T>(y: Argv<T>) =>
  y.option('state-dir', {
    type: 'string',
    describe:
      'where the broker keeps its data and broker.json (default: $FORESHOCK_KAFKA_HOME/state or ~/.cache/foreshock/state)',
  });

export const kafkaCommand: CommandModule = {
  command: 'kafka',
  describe: 'Fetch, start, stop or check the local Apache Kafka broker (KRaft, 127.0.0.1 only)',
  builder: (y) =>
    y
      .command({
        command: 'setup',
        describe: `Fetch Kafka ${KAFKA_VERSION} and its dependencies from Maven Central (idempotent); print the lib directory`,
        handler: () => {
          console.log(ensureKafkaInstalled());
        },
      })
      .command<StateArgs>({
        command: 'start',
        describe: 'Start a broker in the background with the topics stats, responsetime, aggregate',
        builder: (yy) =>
          stateOption(yy).option('port', { type: 'number', describe: 'client port (default: a free one)' }),
        handler: async (a) => {
          const args = a as StateArgs & { port?: number };
          const info = await startLocalBroker(args['state-dir'] ?? defaultStateDir(), {
            ...(args.port !== undefined ? { port: args.port } : {}),
            lib: ensureKafkaInstalled(),
          });
          console.log(
            `kafka broker running on ${info.brokers.join(',')} (pid ${info.pid}, data ${info.dir})`,
          );
        },
      })
      .command<StateArgs>({
        command: 'stop',
        describe: 'Stop the background broker and delete its data',
        builder: (yy) => stateOption(yy),
        handler: async (a) => {
          const stopped = await stopLocalBroker(a['state-dir'] ?? defaultStateDir());
          console.log(stopped ? 'kafka broker stopped' : 'no kafka broker was running');
        },
      })
      .command<StateArgs>({
        command: 'status',
        describe: 'Say whether the background broker runs, and where',
        builder: (yy) => stateOption(yy),
        handler: (a) => {
          const s = localBrokerStatus(a['state-dir'] ?? defaultStateDir());
          if (s.running)
            console.log(
              `running on ${s.info.brokers.join(',')} (pid ${s.info.pid}, since ${s.info.startedAt})`,
            );
          else
            console.log(
              s.stale ? 'not running (stale state: `foreshock kafka stop` cleans it up)' : 'not running',
            );
        },
      })
      .demandCommand(1, 'give an action: setup, start, stop or status'),
  handler: () => undefined,
};
