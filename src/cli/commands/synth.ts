import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.ts';
import type { Dataset } from '../../core/dataset.ts';
import type { MicroserviceFault } from '../../sim/microservices.ts';
import { SYNTH_FAULT_TYPES, type SynthFaultType } from '../../sim/synth/faults.ts';
import { logLine, overwriteOption, refuseExisting, type OverwriteArgs } from '../options.ts';

const MICRO_FAULTS = ['cpu', 'mem'] as const;

interface Args extends OverwriteArgs {
  model: string;
  hosts: number;
  fault?: string;
  seed: number;
  duration?: number;
  'fault-host'?: string;
  services: number;
  faults: number;
  'back-pressure': boolean;
  noise: number;
  out: string;
}

/** The per-service model (src/sim/microservices.ts): RCAEval-like cases with a dependency graph. */
async function microDataset(args: Args): Promise<Dataset> {
  const fault = args.fault ?? 'cpu';
  if (!(MICRO_FAULTS as readonly string[]).includes(fault)) {
    throw new ConfigError(`--fault: the micro model injects ${MICRO_FAULTS.join(' or ')}, got ${fault}`);
  }
  if (args['fault-host'] !== undefined) throw new ConfigError('--fault-host: not used by the micro model');
  if (args.faults !== 1 && args.faults !== 2)
    throw new ConfigError(`--faults: must be 1 or 2, got ${args.faults}`);
  const { microserviceCase } = await import('../../sim/microservices.ts');
  return microserviceCase({
    seed: args.seed,
    fault: fault as MicroserviceFault,
    services: args.services,
    faults: args.faults,
    backPressure: args['back-pressure'],
    noise: args.noise,
    ...(args.duration !== undefined
      ? { seconds: args.duration, faultAtS: Math.round(0.75 * args.duration) }
      : {}),
  });
}

async function rubisDataset(args: Args): Promise<Dataset> {
  for (const [flag, used] of [
    ['faults', args.faults !== 1],
    ['back-pressure', args['back-pressure']],
    ['noise', args.noise !== 1],
  ] as const) {
    if (used) throw new ConfigError(`--${flag}: only for --model micro`);
  }
  const { synthesize } = await import('../../sim/synth/index.ts');
  return synthesize({
    hosts: args.hosts,
    fault: (args.fault ?? 'memleak') as SynthFaultType,
    seed: args.seed,
    ...(args.duration !== undefined ? { durationS: args.duration } : {}),
    ...(args['fault-host'] !== undefined ? { faultHost: args['fault-host'] } : {}),
  });
}

export const synthCommand: CommandModule<object, Args> = {
  builder: (y) =>
    overwriteOption(y, 'the dataset in --out')
      .option('model', {
        type: 'string',
        choices: ['rubis', 'micro'],
        default: 'rubis',
        describe:
          'rubis: a multi-tier service with UBL-style host metrics and an SLO; micro: 1 s per-service CPU, memory and latency with a dependency graph (src/sim/microservices.ts)',
      })
      .option('hosts', {
        type: 'number',
        default: 5,
        describe: 'rubis: number of hosts on the call graph (>= 2)',
      })
      .option('fault', {
        type: 'string',
        choices: [...(SYNTH_FAULT_TYPES as readonly string[]), ...MICRO_FAULTS],
        describe: 'fault to inject (rubis: default memleak, none = control run; micro: cpu (default) or mem)',
      })
      .option('seed', {
        type: 'number',
        default: 1,
        describe: 'seed: the same seed gives byte-identical data',
      })
      .option('duration', {
        type: 'number',
        describe: 'run length in seconds (rubis default 1800; micro default 1200, fault at 75 %)',
      })
      .option('fault-host', {
        type: 'string',
        describe: 'rubis: host to inject into (default: a back-end host chosen by the seed)',
      })
      .option('services', { type: 'number', default: 13, describe: 'micro: services (2-100)' })
      .option('faults', {
        type: 'number',
        default: 1,
        describe: 'micro: 1, or 2 (a second fault of the other type on another service 5-29 s later)',
      })
      .option('back-pressure', {
        type: 'boolean',
        default: false,
        describe: "micro: the culprit's callers' latency moves 15-34 s before the culprit's own metrics",
      })
      .option('noise', { type: 'number', default: 1, describe: 'micro: noise multiplier (e.g. 2 or 3)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output dataset directory' })
      .example('$0 synth --hosts 5 --fault memleak --seed 1 --out datasets/my-memleak', '')
      .example(
        '$0 synth --model micro --services 30 --fault cpu --back-pressure --noise 2 --seed 1 --out d',
        '',
      ),
  handler: async (args) => {
    // Arrow and the generators load when the command runs, not for --help.
    const { MANIFEST_FILE, writeDataset } = await import('../../data/dataset-io.ts');
    refuseExisting([join(args.out, MANIFEST_FILE)], args.overwrite);
    const dataset = await (args.model === 'micro' ? microDataset(args) : rubisDataset(args));
    writeDataset(args.out, dataset);
    const faults = dataset.manifest.faults;
    logLine(
      `wrote ${args.out}: ${dataset.manifest.hosts.length} hosts x ${Math.round((dataset.manifest.end - dataset.manifest.start) / 1000)} s` +
        (faults.length > 0
          ? `, ${faults.map((f) => `${f.type} on ${f.host}`).join(' and ')}`
          : ', no fault (control run)'),
    );
  },
};
