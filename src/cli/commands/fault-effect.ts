// `foreshock faults effect <dataset..>`: what each recorded fault did to the service, as the table
// in docs/faults.md, and whether it "bites" by issue 18's criteria (src/runner/experiment/effect.ts).
// Thin: printing; the rows and verdicts come from src/runner/experiment/effect-summary.ts.

import path from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../core/errors.ts';
import { BITE_CRITERIA } from '../../runner/experiment/effect.ts';
import {
  effectRow,
  effectSummary,
  summaryPasses,
  type EffectRow,
} from '../../runner/experiment/effect-summary.ts';

/** A dataset's short name: its directory, or for an experiment's `<name>/rep-<i>/dataset`, `<name>/rep-<i>`. */
function runName(dir: string): string {
  const parts = path.resolve(dir).split(path.sep);
  return parts.at(-1) === 'dataset' ? parts.slice(-3, -1).join('/') : parts.at(-1)!;
}

function markdown(rows: EffectRow[]): string[] {
  const sec = (x: number | null): string => (x === null ? 'none' : `${x.toFixed(0)} s`);
  const head = [
    'run',
    'fault',
    'first violation',
    'sustained onset',
    'violation s',
    'longest run',
    'peak mean latency',
    'failed requests',
    'normal-phase violation s',
    'footprint',
    'verdict',
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const e = r.effect;
    const verdict =
      r.unmet.length === 0 && r.footprint.length === 0
        ? r.kind === 'control'
          ? 'clean'
          : 'bites'
        : [...r.unmet, ...(r.footprint.length ? ['footprint'] : [])].join('; ');
    lines.push(
      `| ${[
        runName(r.dataset),
        r.host ? `${r.kind} on ${r.host}` : 'none',
        sec(e.firstViolationS),
        sec(e.sustainedOnsetS),
        `${e.violationS} of ${e.phaseS}`,
        `${e.longestRunS} s`,
        e.peakMs === null ? 'n/a' : `${e.peakMs.toFixed(1)} ms`,
        String(e.errors),
        r.normalViolationS === null ? 'n/a' : String(r.normalViolationS),
        r.footprint.length === 0
          ? 'none'
          : `${r.footprint[0]}${r.footprint.length > 1 ? ` (+${r.footprint.length - 1} more)` : ''}`,
        verdict,
      ].join(' | ')} |`,
    );
  }
  return lines;
}

interface Args {
  datasets: string[];
  json: boolean;
  check: boolean;
}

export const effectCommand: CommandModule<object, Args> = {
  command: 'effect <datasets..>',
  describe:
    'What each recorded fault did to the service (first violation, sustained onset, violation seconds, peak, ' +
    'injection footprint) and whether it bites by issue 18 (docs/faults.md)',
  builder: (y) =>
    y
      .positional('datasets', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'dataset directories',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'one JSON object on stdout instead of a table',
      })
      .option('check', {
        type: 'boolean',
        default: false,
        describe: `exit 1 unless, per fault type, at least 80 % of the runs bite (first violation ${BITE_CRITERIA.firstViolationS.join('-')} s in, >= ${BITE_CRITERIA.minViolationS} violation s, a sustained run, no footprint) and every control is clean`,
      })
      .example(
        '$0 faults effect datasets/testbed/*',
        'the table of docs/faults.md for the committed recordings',
      )
      .example('$0 faults effect runs/memleak/rep-*/dataset --check', 'did this experiment bite in 4 of 5?'),
  handler: (a) => {
    const rows = a.datasets.map(effectRow);
    const summary = effectSummary(rows);
    if (a.json) console.log(JSON.stringify({ criteria: BITE_CRITERIA, rows, summary }, null, 2));
    else {
      for (const l of markdown(rows)) console.log(l);
      console.log('');
      for (const s of summary)
        console.log(
          `${s.kind}: ${s.ok} of ${s.runs} ${s.kind === 'control' ? 'clean' : 'bite'}${summaryPasses(s) ? '' : ' (below the bar)'}`,
        );
    }
    const below = summary.filter((s) => !summaryPasses(s)).map((s) => s.kind);
    if (a.check && below.length > 0)
      throw new UserError(`faults effect --check: below the bar: ${below.join(', ')}`);
  },
};
