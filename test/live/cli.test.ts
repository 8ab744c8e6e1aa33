// `foreshock live` refuses bad input before anything starts: one line on stderr, exit 1.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { expectUserError, runCli } from '../helpers/cli.ts';

const empty = mkdtempSync(path.join(os.tmpdir(), 'foreshock-live-cli-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('foreshock live: user errors', () => {
  it.each([
    [['--report-dir', empty], /no comparison report names a best model yet .*npm run experiment/],
    [['--model', 'fchain'], /fchain is a localizer; live mode needs a predictor: .*ubl/],
    [['--model', 'nope'], /nope/],
    [['--model', 'ubl', '--localizer', 'ubl'], /--localizer ubl is a predictor/],
    [['--model', 'ubl', '--allow', 'kafka,db'], /--allow: kafka runs the harness/],
    [['--model', 'ubl', '--allow', 'client'], /--allow: client/],
    [['--stack', 'aws', '--model', 'ubl'], /--train: give a recorded dataset of the aws stack/],
    [
      ['--stack', 'aws', '--model', 'ubl', '--train', 'datasets/testbed/control-1'],
      /--stack aws needs --ssh-key/,
    ],
    [
      [
        '--stack',
        'aws',
        '--model',
        'ubl',
        '--train',
        'datasets/testbed/control-1',
        '--ssh-key',
        path.join(empty, 'k'),
      ],
      /--ssh-key .*no such file/,
    ],
    [['--stack', 'remote', '--model', 'ubl', '--train', 'datasets/testbed/control-1'], /needs --remote-spec/],
    [['--stack', 'embedded', '--model', 'ubl'], /--train: give a recorded dataset of the embedded stack/],
    [['--model', 'ubl', '--train', path.join(empty, 'none')], /dataset directory not found/],
    [['--model', 'ubl', '--duration', '-5'], /--duration must be a positive number/],
    [['--model', 'ubl', '--warmup', '-1'], /--warmup must be >= 0/],
  ])('live %j', (args, pattern) => {
    expectUserError(runCli('live', ...args), pattern);
  });
});
