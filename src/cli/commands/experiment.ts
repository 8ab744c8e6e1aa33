// `npm run experiment -- <name>`: until the experiment runner (testbed + real fault injection)
// exists, this replays a synthetic run of the named fault through every algorithm and scores it.
// It says so on every run, so nobody mistakes these numbers for testbed measurements. It then writes
// the HTML report <report-dir>/<name>.html (and <name>.best.json) and prints its path.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { atomicWrite, readDataset } from '../../data/dataset-io.ts';
import { formatResults, runReplayJob } from '../../runner/replay-job.ts';
import { datasetFilesHash, sha256Hex, withDatasetPath, writeReport } from '../../report/index.ts';
import { SYNTH_FAULT_TYPES, synthesize, type SynthFaultType } from '../../sim/synth/index.ts';
import { logLine } from '../options.ts';
import { printSummary } from '../summary.ts';

interface Args {
  name: string;
  out: string;
  seed: number;
  'report-dir': string;
}

/** Scenario name -> synthetic fault. `control` is the no-fault run. */
const SCENARIOS: Record<string, SynthFaultType> = Object.fromEntries([
  ...SYNTH_FAULT_TYPES.filter((f) => f !== 'none').map((f) => [f, f]),
  ['control', 'none'],
]);

/** Shipped datasets (committed under datasets/) are used as they are; others are generated. */
export const SHIPPED_SEED = 1;
export const SHIPPED_HOSTS = 5;

export const experimentCommand: CommandModule<object, Args> = {
  command: 'experiment <name>',
  describe: 'Run an experiment scenario end to end (for now: replay of a synthetic run; see README)',
  builder: (y) =>
    y
      .positional('name', {
        type: 'string',
        demandOption: true,
        describe: `scenario: ${Object.keys(SCENARIOS).join(', ')}`,
      })
      .option('out', { type: 'string', default: 'runs', describe: 'directory for <name>/results.json' })
      .option('seed', { type: 'number', default: SHIPPED_SEED, describe: 'seed of the synthetic run' })
      .option('report-dir', {
        type: 'string',
        default: 'reports',
        describe: 'directory for the HTML report <name>.html and <name>.best.json',
      })
      .example(
        '$0 experiment memleak',
        'replay the shipped synthetic memory-leak run through every algorithm',
      ),
  handler: async (args) => {
    const fault = SCENARIOS[args.name];
    if (!fault)
      throw new UserError(`unknown experiment "${args.name}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
    logLine(
      'note: the experiment runner (testbed, real fault injection) is not built yet; ' +
        'this replays a synthetic run of the same fault through every algorithm.',
    );
    const shipped = join('datasets', `synth-${args.name}`);
    const useShipped = args.seed === SHIPPED_SEED && existsSync(join(shipped, 'manifest.json'));
    const dataset = useShipped
      ? readDataset(shipped)
      : synthesize({
          hosts: SHIPPED_HOSTS,
          fault,
          seed: args.seed,
          name: `synth-${args.name}-s${args.seed}`,
        });
    logLine(
      useShipped
        ? `dataset: ${shipped} (shipped)`
        : `dataset: ${dataset.manifest.name} (generated, seed ${args.seed})`,
    );
    const results = runReplayJob(dataset, null, { log: logLine });
    const dir = join(args.out, args.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'results.json');
    // A generated dataset exists only in memory: its results record no path.
    const written = useShipped ? withDatasetPath(results, shipped) : results;
    const text = formatResults(written);
    atomicWrite(file, text);
    printSummary(results);
    console.log(`results: ${file}`);
    const report = await writeReport(
      [
        {
          label: args.name,
          resultsFile: file,
          resultsSha256: sha256Hex(text),
          results: written,
          dataset,
          datasetDir: useShipped ? shipped : null,
          datasetSha256: useShipped ? datasetFilesHash(shipped) : null,
          datasetNote: null,
        },
      ],
      join(args['report-dir'], `${args.name}.html`),
    );
    for (const w of report.warnings) logLine(`warning: ${w}`);
    console.log(`report: ${report.htmlFile}`);
  },
};
