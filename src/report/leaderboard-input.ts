// Leaderboard inputs (--leaderboard <file>): the leaderboard.json files `foreshock bench nab|smd`
// write (src/benchmarks/leaderboard.ts). The shape is checked field by field, so a bad file stops
// with one line naming the file and the first field that is wrong, before anything is rendered.

import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.ts';
import type { NabLeaderboard, SmdLeaderboard } from '../benchmarks/leaderboard.ts';
import { checkJsonBounds } from '../core/schema.ts';

export type Leaderboard = NabLeaderboard | SmdLeaderboard;

export interface LeaderboardInput {
  /** How the report names this leaderboard (the file as given). */
  label: string;
  board: Leaderboard;
}

/** Reads and checks one leaderboard.json. */
export function readLeaderboardFile(file: string): LeaderboardInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let parsed: unknown;
  checkJsonBounds(text, file);
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: malformed JSON (${(err as Error).message})`);
  }
  return { label: file, board: checkLeaderboard(parsed, file) };
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The fields the report relies on; anything else is passed through untouched. */
export function checkLeaderboard(value: unknown, where: string): Leaderboard {
  const fail = (problem: string): never => {
    throw new UserError(`${where}: not a foreshock leaderboard.json (${problem})`);
  };
  if (!isObject(value)) return fail('not an object');
  const benchmark = value.benchmark;
  if (benchmark !== 'NAB' && benchmark !== 'SMD') return fail('"benchmark" is neither "NAB" nor "SMD"');
  if (!Array.isArray(value.entries) || value.entries.length === 0)
    return fail('"entries" is not a non-empty array');

  const stringField = (o: Obj, key: string, at: string, optional = false): void => {
    if (optional && o[key] === undefined) return;
    if (typeof o[key] !== 'string') fail(`${at}"${key}" is not a string`);
  };
  const numberField = (
    o: Obj,
    key: string,
    at: string,
    opts: { optional?: boolean; nullable?: boolean } = {},
  ) => {
    const v = o[key];
    if (opts.optional && v === undefined) return;
    if (opts.nullable && v === null) return;
    if (!isFiniteNumber(v)) fail(`${at}"${key}" is not a finite number`);
  };

  if (benchmark === 'NAB') {
    stringField(value, 'corpus', '');
    stringField(value, 'publishedSource', '');
  } else {
    if (!Array.isArray(value.machines) || !value.machines.every((m) => typeof m === 'string'))
      fail('"machines" is not an array of strings');
    stringField(value, 'caveat', '');
  }
  value.entries.forEach((e: unknown, i: number) => {
    const at = `entries[${i}].`;
    if (!isObject(e)) return fail(`entries[${i}] is not an object`);
    if (typeof e.name !== 'string' || e.name.length === 0) fail(`${at}"name" is not a non-empty string`);
    if (e.origin !== 'foreshock' && e.origin !== 'published')
      fail(`${at}"origin" is neither "foreshock" nor "published"`);
    if (benchmark === 'NAB') {
      for (const key of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) numberField(e, key, at);
      stringField(e, 'thresholdRule', at, true);
      stringField(e, 'note', at, true);
    } else {
      numberField(e, 'f1PointAdjusted', at);
      numberField(e, 'f1', at, { optional: true });
      numberField(e, 'hitRate100', at, { optional: true, nullable: true });
      numberField(e, 'hitRate150', at, { optional: true, nullable: true });
      stringField(e, 'source', at, true);
    }
  });
  return value as unknown as Leaderboard;
}
