// Scalar special functions the elementwise ops need and Math lacks: erf, GELU, the logistic
// function and softplus (stable forms), and the derivatives of GELU.
//
// erf is computed in double precision (|error| around 1e-16), well beyond the f32 accuracy the
// ONNX Erf and Gelu ops need: below 3 by the everywhere-positive series
//   erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*...*(2n+1)),
// which has no cancellation; from 3 on through the continued fraction of erfc; from 6 on it is
// ±1 to double precision.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const SQRT_HALF = 0.7071067811865476;
const SQRT_TWO_OVER_PI = 0.7978845608028654;

/** erfc(a) for a >= 3 by the Laplace continued fraction, evaluated bottom up. */
function erfcLarge(a: number): number {
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + (n * 0.5) / f;
  return (Math.exp(-a * a) * ONE_OVER_SQRT_PI) / f;
}

export function erf(x: number): number {
  if (x !== x) return NaN;
  const a = x < 0 ? -x : x;
  let r: number;
  if (a < 3) {
    const g = 2 * a * a;
    let term = a;
    let sum = a;
    for (let k = 1; k < 120; k++) {
      term *= g / (2 * k + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
  } else if (a < 6) {
    r = 1 - erfcLarge(a);
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

/** GELU with the exact erf form: x/2 * (1 + erf(x/sqrt(2))). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * SQRT_HALF));
}

/** GELU with the tanh approximation of ONNX Gelu(approximate="tanh"). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** The logistic function 1/(1+e^-x) in two forms, so exp never overflows into Inf/Inf. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** d/dx of the exact GELU: Phi(x) + x phi(x). */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * SQRT_HALF)) + x * Math.exp(-0.5 * x * x) * (ONE_OVER_SQRT_PI * SQRT_HALF);
}

/** d/dx of the tanh form of GELU. */
export function geluTanhGrad(x: number): number {
  const t = Math.tanh(SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_TWO_OVER_PI * (1 + 3 * 0.044715 * x * x);
}
