// Unary elementwise kernels of the reference interpreter.
//
// `mapUnary` applies a unary op's element function (its `traits.unary.f`, ir/unary.ts) to every
// element: f64 and f32 storage (and f16/bf16 widened to f32 by the caller) are computed in
// double and rounded by the store; integer storage takes the same function, the store wrapping
// as ONNX integer ops do (Abs(-128) is -128 in i8). Clip keeps its own loops for its integer and
// bigint forms and its run-time bounds.
import type { NumArr } from "./elementwise.js";

type Loop = (f: (x: number, a: any) => number, a: unknown, x: NumArr, out: NumArr) => void;
const loops = new WeakMap<object, Loop>();

/**
 * The loop of one element function. Each is its own compiled function (made by the Function
 * constructor; the numbered comment keeps the engine from sharing one compilation between
 * them), so the engine sees one `f` at its call site and inlines it: a loop shared by every op
 * calls through a megamorphic site, about 2x slower per element (measured on Sigmoid).
 */
function loopOf(f: object): Loop {
  let loop = loops.get(f);
  if (!loop) {
    const body = `/* element loop ${loopCount++} */\nconst n = x.length;\nfor (let i = 0; i < n; i++) out[i] = f(x[i], a);`;
    loop = new Function("f", "a", "x", "out", body) as Loop;
    loops.set(f, loop);
  }
  return loop;
}
let loopCount = 0;

/** out[i] = f(x[i], a) for every element (same length). */
export function mapUnary<A>(f: (x: number, a: A) => number, a: A, x: NumArr, out: NumArr): void {
  loopOf(f)(f, a, x, out);
}

/** out[i] = f(x[i]) over bigint storage. */
export function mapUnaryBig(f: (x: bigint) => bigint, x: BigInt64Array | BigUint64Array, out: BigInt64Array | BigUint64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) out[i] = f(x[i]!);
}

/**
 * Clip to [lo, hi] (either may be absent: ±Inf). NaN passes through; when lo > hi every value
 * becomes hi, as the ONNX spec says.
 */
export function clipKernel(x: NumArr, out: NumArr, lo: number, hi: number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    out[i] = v;
  }
}

/** Clip over bigint storage; undefined bounds are open. */
export function clipBigKernel(x: BigInt64Array | BigUint64Array, out: BigInt64Array | BigUint64Array, lo: bigint | undefined, hi: bigint | undefined): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    if (lo !== undefined && v < lo) v = lo;
    if (hi !== undefined && v > hi) v = hi;
    out[i] = v;
  }
}
