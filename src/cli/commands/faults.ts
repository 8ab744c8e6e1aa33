// `foreshock faults list|inject|revert|status|cleanup|effect` (docs/faults.md). Thin: parsing and printing;
// the work is in src/faults. On the local testbed commands go over SSH to the host (`testbed up
// --ssh`); on the embedded stack (`--stack embedded`) they run as local processes.

import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { effectCommand } from './fault-effect.ts';
import { cleanupFaults, faultStatus, injectFault, revertFault } from '../../faults/injector.ts';
import { FAULT_PARAM_DOCS, FAULT_TYPES, validateFaultSpec } from '../../faults/spec.ts';
import { LocalTransport, testbedTransport, type HostTransport } from '../../faults/transport.ts';
import { embeddedFaultDir } from '../../stack/embedded.ts';
import { testbedFaultDir } from '../../stack/local.ts';
import { DEFAULT_STATE_DIR, readInventory } from '../../testbed/local/index.ts';

interface Common {
  stack: string;
  host: string;
  'state-dir': string;
}

function withTarget<T>(y: Argv<T>): Argv<T & Common> {
  return y
    .option('stack', {
      type: 'string',
      choices: ['local', 'embedded'],
      default: 'local',
      describe: 'local: a testbed host over SSH; embedded: this machine',
    })
    .option('host', { type: 'string', demandOption: true, describe: 'target host (e.g. db)' })
    .option('state-dir', {
      type: 'string',
      default: DEFAULT_STATE_DIR,
      describe: "the testbed's state directory (--stack local)",
    }) as Argv<T & Common>;
}

async function target(a: Common): Promise<{ transport: HostTransport; dir: string }> {
  if (a.stack === 'embedded') {
    return { transport: new LocalTransport(a.host), dir: embeddedFaultDir(a.host) };
  }
  const inv = readInventory(a['state-dir']);
  if (!inv)
    throw new UserError(`faults: no testbed in ${a['state-dir']} (run \`foreshock testbed up --ssh\`)`);
  const transport = await testbedTransport(a['state-dir'], a.host);
  return { transport, dir: testbedFaultDir(a['state-dir'], inv) };
}

/** `--param k=v` values: numbers and booleans are parsed, the rest stay strings. */
function parseParams(list: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of list) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UserError(`--param ${p}: expected name=value`);
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    out[k] =
      v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

const list: CommandModule<object, object> = {
  command: 'list',
  describe: 'The fault types and their parameters (ranges, defaults)',
  handler: () => {
    for (const type of FAULT_TYPES) {
      const d = FAULT_PARAM_DOCS[type];
      console.log(`${type}: ${d.doc}`);
      for (const [name, p] of Object.entries(d.params)) {
        const def = p.default === undefined ? '' : ` (default ${String(p.default)})`;
        console.log(`  ${name.padEnd(10)} ${p.range}${def}: ${p.doc}`);
      }
    }
  },
};

interface InjectArgs extends Common {
  type: string;
  param: string[];
  id?: string;
}

const inject: CommandModule<object, InjectArgs> = {
  command: 'inject',
  describe: 'Start a fault on a host; it reverts itself after durationS',
  builder: (y) =>
    withTarget(y)
      .option('type', { type: 'string', demandOption: true, describe: FAULT_TYPES.join(' | ') })
      .option('param', {
        type: 'string',
        array: true,
        default: [],
        describe: 'a parameter name=value (repeat); see `foreshock faults list`',
      })
      .option('id', { type: 'string', describe: 'fault id (default: <type>-<time>)' })
      .example('$0 faults inject --host db --type memleak --param mibPerS=5 --param durationS=120', '')
      .example('$0 faults inject --stack embedded --host db --type cpuhog --param percent=50', ''),
  handler: async (a) => {
    const spec = validateFaultSpec({ type: a.type, ...parseParams(a.param) }, 'fault');
    const { transport, dir } = await target(a);
    try {
      const id = a.id ?? `${spec.type}-${Date.now().toString(36)}`;
      const f = await injectFault(transport, dir, id, spec);
      console.log(
        `${f.id}: ${spec.type} on ${f.host} (pid ${f.pid}) until ${new Date(f.expiresAt).toISOString()}`,
      );
    } finally {
      await transport.close();
    }
  },
};

interface RevertArgs extends Common {
  id: string;
}

const revert: CommandModule<object, RevertArgs> = {
  command: 'revert <id>',
  describe: 'End a running fault now',
  builder: (y) => withTarget(y).positional('id', { type: 'string', demandOption: true }),
  handler: async (a) => {
    const { transport, dir } = await target(a);
    try {
      const was = await revertFault(transport, dir, a.id);
      console.log(was ? `${a.id}: reverted` : `${a.id}: was not running on ${a.host}`);
    } finally {
      await transport.close();
    }
  },
};

const status: CommandModule<object, Common> = {
  command: 'status',
  describe: 'The faults running on a host',
  builder: (y) => withTarget(y),
  handler: async (a) => {
    const { transport, dir } = await target(a);
    try {
      const rows = await faultStatus(transport, dir);
      if (rows.length === 0) console.log(`no faults on ${a.host}`);
      for (const r of rows) console.log(JSON.stringify(r));
    } finally {
      await transport.close();
    }
  },
};

const cleanup: CommandModule<object, Common> = {
  command: 'cleanup',
  describe: 'Revert every fault on a host and remove what killed faults left (files, nft tables)',
  builder: (y) => withTarget(y),
  handler: async (a) => {
    const { transport, dir } = await target(a);
    try {
      console.log(JSON.stringify(await cleanupFaults(transport, dir)));
    } finally {
      await transport.close();
    }
  },
};

export const faultsCommand: CommandModule<object, object> = {
  builder: (y) =>
    y
      .command(list)
      .command(inject)
      .command(revert)
      .command(status)
      .command(cleanup)
      .command(effectCommand)
      .demandCommand(1, 'give a faults command: list, inject, revert, status, cleanup, effect'),
  handler: () => undefined,
};
