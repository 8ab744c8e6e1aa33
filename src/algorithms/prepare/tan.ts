// The per-host classifier (spec §2.2 step 3): class C in {normal, abnormal} (abnormal = the service's
// SLO is violated at that time), attributes = the host's discretized metrics.
//
// TAN (Friedman, Geiger & Goldszmidt 1997): every attribute has C and at most one other attribute as
// parents. The attribute tree is the Chow-Liu maximum-weight spanning tree with weights
// I(X_i; X_j | C) (conditional mutual information from the training counts), rooted at attribute 0
// and directed away from it. Naive Bayes (ablation) is the same model without the tree.
//
// Parameters: the class-conditional marginals use Laplace smoothing, P(x_j | c) = (n + lambda) / (n_c +
// S lambda); a child's rows are shrunk towards that marginal as in Friedman, Geiger & Goldszmidt
// (1997, "smoothed" TAN, N0 = 5): P(x_j | x_p, c) = (n(x_p, x_j, c) + N0 P(x_j | c)) / (n(x_p, c) + N0).
// Plain Laplace on the child rows would give a thinly populated parent value a near-uniform row, and
// a child that merely copies its parent would then double-count its parent's evidence.
// Novelty mode (no SLO labels, a foreshock degradation) replaces the abnormal tables by a contamination
// model of the normal ones: (1 - mix) P(x | x_p, norm) + mix / S.
// Inference only needs, per attribute, the log-likelihood ratio table
//   llr_j[x_p, x_j] = log P(x_j | x_p, abn) - log P(x_j | x_p, norm)
// so that log-odds(x) = log P(abn)/P(norm) + sum_j llr_j[x_p(j), x_j]: d table lookups per sample.
// The same terms are the per-attribute evidence L_j of cause inference (spec §2.4).

export type Structure = 'tan' | 'naive-bayes';

export interface ClassifierOptions {
  structure: Structure;
  states: number;
  laplace: number;
  /** "empirical": log prior odds from the class counts (Laplace-smoothed); "balanced": 0. */
  prior: 'empirical' | 'balanced';
  /**
   * Novelty mode (no abnormal examples): when set, P(x | .., abn) = (1 - mix) P(x | .., norm) + mix / S
   * instead of the abnormal counts.
   */
  noveltyMix: number | null;
  /** N0 of Friedman et al.'s parameter smoothing for attributes with a parent attribute. */
  parentShrinkage: number;
}

/** Number of distinct attribute states with counts (over both classes and all parent values). */
function distinctStates(n: Float64Array, rows: number, S: number): number {
  let distinct = 0;
  for (let x = 0; x < S; x++) {
    let seen = false;
    for (let k = 0; k < 2 * rows && !seen; k++) seen = n[k * S + x]! > 0;
    if (seen) distinct++;
  }
  return distinct;
}

/** Training counts: enough to rebuild the tables. Cells as flat sparse tuples [c, x_p, x_j, n, ...]. */
export interface ClassifierState {
  parent: number[];
  classCounts: [number, number];
  cells: number[][];
}

/** Conditional mutual information I(X_i; X_j | C) from joint counts n[c][x_i][x_j] (natural log). */
export function conditionalMutualInformation(joint: Float64Array, states: number): number {
  const S = states;
  let total = 0;
  for (let k = 0; k < joint.length; k++) total += joint[k]!;
  if (total === 0) return 0;
  let mi = 0;
  const rowSum = new Float64Array(S);
  const colSum = new Float64Array(S);
  for (let c = 0; c < 2; c++) {
    const base = c * S * S;
    rowSum.fill(0);
    colSum.fill(0);
    let nc = 0;
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        const n = joint[base + a * S + b]!;
        rowSum[a]! += n;
        colSum[b]! += n;
        nc += n;
      }
    }
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        const n = joint[base + a * S + b]!;
        if (n > 0) mi += (n / total) * Math.log((n * nc) / (rowSum[a]! * colSum[b]!));
      }
    }
  }
  return mi;
}

/**
 * Chow-Liu: the maximum-weight spanning tree of the complete graph over d attributes (Prim's
 * algorithm from attribute 0; ties go to the lower index, so the result is deterministic).
 * `weight(i, j)` for i < j. Returns parent[j] (-1 for the root).
 */
export function chowLiuTree(d: number, weight: (i: number, j: number) => number): number[] {
  const parent = new Array<number>(d).fill(-1);
  if (d === 0) return parent;
  const inTree = new Uint8Array(d);
  const best = new Float64Array(d).fill(-Infinity);
  inTree[0] = 1;
  for (let j = 1; j < d; j++) {
    best[j] = weight(0, j);
    parent[j] = 0;
  }
  for (let added = 1; added < d; added++) {
    let pick = -1;
    for (let j = 0; j < d; j++) if (!inTree[j] && (pick < 0 || best[j]! > best[pick]!)) pick = j;
    inTree[pick] = 1;
    for (let j = 0; j < d; j++) {
      if (inTree[j]) continue;
      const w = pick < j ? weight(pick, j) : weight(j, pick);
      if (w > best[j]!) {
        best[j] = w;
        parent[j] = pick;
      }
    }
  }
  return parent;
}

export class BayesClassifier {
  readonly d: number;
  readonly parent: Int16Array;
  readonly logPriorOdds: number;
  /** llr[j][x_p * S + x_j] (x_p = 0 for the root / naive Bayes). */
  private readonly llr: Float64Array[];

  constructor(
    private readonly opts: ClassifierOptions,
    private readonly counts: ClassifierState,
  ) {
    const S = opts.states;
    const lambda = opts.laplace;
    const mix = opts.noveltyMix;
    const shrink = opts.parentShrinkage;
    this.d = counts.parent.length;
    this.parent = Int16Array.from(counts.parent);
    const [nNorm, nAbn] = counts.classCounts;
    this.logPriorOdds = opts.prior === 'balanced' ? 0 : Math.log((nAbn + 1) / (nNorm + 1));
    this.llr = counts.cells.map((cells, j) => {
      const rows = this.parent[j]! >= 0 ? S : 1;
      const n = new Float64Array(2 * rows * S);
      for (let i = 0; i + 3 < cells.length; i += 4) {
        n[(cells[i]! * rows + cells[i + 1]!) * S + cells[i + 2]!]! += cells[i + 3]!;
      }
      const table = new Float64Array(rows * S);
      // A metric that never changed in training carries no information (UBL drops such metrics too):
      // its tables would only echo smoothing. It contributes 0.
      if (distinctStates(n, rows, S) < 2) return table;
      // Class-conditional marginals P(x_j | c), Laplace-smoothed.
      const marginal = [new Float64Array(S), new Float64Array(S)];
      for (let c = 0; c < 2; c++) {
        let total = 0;
        for (let k = 0; k < rows * S; k++) total += n[c * rows * S + k]!;
        for (let x = 0; x < S; x++) {
          let nx = 0;
          for (let xp = 0; xp < rows; xp++) nx += n[(c * rows + xp) * S + x]!;
          marginal[c]![x] = (nx + lambda) / (total + S * lambda);
        }
      }
      for (let xp = 0; xp < rows; xp++) {
        for (let x = 0; x < S; x++) {
          const p = [0, 0];
          for (let c = 0; c < 2; c++) {
            if (rows === 1) {
              p[c] = marginal[c]![x]!;
              continue;
            }
            // Friedman et al.'s smoothing: the row of parent value xp shrinks towards the marginal
            // with weight N0 / (n(xp) + N0), so a rarely seen parent value borrows from P(x_j | c).
            let nRow = 0;
            for (let y = 0; y < S; y++) nRow += n[(c * rows + xp) * S + y]!;
            p[c] = (n[(c * rows + xp) * S + x]! + shrink * marginal[c]![x]!) / (nRow + shrink);
          }
          const pAbn = mix === null ? p[1]! : (1 - mix) * p[0]! + mix / S;
          table[xp * S + x] = Math.log(pAbn) - Math.log(p[0]!);
        }
      }
      return table;
    });
  }

  /**
   * Learns structure and counts from n samples: states[i * d + j] (every state in [0, S)), labels[i]
   * = 1 for abnormal.
   */
  static train(opts: ClassifierOptions, states: Int16Array, labels: Uint8Array, d: number): BayesClassifier {
    const S = opts.states;
    const n = labels.length;
    const classCounts: [number, number] = [0, 0];
    for (let i = 0; i < n; i++) classCounts[labels[i] === 1 ? 1 : 0]++;
    let parent = new Array<number>(d).fill(-1);
    if (opts.structure === 'tan' && d > 1) {
      const weights = new Float64Array(d * d);
      const joint = new Float64Array(2 * S * S);
      for (let a = 0; a < d; a++) {
        for (let b = a + 1; b < d; b++) {
          joint.fill(0);
          for (let i = 0; i < n; i++) {
            joint[(labels[i]! * S + states[i * d + a]!) * S + states[i * d + b]!]!++;
          }
          weights[a * d + b] = conditionalMutualInformation(joint, S);
        }
      }
      parent = chowLiuTree(d, (a, b) => weights[a * d + b]!);
    }
    const cells: number[][] = [];
    for (let j = 0; j < d; j++) {
      const p = parent[j]!;
      const rows = p >= 0 ? S : 1;
      const table = new Float64Array(2 * rows * S);
      for (let i = 0; i < n; i++) {
        const xp = p >= 0 ? states[i * d + p]! : 0;
        table[(labels[i]! * rows + xp) * S + states[i * d + j]!]!++;
      }
      const sparse: number[] = [];
      for (let k = 0; k < table.length; k++) {
        const c = table[k]!;
        if (c > 0) sparse.push(Math.floor(k / (rows * S)), Math.floor(k / S) % rows, k % S, c);
      }
      cells.push(sparse);
    }
    return new BayesClassifier(opts, { parent, classCounts, cells });
  }

  /** Evidence of attribute j for "abnormal" given the whole attribute vector x (spec §2.4 L_j). */
  attributeLlr(x: ArrayLike<number>, j: number): number {
    const p = this.parent[j]!;
    return this.llr[j]![(p >= 0 ? x[p]! : 0) * this.opts.states + x[j]!]!;
  }

  /** log P(abn | x) - log P(norm | x). */
  logOdds(x: ArrayLike<number>): number {
    let sum = this.logPriorOdds;
    for (let j = 0; j < this.d; j++) sum += this.attributeLlr(x, j);
    return sum;
  }

  toJSON(): ClassifierState {
    return this.counts;
  }
}
