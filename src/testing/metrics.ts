// Numbers that say how far one run is from another, for tests and golden fixtures: the
// signal-to-quantization-noise ratio of a quantized output against its float original, the
// largest absolute difference, and how two integer tensors agree in steps of their grid
// (exactly, within one step, the largest step). compare.ts decides pass/fail under a tolerance;
// these measure.
import type { Tensor } from "../../ir/types.js";

type Values = ArrayLike<number> | Tensor;

function valuesOf(x: Values): ArrayLike<number> {
  return "data" in x && "shape" in x ? (x.data as ArrayLike<number>) : (x as ArrayLike<number>);
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`cannot compare ${a.length} values with ${b.length}`);
}

/** Signal power of a reference and noise power of a result against it, summed over any number of runs. */
export class SqnrMeter {
  signal = 0;
  noise = 0;
  count = 0;

  add(ref: Values, got: Values): this {
    const a = valuesOf(ref), b = valuesOf(got);
    sameLength(a, b);
    for (let i = 0; i < a.length; i++) {
      const r = Number(a[i]), d = r - Number(b[i]);
      this.signal += r * r;
      this.noise += d * d;
    }
    this.count += a.length;
    return this;
  }

  /** 10 log10(signal / noise); Infinity when the result is exact. */
  db(): number {
    return this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
  }
}

/** SQNR in dB of `got` against `ref` (Infinity when equal). */
export function sqnrDb(ref: Values, got: Values): number {
  return new SqnrMeter().add(ref, got).db();
}

/** The largest |a[i] - b[i]|. */
export function maxAbsDiff(a: Values, b: Values): number {
  const x = valuesOf(a), y = valuesOf(b);
  sameLength(x, y);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
}

/** How two integer tensors agree, in steps of their grid. */
export interface Agreement {
  /** Values compared, equal ones, ones at most one step apart, and the largest |difference|. */
  n: number;
  exact: number;
  within1: number;
  max: number;
}

export function emptyAgreement(): Agreement {
  return { n: 0, exact: 0, within1: 0, max: 0 };
}

/** Adds the element-wise differences of a and b to `into` (a new record by default) and returns it. */
export function agreement(a: Values, b: Values, into: Agreement = emptyAgreement()): Agreement {
  const x = valuesOf(a), y = valuesOf(b);
  sameLength(x, y);
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(Number(x[i]) - Number(y[i]));
    into.n++;
    if (d === 0) into.exact++;
    if (d <= 1) into.within1++;
    if (d > into.max) into.max = d;
  }
  return into;
}

/** "99.31%": a share as a percentage with two decimals. */
export function percent(part: number, n: number): string {
  return `${((100 * part) / n).toFixed(2)}%`;
}
