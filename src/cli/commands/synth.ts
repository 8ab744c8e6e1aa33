import type { CommandModule } from 'yargs';
import { writeDataset } from '../../data/dataset-io.ts';
import { SYNTH_FAULT_TYPES, synthesize, type SynthFaultType } from '../../sim/synth/index.ts';
import { logLine } from '../options.ts';

interface Args {
  hosts: number;
  fault: string;
  seed: number;
  duration?: number;
  'fault-host'?: string;
  out: string;
}

export const synthCommand: CommandModule<object, Args> = {
  command: 'synth',
  describe: 'Generate a deterministic synthetic multi-host dataset with an injected fault',
  builder: (y) =>
    y
      .option('hosts', { type: 'number', default: 5, describe: 'number of hosts on the call graph (>= 2)' })
      .option('fault', {
        type: 'string',
        choices: SYNTH_FAULT_TYPES as unknown as string[],
        default: 'memleak',
        describe: 'fault to inject (none = control run)',
      })
      .option('seed', {
        type: 'number',
        default: 1,
        describe: 'seed: the same seed gives byte-identical data',
      })
      .option('duration', { type: 'number', describe: 'run length in seconds (default 1800)' })
      .option('fault-host', {
        type: 'string',
        describe: 'host to inject into (default: a back-end host chosen by the seed)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'output dataset directory' })
      .example('$0 synth --hosts 5 --fault memleak --seed 1 --out datasets/my-memleak', ''),
  handler: (args) => {
    const dataset = synthesize({
      hosts: args.hosts,
      fault: args.fault as SynthFaultType,
      seed: args.seed,
      ...(args.duration !== undefined ? { durationS: args.duration } : {}),
      ...(args['fault-host'] !== undefined ? { faultHost: args['fault-host'] } : {}),
    });
    writeDataset(args.out, dataset);
    const f = dataset.manifest.faults[0];
    logLine(
      `wrote ${args.out}: ${dataset.manifest.hosts.length} hosts x ${Math.round((dataset.manifest.end - dataset.manifest.start) / 1000)} s` +
        (f ? `, ${f.type} on ${f.host}` : ', no fault (control run)'),
    );
  },
};
