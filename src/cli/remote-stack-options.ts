// Options of the commands that bring a stack up (experiment, record, live) for the stacks made of
// machines reached over SSH: `--stack remote --remote-spec FILE`, or `--stack aws` with the
// deployed CloudFormation stack's name and the private key of its key pair.

import type { Argv } from 'yargs';
import { UserError } from '../core/errors.ts';
import type { RemoteStackSpec } from '../stack/remote-spec.ts';
import type { SessionStack } from '../stack/session.ts';

export interface RemoteStackArgs {
  'remote-spec'?: string;
  'aws-stack-name': string;
  'aws-region'?: string;
  'aws-endpoint'?: string;
  'ssh-key'?: string;
  'known-hosts'?: string;
  'ssh-user'?: string;
}

/** Their help group, listed after the command's own options (most runs use neither). */
export const REMOTE_STACK_GROUP = 'With --stack remote or aws:';

export function remoteStackOptions<T>(y: Argv<T>): Argv<T & RemoteStackArgs> {
  return (
    y
      // Groups are listed in the order they are first named: name the common one first.
      .group([], 'Positionals:')
      .group([], 'Options:')
      .option('remote-spec', {
        type: 'string',
        describe: 'with --stack remote: JSON file naming the hosts and how to reach them (docs/aws.md)',
      })
      .option('aws-stack-name', {
        type: 'string',
        default: 'foreshock',
        describe: 'with --stack aws: the CloudFormation stack `foreshock aws deploy` made',
      })
      .option('aws-region', { type: 'string', describe: "with --stack aws: its region (default: the SDK's)" })
      .option('aws-endpoint', { type: 'string', describe: 'with --stack aws: an emulator endpoint (tests)' })
      .option('ssh-key', {
        type: 'string',
        describe: "with --stack aws: the private key of the stack's EC2 key pair (never printed)",
      })
      .option('known-hosts', {
        type: 'string',
        describe: 'with --stack aws: pinned host keys (default: what `foreshock aws known-hosts` wrote)',
      })
      .option('ssh-user', {
        type: 'string',
        describe: 'with --stack aws: login user (default: admin)',
      })
      .group(
        ['remote-spec', 'aws-stack-name', 'aws-region', 'aws-endpoint', 'ssh-key', 'known-hosts', 'ssh-user'],
        REMOTE_STACK_GROUP,
      ) as Argv<T & RemoteStackArgs>
  );
}

/** The remote stack spec for `stack`, or undefined for the stacks that need none. */
export async function resolveRemoteSpec(
  stack: SessionStack,
  args: RemoteStackArgs,
): Promise<RemoteStackSpec | undefined> {
  if (stack === 'remote') {
    if (!args['remote-spec']) throw new UserError('--stack remote needs --remote-spec FILE');
    return (await import('../stack/remote-spec.ts')).readRemoteSpec(args['remote-spec']);
  }
  if (stack === 'aws') {
    if (!args['ssh-key'])
      throw new UserError("--stack aws needs --ssh-key FILE (the private key of the stack's key pair)");
    // The AWS SDK loads only for --stack aws.
    const { awsRemoteSpec } = await import('../testbed/aws/remote-spec.ts');
    return awsRemoteSpec({
      stackName: args['aws-stack-name'],
      privateKeyFile: args['ssh-key'],
      ...(args['known-hosts'] ? { knownHostsFile: args['known-hosts'] } : {}),
      ...(args['ssh-user'] ? { username: args['ssh-user'] } : {}),
      ...(args['aws-region'] ? { region: args['aws-region'] } : {}),
      ...(args['aws-endpoint'] ? { endpoint: args['aws-endpoint'] } : {}),
    });
  }
  return undefined;
}
