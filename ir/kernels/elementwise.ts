// Broadcasting kernels for elementwise ops: numpy broadcasting walked row by row over typed arrays.
//
// A broadcast is planned once: dims of size 1 are dropped and neighbouring dims are merged when
// every operand steps through them the same way (both contiguous or both broadcast). What is left
// is a short list of dims; the innermost one is a "row" that a row kernel processes with a tight
// loop, each operand stepping by 1 (contiguous) or 0 (broadcast). The common cases fall out of the
// merge: equal shapes become a single row over all elements, a scalar operand a single row with
// step 0, and a channel broadcast such as [1,C,T] + [C,1] becomes C rows of T with the bias held.
// Outer dims are walked with an odometer; nothing is allocated per element or per row.
//
// Row kernels are plain functions over typed arrays (no callbacks per element). The arithmetic
// ones are also used on BigInt64Array/BigUint64Array storage: JavaScript's +, -, *, comparisons
// and the typed-array stores give the right wrapped int64 results for bigints too.
import type { NumericArray } from "../dtype.js";

/** Any element storage a row kernel may read or write (bigint arrays are passed through this type). */
export type NumArr = NumericArray;
/** Element storage of any dtype, for kernels that only move values (Where). */
export type AnyArr = { [i: number]: number | bigint | string; readonly length: number };

/** Collapsed iteration space of a broadcast. */
export interface BroadcastPlan {
  /** Dims, outermost first, after dropping size-1 dims and merging. Empty for a single element. */
  readonly dims: readonly number[];
  /** strides[k][d]: element step of operand k along dims[d] (0 where it is broadcast). */
  readonly strides: readonly (readonly number[])[];
  /** Number of output elements. */
  readonly size: number;
}

/** Plans the walk of operands with shapes `inShapes` broadcast to `outShape`. */
export function planBroadcast(outShape: readonly number[], inShapes: readonly (readonly number[])[]): BroadcastPlan {
  const rank = outShape.length;
  let size = 1;
  for (const d of outShape) size *= d;
  const full = inShapes.map((s) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      const d = rank - s.length + i;
      st[d] = s[i] === 1 ? 0 : acc;
      acc *= s[i]!;
    }
    return st;
  });
  const dims: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  // Build from the innermost dim outwards, merging a dim into the group inside it when possible.
  for (let d = rank - 1; d >= 0; d--) {
    const n = outShape[d]!;
    if (n === 1) continue;
    if (dims.length > 0 && full.every((st, k) => st[d] === strides[k]![0]! * dims[0]!)) {
      // Merge into the group inside: its inner strides stay, its size grows.
      dims[0] = dims[0]! * n;
      continue;
    }
    dims.unshift(n);
    full.forEach((st, k) => strides[k]!.unshift(st[d]!));
  }
  return { dims, strides, size };
}

export type Row2<O, A, B> = (o: O, oi: number, a: A, ai: number, as: number, b: B, bi: number, bs: number, n: number) => void;

/** Runs a binary row kernel over a planned broadcast (operand 0 is a, operand 1 is b). */
export function broadcast2<O, A, B>(plan: BroadcastPlan, o: O, a: A, b: B, row: Row2<O, A, B>): void {
  const dims = plan.dims;
  const r = dims.length;
  if (plan.size === 0) return;
  if (r === 0) {
    row(o, 0, a, 0, 0, b, 0, 0, 1);
    return;
  }
  const sa = plan.strides[0]!, sb = plan.strides[1]!;
  const n = dims[r - 1]!, as = sa[r - 1]!, bs = sb[r - 1]!;
  if (r === 1) {
    row(o, 0, a, 0, as, b, 0, bs, n);
    return;
  }
  if (r === 2) {
    const m = dims[0]!, sa0 = sa[0]!, sb0 = sb[0]!;
    for (let i = 0; i < m; i++) row(o, i * n, a, i * sa0, as, b, i * sb0, bs, n);
    return;
  }
  const idx = new Int32Array(r - 1);
  const rows = plan.size / n;
  let ai = 0, bi = 0, oi = 0;
  for (let k = 0; k < rows; k++) {
    row(o, oi, a, ai, as, b, bi, bs, n);
    oi += n;
    for (let d = r - 2; d >= 0; d--) {
      ai += sa[d]!;
      bi += sb[d]!;
      if (++idx[d]! < dims[d]!) break;
      ai -= sa[d]! * dims[d]!;
      bi -= sb[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

export type Row3<O, A, B, C> = (
  o: O, oi: number, a: A, ai: number, as: number, b: B, bi: number, bs: number, c: C, ci: number, cs: number, n: number,
) => void;

/** Runs a ternary row kernel over a planned broadcast of three operands. */
export function broadcast3<O, A, B, C>(plan: BroadcastPlan, o: O, a: A, b: B, c: C, row: Row3<O, A, B, C>): void {
  const dims = plan.dims;
  const r = dims.length;
  if (plan.size === 0) return;
  if (r === 0) {
    row(o, 0, a, 0, 0, b, 0, 0, c, 0, 0, 1);
    return;
  }
  const sa = plan.strides[0]!, sb = plan.strides[1]!, sc = plan.strides[2]!;
  const n = dims[r - 1]!, as = sa[r - 1]!, bs = sb[r - 1]!, cs = sc[r - 1]!;
  const idx = new Int32Array(Math.max(0, r - 1));
  const rows = plan.size / n;
  let ai = 0, bi = 0, ci = 0, oi = 0;
  for (let k = 0; k < rows; k++) {
    row(o, oi, a, ai, as, b, bi, bs, c, ci, cs, n);
    oi += n;
    for (let d = r - 2; d >= 0; d--) {
      ai += sa[d]!;
      bi += sb[d]!;
      ci += sc[d]!;
      if (++idx[d]! < dims[d]!) break;
      ai -= sa[d]! * dims[d]!;
      bi -= sb[d]! * dims[d]!;
      ci -= sc[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

// ---- f32 row kernels (the hot path of float models; kept monomorphic on Float32Array) ----

export function addRowF32(o: Float32Array, oi: number, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, n: number): void {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i]! + b[bi + i]!;
  else if (bs === 0) { const v = b[bi]!; for (let i = 0; i < n; i++, ai += as) o[oi + i] = a[ai]! + v; }
  else { const v = a[ai]!; for (let i = 0; i < n; i++, bi += bs) o[oi + i] = v + b[bi]!; }
}
export function subRowF32(o: Float32Array, oi: number, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, n: number): void {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i]! - b[bi + i]!;
  else if (bs === 0) { const v = b[bi]!; for (let i = 0; i < n; i++, ai += as) o[oi + i] = a[ai]! - v; }
  else { const v = a[ai]!; for (let i = 0; i < n; i++, bi += bs) o[oi + i] = v - b[bi]!; }
}
export function mulRowF32(o: Float32Array, oi: number, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, n: number): void {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i]! * b[bi + i]!;
  else if (bs === 0) { const v = b[bi]!; for (let i = 0; i < n; i++, ai += as) o[oi + i] = a[ai]! * v; }
  else { const v = a[ai]!; for (let i = 0; i < n; i++, bi += bs) o[oi + i] = v * b[bi]!; }
}
export function divRowF32(o: Float32Array, oi: number, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, n: number): void {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i]! / b[bi + i]!;
  else if (bs === 0) { const v = b[bi]!; for (let i = 0; i < n; i++, ai += as) o[oi + i] = a[ai]! / v; }
  else { const v = a[ai]!; for (let i = 0; i < n; i++, bi += bs) o[oi + i] = v / b[bi]!; }
}

// ---- generic row kernels (any numeric storage; bigint storage where noted) ----

/** a + b (also bigint). */
export function addRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! + b[bi]!;
}
/** a - b (also bigint). */
export function subRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! - b[bi]!;
}
/** a * b for floats, 8/16-bit integers (exact in a double) and bigint. */
export function mulRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! * b[bi]!;
}
/** a * b wrapped to 32 bits (i32/u32: the double product would lose low bits). */
export function imulRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.imul(a[ai]!, b[bi]!);
}
/** Float division. */
export function divRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! / b[bi]!;
}
/**
 * Integer division truncating toward zero, as C does (exact for integers of up to 32 bits).
 * Division by zero is undefined in ONNX; it gives 0 here (the store of ±Inf/NaN).
 */
export function idivRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.trunc(a[ai]! / b[bi]!);
}
/** int64 division truncating toward zero; division by zero gives 0. */
export function bigDivRow(o: BigInt64Array | BigUint64Array, oi: number, a: BigInt64Array | BigUint64Array, ai: number, as: number, b: BigInt64Array | BigUint64Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const d = b[bi]!;
    o[oi + i] = d === 0n ? 0n : a[ai]! / d;
  }
}
/**
 * ONNX Mod with fmod=0 on integers: the remainder takes the divisor's sign (Python's %), so
 * -7 mod 3 = 2 and 7 mod -3 = -2. Division by zero is undefined in ONNX; it gives 0 here, as Div.
 */
export function modRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const x = a[ai]!, d = b[bi]!;
    if (d === 0) {
      o[oi + i] = 0;
      continue;
    }
    const r = x % d;
    o[oi + i] = r !== 0 && r < 0 !== d < 0 ? r + d : r;
  }
}
/** modRow on int64/uint64 storage. */
export function bigModRow(o: BigInt64Array | BigUint64Array, oi: number, a: BigInt64Array | BigUint64Array, ai: number, as: number, b: BigInt64Array | BigUint64Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const x = a[ai]!, d = b[bi]!;
    if (d === 0n) {
      o[oi + i] = 0n;
      continue;
    }
    const r = x % d;
    o[oi + i] = r !== 0n && r < 0n !== d < 0n ? r + d : r;
  }
}
/** ONNX Mod with fmod=1: C's fmod, the remainder takes the dividend's sign (JavaScript's %, also bigint); x fmod 0 is NaN for floats, 0 for integers. */
export function fmodRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! % b[bi]!;
}
/** fmodRow on int64/uint64 storage (x fmod 0 gives 0). */
export function bigFmodRow(o: BigInt64Array | BigUint64Array, oi: number, a: BigInt64Array | BigUint64Array, ai: number, as: number, b: BigInt64Array | BigUint64Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const d = b[bi]!;
    o[oi + i] = d === 0n ? 0n : a[ai]! % d;
  }
}
/** a ** b in doubles (inputs may be of different storage types). */
export function powRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.pow(a[ai]!, b[bi]!);
}
/** Elementwise maximum; NaN wins, as numpy.maximum (also bigint). */
export function maxRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const x = a[ai]!, y = b[bi]!;
    o[oi + i] = x > y ? x : x <= y ? y : NaN;
  }
}
/** Elementwise minimum; NaN wins, as numpy.minimum (also bigint). */
export function minRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const x = a[ai]!, y = b[bi]!;
    o[oi + i] = x < y ? x : x >= y ? y : NaN;
  }
}
/** PRelu: x where x >= 0, else slope * x. */
export function preluRow(o: NumArr, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const x = a[ai]!;
    o[oi + i] = x < 0 ? x * b[bi]! : x;
  }
}

// Comparisons write bool (0/1) and work on any storage: numbers, bigints, and strings for Equal.
export function eqRow(o: Uint8Array, oi: number, a: AnyArr, ai: number, as: number, b: AnyArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0;
}
export function gtRow(o: Uint8Array, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! > b[bi]! ? 1 : 0;
}
export function geRow(o: Uint8Array, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! >= b[bi]! ? 1 : 0;
}
export function ltRow(o: Uint8Array, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! < b[bi]! ? 1 : 0;
}
export function leRow(o: Uint8Array, oi: number, a: NumArr, ai: number, as: number, b: NumArr, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! <= b[bi]! ? 1 : 0;
}

// Boolean logic on 0/1 bytes.
export function andRow(o: Uint8Array, oi: number, a: Uint8Array, ai: number, as: number, b: Uint8Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! & b[bi]!;
}
export function orRow(o: Uint8Array, oi: number, a: Uint8Array, ai: number, as: number, b: Uint8Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! | b[bi]!;
}
export function xorRow(o: Uint8Array, oi: number, a: Uint8Array, ai: number, as: number, b: Uint8Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai]! ^ b[bi]!;
}

/** Where: cond ? x : y, for storage of any dtype (raw bits are moved, never converted). */
export function whereRow(o: AnyArr, oi: number, c: Uint8Array, ci: number, cs: number, x: AnyArr, xi: number, xs: number, y: AnyArr, yi: number, ys: number, n: number): void {
  for (let i = 0; i < n; i++, ci += cs, xi += xs, yi += ys) o[oi + i] = c[ci] ? x[xi]! : y[yi]!;
}
