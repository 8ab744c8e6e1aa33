// `foreshock workload run` through the real CLI: a short run printing one JSON object, and bad
// input (unknown mix or stack, a malformed transition table, an unreachable database, missing data
// files) as one line `foreshock: <message>` with exit code 1 and nothing left running.
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli, type CliResult } from '../helpers/cli.ts';
import { freePort } from '../../src/workload/db/mariadb-server.ts';
import { HAVE_RUBIS, RUBIS, rubisTitle, tableText, removeTempFiles, tempFile, waitGone } from './helpers.ts';

afterAll(removeTempFiles);

const run = (...args: string[]): CliResult => runCli('workload', ...args);

// Each CLI process costs ~1-2 s of start-up, so only what the library tests (run.test.ts) cannot
// show is checked here: the one-line error format, the exit code and the JSON on stdout.
describe('foreshock workload', () => {
  it('names an unknown mix', () => {
    expectUserError(
      run('run', '--mix', 'shopping'),
      /^foreshock: unknown mix "shopping" \(known: bidding, browsing\)$/,
    );
  });
});

describe.skipIf(!HAVE_RUBIS)(rubisTitle('foreshock workload run'), () => {
  it('names a malformed transition table, its line and the problem', () => {
    const file = tempFile(
      'bad_transitions.txt',
      tableText(() => 0.01).replace(/^(ViewItem\t)[^\t]*/m, '$1x'),
    );
    expectUserError(
      run('run', '--data', RUBIS, '--transitions', file),
      new RegExp(
        `^foreshock: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 14: "ViewItem" column 2 is "x", expected a number$`,
      ),
    );
  });

  it('names an unreachable database', async () => {
    const port = await freePort(); // nothing listens there
    expectUserError(
      run('run', '--data', RUBIS, '--stack', 'mariadb', '--mariadb', `127.0.0.1:${port}`),
      new RegExp(
        `^foreshock: database mariadb://127\\.0\\.0\\.1:${port}/rubis: unreachable \\(ECONNREFUSED\\)$`,
      ),
    );
  });

  it('runs a short workload and prints one JSON object; nothing is left running', async () => {
    const r = run(
      'run',
      '--data',
      RUBIS,
      ...[
        '--users',
        '20',
        '--duration',
        '3',
        '--scale',
        '0.003',
        '--think-scale',
        '0.1',
        '--mix',
        'browsing',
        '--json',
      ],
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown> & {
      latencyMs: Record<string, number>;
      mix: Record<string, number>;
      pids: { web: number; db: number };
    };
    expect(report).toMatchObject({
      stack: 'embedded',
      mixName: 'browsing',
      errors: 0,
      users: 20,
      durationS: 3,
    });
    expect(report.requests as number).toBeGreaterThan(10);
    expect(report.rps as number).toBeGreaterThan(0);
    expect(Object.keys(report.latencyMs)).toEqual(expect.arrayContaining(['p50', 'p95', 'max']));
    // The browsing mix never writes.
    for (const w of ['RegisterUser', 'StoreBid', 'StoreBuyNow', 'StoreComment', 'RegisterItem'])
      expect(report.mix[w]).toBeUndefined();
    expect(Object.values(report.mix).reduce((a, b) => a + b, 0)).toBe(report.requests);
    expect(await waitGone([report.pids.web, report.pids.db])).toEqual([]);
    expect(r.stderr).toContain('Rice University');
  }, 60_000);
});
