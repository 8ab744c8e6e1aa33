// The headline card (src/report/headline.ts) on the terminal. Its own module, imported by handlers
// when they print it: the card's inputs pull in the dataset reader (Arrow), which `--help` must not load.
import type { Dataset } from '../core/dataset.ts';
import type { ReplayResults } from '../core/results.ts';
import { headlineFor, headlineLines } from '../report/headline.ts';

/**
 * The headline card (src/report/headline.ts) for runs scored in this process: printed last, so the
 * answer is the last thing on the screen. Several runs (repetitions) make one pooled card.
 */
export function printHeadline(runs: { results: ReplayResults; dataset: Dataset | null }[]): void {
  const inputs = runs.map(({ results, dataset }) => ({
    label: results.dataset,
    resultsFile: null,
    resultsSha256: null,
    results,
    dataset,
    datasetDir: null,
    datasetSha256: null,
    datasetNote: null,
  }));
  console.log('');
  for (const l of headlineLines(headlineFor(inputs))) console.log(l);
}
