// `foreshock kafka setup|start|stop|status`: the local Apache Kafka broker (KRaft) the live
// pipeline publishes to. Thin handlers over src/telemetry/kafka (see docs/kafka.md).

import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
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

/**
 * `--bind`: a dotted IPv4 address of this machine that clients can dial (the broker listens on it
 * and advertises it): any 127.x.y.z (Linux routes all of 127/8 to lo), or an address of one of the
 * machine's interfaces. 0.0.0.0 cannot be advertised, and a foreign address would only make the JVM
 * fail to bind after the readiness timeout, so both are refused up front.
 */
export function validateBindAddress(
  text: string,
  local: () => string[] = () =>
    Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => a.family === 'IPv4')
      .map((a) => a.address),
): string {
  if (!isIPv4(text)) throw new UserError(`kafka start: --bind must be a dotted IPv4 address, got "${text}"`);
  if (text === '0.0.0.0')
    throw new UserError(
      'kafka start: --bind 0.0.0.0 cannot be advertised to clients: give one address of this machine',
    );
  if (!text.startsWith('127.') && !local().includes(text))
    throw new UserError(`kafka start: --bind ${text} is not an address of this machine (see \`ip -4 addr\`)`);
  return text;
}

export const kafkaCommand: CommandModule = {
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
          stateOption(yy)
            .option('port', { type: 'number', describe: 'client port (default: a free one)' })
            .option('bind', {
              type: 'string',
              default: '127.0.0.1',
              describe:
                'IPv4 address the broker listens on and advertises: the one clients dial (e.g. the private IP of the AWS kafka host)',
            }),
        handler: async (a) => {
          const args = a as StateArgs & { port?: number; bind?: string };
          const bindHost = validateBindAddress(args.bind ?? '127.0.0.1');
          const info = await startLocalBroker(args['state-dir'] ?? defaultStateDir(), {
            ...(args.port !== undefined ? { port: args.port } : {}),
            lib: ensureKafkaInstalled(),
            bindHost,
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
