// Parser for RUBiS transition tables (../shared/spec/rubis.md, "Client emulator").
//
// The files are tab-separated spreadsheet exports: a title row, an empty row, a header row whose
// first cell is a quoted two-line "To >>> / From vvvv" label (so the header spans two text lines),
// then 29 rows: the 27 states, "Back probability" and "End of Session". Each row is a *destination*;
// each of the 27 numeric columns after the label is the outgoing distribution of one *source* state
// (column j = "from state j"); the cell after those 27 is the row state's static wait in ms (the
// think-time variants `*_03.txt` etc. append further cells, e.g. the unscaled wait, which are
// ignored). Rows after End of Session ("Header probability" and spreadsheet notes) are not part of
// the table.

import { DatasetError } from '../../core/errors.ts';
import { INTERACTIONS, INTERACTION_COUNT, type Interaction } from '../interactions.ts';
import { readDataText } from '../data-files.ts';

/** Destination index of Back and End of Session (after the 27 states). */
export const BACK = INTERACTION_COUNT; // 27
export const END = INTERACTION_COUNT + 1; // 28
export const DESTINATIONS = INTERACTION_COUNT + 2; // 29

export interface TransitionTable {
  /** The table's own title (second cell of the first row), e.g. "Default transition set". */
  name: string;
  file: string;
  /**
   * prob[from][to]: from in 0..26 (state), to in 0..28 (27 states, BACK, END), in file row order.
   * Not normalised: see the navigator for what sums above or below 1 mean.
   */
  prob: number[][];
  /** Static wait (ms) after entering each destination, 29 entries (BACK and END included). */
  waitMs: number[];
  /** prob[from][BACK] for each state: states with 0 clear the back stack when entered. */
  backProb: number[];
}

/** Row labels as they appear in RUBiS's files (one of them with its original typo). */
const ROW_LABELS: Record<number, string[]> = {
  [INTERACTIONS.indexOf('StoreBuyNow')]: ['StoreBuyNow', 'StoreBuyBow'],
  [INTERACTIONS.indexOf('AboutMeAuth')]: ['AboutMe (auth form)', 'AboutMeAuth'],
  [BACK]: ['Back probability', 'Back'],
  [END]: ['End of Session', 'EndOfSession'],
};

function expectedLabels(row: number): string[] {
  return ROW_LABELS[row] ?? [INTERACTIONS[row] as Interaction];
}

interface TsvRecord {
  line: number;
  cells: string[];
}

/** Splits tab-separated text into records; a double-quoted cell may span lines ("" is a quote). */
function readTsv(text: string): TsvRecord[] {
  const records: TsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === '\t') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      line++;
      recordLine = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  return records;
}

function parseNumber(cell: string | undefined, file: string, line: number, what: string): number {
  const text = (cell ?? '').trim();
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new DatasetError(file, `line ${line}: ${what} is "${text}", expected a number`);
  }
  return value;
}

/** Parses the text of a transition table; every problem is a DatasetError naming the file and line. */
export function parseTransitionTable(text: string, file: string): TransitionTable {
  const records = readTsv(text);
  const name = records[0]?.cells[1]?.trim() || 'unnamed transition table';
  // The header row is the one whose first column title is Home (its label cell is the quoted
  // "To >>> From vvvv" note); the 29 table rows follow it.
  const headerAt = records.findIndex((r) => r.cells[1]?.trim() === 'Home');
  if (headerAt < 0) {
    throw new DatasetError(
      file,
      'no header row (a row whose second cell is "Home"): not a RUBiS transition table',
    );
  }
  const header = records[headerAt]!;
  const headerCells = header.cells.slice(1).filter((c) => c.trim() !== '');
  if (headerCells.length < INTERACTION_COUNT + 1) {
    throw new DatasetError(
      file,
      `line ${header.line}: header has ${headerCells.length} column titles, expected ${INTERACTION_COUNT} states and a wait column`,
    );
  }
  const prob: number[][] = Array.from({ length: INTERACTION_COUNT }, () =>
    new Array<number>(DESTINATIONS).fill(0),
  );
  const waitMs = new Array<number>(DESTINATIONS).fill(0);
  for (let row = 0; row < DESTINATIONS; row++) {
    const rec = records[headerAt + 1 + row];
    const labels = expectedLabels(row);
    if (!rec) {
      throw new DatasetError(
        file,
        `ends after ${row} table rows, expected ${DESTINATIONS} (missing "${labels[0]}")`,
      );
    }
    const label = (rec.cells[0] ?? '').trim();
    if (!labels.includes(label)) {
      throw new DatasetError(file, `line ${rec.line}: row ${row + 1} is "${label}", expected "${labels[0]}"`);
    }
    if (rec.cells.length < INTERACTION_COUNT + 2) {
      throw new DatasetError(
        file,
        `line ${rec.line}: row "${label}" has ${rec.cells.length - 1} cells, expected ${INTERACTION_COUNT} probabilities and a wait`,
      );
    }
    for (let from = 0; from < INTERACTION_COUNT; from++) {
      const p = parseNumber(rec.cells[from + 1], file, rec.line, `"${label}" column ${from + 2}`);
      if (p < 0 || p > 1) {
        throw new DatasetError(
          file,
          `line ${rec.line}: "${label}" column ${from + 2} is ${p}, outside [0, 1]`,
        );
      }
      prob[from]![row] = p;
    }
    const wait = parseNumber(rec.cells[INTERACTION_COUNT + 1], file, rec.line, `"${label}" wait`);
    if (wait < 0) throw new DatasetError(file, `line ${rec.line}: "${label}" wait is negative (${wait})`);
    waitMs[row] = wait;
  }
  for (let from = 0; from < INTERACTION_COUNT; from++) {
    const total = prob[from]!.reduce((a, b) => a + b, 0);
    if (total === 0) {
      throw new DatasetError(file, `column "${INTERACTIONS[from]}" is all zero: that state has no way out`);
    }
  }
  return { name, file, prob, waitMs, backProb: prob.map((p) => p[BACK]!) };
}

export function readTransitionTable(file: string): TransitionTable {
  return parseTransitionTable(readDataText(file), file);
}

/** Sum of a state's column: > 1 makes late rows unreachable, < 1 leaves a residual "stay". */
export function columnSum(table: TransitionTable, from: number): number {
  return table.prob[from]!.reduce((a, b) => a + b, 0);
}
