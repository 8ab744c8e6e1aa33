// Special functions the streaming detectors need: the complementary error function and the normal
// tail probability. JavaScript has no Math.erfc, and the detectors compare scores with 1 exactly
// (NAB's windowed Gaussian is best at threshold 1.0: only rows whose tail probability underflows
// 1 - q to 1 count), so erfc must be accurate relative to its value far into the tail:
//   - |x| < 2: the Maclaurin series of erf (alternating, ~30 terms; erfc = 1 - erf loses nothing
//     that matters there, erfc(2) = 0.0047);
//   - x >= 2: the Laplace continued fraction of erfc, evaluated with the modified Lentz method,
//     relative error ~1e-16.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const EPS = 1e-17;
const TINY = 1e-300;

function erfSeries(x: number): number {
  // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < EPS * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = x + a / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return (Math.exp(-x * x) * INV_SQRT_PI) / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -2) return 2 - erfcContinuedFraction(-x);
  if (x < 2) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

/** P(X >= x) for X ~ N(mean, sd), mirrored below the mean: the two-sided tail NAB's detectors use. */
export function normalTail(x: number, mean: number, sd: number): number {
  const z = Math.abs(x - mean) / sd;
  return 0.5 * erfc(z / Math.SQRT2);
}
