import type { CommandModule } from 'yargs';
import { readDataset } from '../../data/dataset-io.ts';

export const validateCommand: CommandModule<object, { dataset: string }> = {
  builder: (y) =>
    y.positional('dataset', { type: 'string', demandOption: true, describe: 'dataset directory' }),
  handler: (args) => {
    const d = readDataset(args.dataset);
    const m = d.manifest;
    console.log(
      `${args.dataset}: ok (${m.format}, ${d.metrics.time.length} rows, ${m.hosts.length} host(s), ` +
        `${m.metrics.length} metric(s), ${m.faults.length} fault(s), slo ${m.slo ? `${m.slo.signal} >= ${m.slo.threshold}` : 'none'})`,
    );
  },
};
