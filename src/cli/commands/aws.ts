// `foreshock aws deploy|status|teardown|replace-host`: the AWS testbed (cfn/foreshock.yaml). Thin
// handlers over src/testbed/aws. Credentials come only from the AWS SDK's default provider chain
// (environment, ~/.aws config/SSO, instance role); foreshock never takes or prints them.
// --endpoint points every client at a local emulator (moto, localstack) instead of AWS.

import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import {
  deployStack,
  resolveRegion,
  stackStatus,
  teardownStack,
  validateStackName,
} from '../../testbed/aws/cloudformation.ts';
import { inventoryFromOutputs, type AwsInventory } from '../../testbed/aws/inventory.ts';
import { replaceHost } from '../../testbed/aws/replace-host.ts';
import { logLine } from '../options.ts';

interface Args {
  'stack-name': string;
  region?: string;
  endpoint?: string;
  'timeout-s': number;
  template: string;
  'key-name'?: string;
  'ssh-cidr'?: string;
  'client-count'?: number;
  'repo-url'?: string;
  'repo-ref'?: string;
  param?: string[];
  role?: string;
}

const common = <T>(y: Argv<T>) =>
  y
    .option('stack-name', { type: 'string', default: 'foreshock', describe: 'CloudFormation stack name' })
    .option('region', {
      type: 'string',
      describe:
        'AWS region (default: the SDK provider chain, i.e. AWS_REGION or the profile; else us-east-1)',
    })
    .option('endpoint', {
      type: 'string',
      describe: 'send every AWS call here instead of AWS, e.g. http://127.0.0.1:5000 for moto or localstack',
    })
    .option('timeout-s', { type: 'number', default: 1800, describe: 'limit for each wait, in seconds' });

/** An IPv4 CIDR that is not the whole internet: SSH to the bastion is opened to exactly this. */
export function checkSshCidr(cidr: string | undefined): string {
  if (cidr === undefined)
    throw new UserError('--ssh-cidr is required (the address range allowed to SSH to the bastion)');
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new UserError(`--ssh-cidr ${cidr}: not an IPv4 CIDR such as 203.0.113.7/32`);
  }
  if (Number(m[5]) === 0) {
    throw new UserError(
      `--ssh-cidr ${cidr}: refusing to open SSH to the whole internet; give your own address/32`,
    );
  }
  return cidr.trim();
}

export function parseParams(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError(`--param ${item}: expected KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function summary(inv: AwsInventory): string {
  return `bastion=${inv.bastion} ${inv.hosts.map((h) => `${h.name}=${h.ip}`).join(' ')}`;
}

async function target(args: Args): Promise<{ region: string; endpoint?: string }> {
  validateStackName(args['stack-name']);
  const region = await resolveRegion(args.region);
  return { region, ...(args.endpoint ? { endpoint: args.endpoint } : {}) };
}

export const awsCommand: CommandModule = {
  command: 'aws',
  describe: 'Deploy, inspect, tear down the AWS testbed stack, or replace one of its hosts',
  builder: (y) =>
    y
      .command<Args>({
        command: 'deploy',
        describe: 'Create the stack, or update it if it exists (waits; progress on stderr)',
        builder: (yy) =>
          common(yy)
            .option('template', { type: 'string', default: 'cfn/foreshock.yaml', describe: 'template file' })
            .option('key-name', { type: 'string', describe: 'EC2 key pair name (parameter KeyName)' })
            .option('ssh-cidr', {
              type: 'string',
              describe: 'required: the IPv4 CIDR allowed to SSH to the bastion (0.0.0.0/0 is refused)',
            })
            .option('client-count', {
              type: 'number',
              describe: 'client hosts, 1..5 (parameter ClientCount)',
            })
            .option('repo-url', { type: 'string', describe: 'git URL the hosts clone foreshock from' })
            .option('repo-ref', { type: 'string', describe: 'git ref the hosts check out' })
            .option('param', {
              type: 'string',
              array: true,
              describe: 'any template parameter, KEY=VALUE (repeatable), e.g. ImageId=ami-...',
            }) as Argv<Args>,
        handler: async (args) => {
          const parameters: Record<string, string> = { SshCidr: checkSshCidr(args['ssh-cidr']) };
          if (args['key-name'] !== undefined) parameters.KeyName = args['key-name'];
          if (args['client-count'] !== undefined) {
            const n = args['client-count'];
            if (!Number.isInteger(n) || n < 1 || n > 5)
              throw new UserError(`--client-count ${n}: must be 1..5`);
            parameters.ClientCount = String(n);
          }
          if (args['repo-url'] !== undefined) parameters.RepoUrl = args['repo-url'];
          if (args['repo-ref'] !== undefined) parameters.RepoRef = args['repo-ref'];
          Object.assign(parameters, parseParams(args.param));
          let templateBody: string;
          try {
            templateBody = readFileSync(args.template, 'utf8');
          } catch (err) {
            throw new UserError(
              `--template ${args.template}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
            );
          }
          const t = await target(args);
          const r = await deployStack({
            ...t,
            stackName: args['stack-name'],
            templateBody,
            parameters,
            timeoutS: args['timeout-s'],
            log: logLine,
          });
          logLine(`stack ${r.stackName}: ${r.action} (${r.status}) in ${t.region}`);
          console.log(JSON.stringify(r, null, 2));
        },
      })
      .command<Args>({
        command: 'status',
        describe: 'Print the stack status, outputs and host inventory as JSON on stdout (summary on stderr)',
        builder: (yy) => common(yy) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const st = await stackStatus({ ...t, stackName: args['stack-name'] });
          if (!st) throw new UserError(`stack ${args['stack-name']} does not exist in ${t.region}`);
          let inventory: AwsInventory | null = null;
          let inventoryError: string | undefined;
          try {
            inventory = inventoryFromOutputs(args['stack-name'], st.outputs);
          } catch (err) {
            // A stack still creating has no outputs yet: report the status, not a failure.
            inventoryError = (err as Error).message;
          }
          console.log(
            JSON.stringify(
              { stackName: args['stack-name'], region: t.region, ...st, inventory, inventoryError },
              null,
              2,
            ),
          );
          logLine(
            `stack ${args['stack-name']}: ${st.status}` +
              (inventory ? ` ${summary(inventory)}` : ` (no inventory: ${inventoryError})`),
          );
        },
      })
      .command<Args>({
        command: 'teardown',
        describe: 'Delete the stack, then terminate any instance still tagged with it (e.g. replacements)',
        builder: (yy) => common(yy) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const r = await teardownStack({
            ...t,
            stackName: args['stack-name'],
            timeoutS: args['timeout-s'],
            log: logLine,
          });
          logLine(
            `stack ${r.stackName}: ${r.stackDeleted ? 'deleted' : 'did not exist'}; ` +
              `terminated ${r.terminated.length} other tagged instance(s)` +
              (r.terminated.length > 0 ? `: ${r.terminated.join(', ')}` : ''),
          );
        },
      })
      .command<Args>({
        command: 'replace-host',
        describe:
          'Launch a new instance for a role from the stack launch template, then terminate the old one (prints timings)',
        builder: (yy) =>
          common(yy).option('role', {
            type: 'string',
            demandOption: true,
            describe: 'web, db, kafka, analysis or client (exactly one running instance of it)',
          }) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const r = await replaceHost({
            ...t,
            stackName: args['stack-name'],
            role: args.role ?? '',
            timeoutS: args['timeout-s'],
            log: logLine,
          });
          console.log(JSON.stringify(r, null, 2));
        },
      })
      .demandCommand(1, 'give deploy, status, teardown or replace-host'),
  handler: () => undefined,
};
