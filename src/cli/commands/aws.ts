// `foreshock aws deploy|status|teardown|replace-host|known-hosts`: the AWS testbed (cfn/foreshock.yaml). Thin
// handlers over src/testbed/aws. Credentials come only from the AWS SDK's default provider chain
// (environment, ~/.aws config/SSO, instance role); foreshock never takes or prints them.
// --endpoint points every client at a local emulator (moto, localstack) instead of AWS.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { atomicWrite } from '../../data/dataset-io.ts';
import {
  STACK_TAG,
  createEc2Client,
  deployStack,
  resolveRegion,
  runningTaggedInstances,
  stackStatus,
  teardownStack,
  validateStackName,
} from '../../testbed/aws/cloudformation.ts';
import { inventoryFromOutputs, type AwsInventory } from '../../testbed/aws/inventory.ts';
import { checkSgRole, replaceHost, type ReplaceHostOptions } from '../../testbed/aws/replace-host.ts';
import { setupFinishedProbe } from '../../testbed/aws/health.ts';
import { readLiveInventory, type LiveHostSource } from '../../testbed/aws/live-inventory.ts';
import { defaultKnownHostsFile } from '../../testbed/aws/remote-spec.ts';
import { sshConfigText } from '../../testbed/aws/ssh-config.ts';
import { AWS_SSH_USER } from '../../testbed/aws/user-data.ts';
import {
  collectHostKeys,
  knownHostsTargets,
  KNOWN_HOSTS_MODES,
  renderKnownHosts,
} from '../../testbed/aws/host-keys.ts';
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
  out?: string;
  'ssh-key'?: string;
  'known-hosts'?: string;
  'ssh-user'?: string;
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

/** The deployed stack's inventory from its outputs; a missing stack is a user error. */
async function deployedInventory(
  t: { region: string; endpoint?: string },
  stackName: string,
): Promise<AwsInventory> {
  const st = await stackStatus({ ...t, stackName });
  if (!st) throw new UserError(`stack ${stackName} does not exist in ${t.region} (deploy it first)`);
  return inventoryFromOutputs(stackName, st.outputs);
}

function staleSummary(changed: readonly LiveHostSource[]): string {
  return changed
    .map((h) => `${h.name} output ${h.outputIp}, live ${h.ip} (${h.instanceId ?? '?'})`)
    .join('; ');
}

const KNOWN_HOSTS_HELP = [
  'Why: SSH to the testbed is key-only with PINNED host keys. A fresh instance has a host key nobody knows',
  'in advance, and accepting whatever key answers first (trust on first use) lets a man in the middle in.',
  "cloud-init prints each instance's host public keys to its serial console, between the lines",
  '-----BEGIN SSH HOST KEY KEYS----- and -----END SSH HOST KEY KEYS-----; EC2 GetConsoleOutput returns that',
  'console over the authenticated AWS API, not over the network being trusted. This command reads them and',
  'writes a known_hosts file (the bastion at its public IP, every private host at its private IP), so the',
  'first SSH connection is already verified.',
  '',
  'The keys appear a few minutes after boot: the command polls until every running instance of the stack',
  'has them, up to --timeout-s, then fails (retriable, exit 3) naming the instances without keys and writes',
  'nothing. The file is written whole (temporary file + rename), mode 0600. Only public keys are handled.',
].join('\n');

export const awsCommand: CommandModule = {
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
          logLine(
            `note: the stack bills by the hour while it exists (its instances, the NAT gateway, the public IP): \`foreshock aws teardown --stack-name ${r.stackName}\` when done`,
          );
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
          let changed: LiveHostSource[] = [];
          try {
            // The outputs, with each host at the running instance tagged for it (after replace-host
            // the outputs are stale).
            const live = await readLiveInventory(
              createEc2Client(t),
              inventoryFromOutputs(args['stack-name'], st.outputs),
            );
            inventory = live.inventory;
            changed = live.changed;
          } catch (err) {
            // A stack still creating has no outputs yet, a replacement in progress has two instances
            // for one host: report the status, not a failure.
            if (!(err instanceof UserError)) throw err;
            inventoryError = err.message;
          }
          const staleOutputs = changed.map((h) => ({
            host: h.name,
            outputIp: h.outputIp,
            liveIp: h.ip,
            instanceId: h.instanceId,
          }));
          console.log(
            JSON.stringify(
              {
                stackName: args['stack-name'],
                region: t.region,
                ...st,
                inventory,
                inventoryError,
                staleOutputs,
              },
              null,
              2,
            ),
          );
          logLine(
            `stack ${args['stack-name']}: ${st.status}` +
              (inventory ? ` ${summary(inventory)}` : ` (no inventory: ${inventoryError})`) +
              (changed.length > 0 ? ` (outputs stale after replace-host: ${staleSummary(changed)})` : ''),
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
          common(yy)
            .option('role', {
              type: 'string',
              demandOption: true,
              describe: 'web, db, kafka, analysis or client (exactly one running instance of it)',
            })
            .option('ssh-key', {
              type: 'string',
              describe:
                "health check: the key pair's private key; wait (over SSH through the bastion) until the new host's setup has finished",
            })
            .option('known-hosts', {
              type: 'string',
              describe:
                "with --ssh-key: known_hosts pinning the bastion; the new host's keys are added (default ~/.foreshock/aws/<stack>/known_hosts)",
            })
            .option('ssh-user', {
              type: 'string',
              describe: 'with --ssh-key: login user (default admin)',
            }) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const stackName = args['stack-name'];
          const role = checkSgRole(args.role ?? '');
          const ec2 = createEc2Client(t);
          let health: Pick<ReplaceHostOptions, 'healthy' | 'healthPollMs'> = {};
          if (args['ssh-key'] !== undefined) {
            const inv = await deployedInventory(t, stackName);
            health = {
              healthy: setupFinishedProbe({
                role,
                bastion: inv.bastion,
                privateKeyFile: args['ssh-key'],
                knownHostsFile: args['known-hosts'] ?? defaultKnownHostsFile(stackName),
                ...(args['ssh-user'] !== undefined ? { username: args['ssh-user'] } : {}),
                ec2,
                log: logLine,
              }),
              healthPollMs: 10_000,
            };
          } else {
            logLine(
              `${role}: the health check is only "instance running" (pass --ssh-key to wait until the new host's setup has finished)`,
            );
          }
          const r = await replaceHost({
            ...t,
            stackName,
            role,
            timeoutS: args['timeout-s'],
            ...health,
            clients: { ec2 },
            log: logLine,
          });
          logLine(
            `${role}: now served by ${r.newId} at ${r.newIp}; the stack outputs keep the old address, ` +
              '`aws status` and `--stack aws` use the live one',
          );
          console.log(JSON.stringify(r, null, 2));
        },
      })
      .command<Args>({
        command: 'known-hosts',
        describe: "Pin the hosts' SSH host keys from their EC2 consoles into a known_hosts file",
        builder: (yy) =>
          common(yy)
            .usage('$0 aws known-hosts [--out FILE]')
            .epilog(KNOWN_HOSTS_HELP)
            .option('timeout-s', {
              type: 'number',
              default: 600,
              describe: 'how long to wait for every console to show its host keys, in seconds',
            })
            .option('out', {
              type: 'string',
              describe: 'known_hosts file to write (default ~/.foreshock/aws/<stack>/known_hosts, mode 0600)',
            }) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const stackName = args['stack-name'];
          const inv = await deployedInventory(t, stackName);
          const ec2 = createEc2Client(t);
          const instances = await runningTaggedInstances(ec2, stackName);
          if (instances.length === 0) {
            throw new UserError(`stack ${stackName}: no running instances tagged ${STACK_TAG}=${stackName}`);
          }
          const targets = knownHostsTargets(inv, instances, logLine);
          const timeoutS = args['timeout-s'];
          if (!Number.isFinite(timeoutS) || timeoutS < 0)
            throw new UserError(`--timeout-s ${timeoutS}: must be a number of seconds >= 0`);
          const collected = await collectHostKeys(ec2, targets, { timeoutMs: timeoutS * 1000, log: logLine });
          const file = args.out ?? defaultKnownHostsFile(stackName);
          try {
            atomicWrite(file, renderKnownHosts(collected), KNOWN_HOSTS_MODES);
          } catch (err) {
            throw new UserError(
              `--out ${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
            );
          }
          for (const { instance, keys } of collected) {
            logLine(
              `${instance.role} ${instance.id} ${instance.address}: pinned ${keys.length} key(s) (${keys.map((k) => k.type).join(', ')})`,
            );
          }
          logLine(`wrote ${file} (${collected.length} host(s))`);
        },
      })
      .command<Args>({
        command: 'ssh-config',
        describe:
          'Print an OpenSSH client config for the stack (every host through the bastion, keys pinned)',
        builder: (yy) =>
          common(yy)
            .usage('$0 aws ssh-config --ssh-key FILE [--known-hosts FILE] > stack.conf; ssh -F stack.conf db')
            .option('ssh-key', {
              type: 'string',
              demandOption: true,
              describe: "the private key of the stack's key pair (its path is printed, never its content)",
            })
            .option('known-hosts', {
              type: 'string',
              describe:
                'pinned host keys (default ~/.foreshock/aws/<stack>/known_hosts, from `aws known-hosts`)',
            })
            .option('ssh-user', {
              type: 'string',
              describe: `login user (default ${AWS_SSH_USER})`,
            }) as Argv<Args>,
        handler: async (args) => {
          const t = await target(args);
          const stackName = args['stack-name'];
          const live = await readLiveInventory(createEc2Client(t), await deployedInventory(t, stackName));
          const knownHosts = path.resolve(args['known-hosts'] ?? defaultKnownHostsFile(stackName));
          if (!existsSync(knownHosts))
            throw new UserError(
              `no pinned host keys at ${knownHosts}: run \`foreshock aws known-hosts\` first`,
            );
          process.stdout.write(
            sshConfigText(live.inventory, {
              privateKeyFile: path.resolve(args['ssh-key']!),
              knownHostsFile: knownHosts,
              ...(args['ssh-user'] !== undefined ? { username: args['ssh-user'] } : {}),
            }),
          );
        },
      })
      .demandCommand(1, 'give deploy, status, teardown, replace-host, known-hosts or ssh-config'),
  handler: () => undefined,
};
