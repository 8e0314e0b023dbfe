// Reductions (sum, mean, max, min, prod, L1, L2, log-sum, log-sum-exp, sum of squares) over any
// set of axes, in one pass over the input in memory order.
//
// Size-1 dims are dropped and neighbouring dims that are both reduced or both kept are merged,
// so the walk is an odometer over a few coalesced dims with a contiguous inner run: either a
// reduced run folded into one accumulator, or a kept run added lane by lane into a row of
// accumulators. Accumulators are doubles; log-sum-exp makes a first pass for the maxima.

export type ReduceKind = "sum" | "mean" | "max" | "min" | "prod" | "l1" | "l2" | "logsum" | "logsumexp" | "sumsquare";

/** A pass that the inner loop performs: how each element is folded into its accumulator. */
const enum Fold { Sum, Abs, Square, Max, Min, Prod, ExpShifted }

/**
 * Reduces x (row-major `shape`) over the axes flagged in `reduced` into out, whose element order
 * is x's order with the reduced axes removed. Returns nothing; out has one value per kept position.
 */
export function reduce(x: ArrayLike<number>, shape: readonly number[], reduced: readonly boolean[], kind: ReduceKind, out: Float64Array): void {
  const { dims, flags } = coalesce(shape, reduced);
  let count = 1;
  shape.forEach((d, i) => { if (reduced[i]) count *= d; });
  switch (kind) {
    case "sum": case "mean": case "logsum": out.fill(0); walk(x, dims, flags, out, Fold.Sum, undefined); break;
    case "l1": out.fill(0); walk(x, dims, flags, out, Fold.Abs, undefined); break;
    case "l2": case "sumsquare": out.fill(0); walk(x, dims, flags, out, Fold.Square, undefined); break;
    case "max": out.fill(-Infinity); walk(x, dims, flags, out, Fold.Max, undefined); break;
    case "min": out.fill(Infinity); walk(x, dims, flags, out, Fold.Min, undefined); break;
    case "prod": out.fill(1); walk(x, dims, flags, out, Fold.Prod, undefined); break;
    case "logsumexp": {
      const max = new Float64Array(out.length).fill(-Infinity);
      walk(x, dims, flags, max, Fold.Max, undefined);
      // A lane whose maximum is infinite would give inf - inf; shifting by 0 keeps the true result.
      for (let i = 0; i < max.length; i++) if (!Number.isFinite(max[i]!)) max[i] = 0;
      out.fill(0);
      walk(x, dims, flags, out, Fold.ExpShifted, max);
      for (let i = 0; i < out.length; i++) out[i] = Math.log(out[i]!) + max[i]!;
      return;
    }
  }
  if (kind === "mean") for (let i = 0; i < out.length; i++) out[i] = out[i]! / count;
  else if (kind === "l2") for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]!);
  else if (kind === "logsum") for (let i = 0; i < out.length; i++) out[i] = Math.log(out[i]!);
}

function coalesce(shape: readonly number[], reduced: readonly boolean[]): { dims: number[]; flags: boolean[] } {
  const dims: number[] = [], flags: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const f = reduced[i]!;
    if (dims.length > 0 && flags[flags.length - 1] === f) dims[dims.length - 1]! *= d;
    else {
      dims.push(d);
      flags.push(f);
    }
  }
  // An empty dim anywhere means no elements at all: nothing to walk.
  if (shape.some((d) => d === 0)) return { dims: [0], flags: [true] };
  if (dims.length === 0) return { dims: [1], flags: [true] };
  return { dims, flags };
}

function walk(x: ArrayLike<number>, dims: readonly number[], flags: readonly boolean[], acc: Float64Array, fold: Fold, shift: Float64Array | undefined): void {
  const r = dims.length;
  const inner = dims[r - 1]!;
  if (inner === 0) return;
  const innerReduced = flags[r - 1]!;
  // Accumulator stride of each outer dim: kept dims advance through acc, reduced ones do not.
  const accStride = new Array<number>(r).fill(0);
  let s = innerReduced ? 1 : inner;
  for (let i = r - 2; i >= 0; i--) {
    if (!flags[i]) {
      accStride[i] = s;
      s *= dims[i]!;
    }
  }
  const idx = new Array<number>(r).fill(0);
  let outer = 1;
  for (let i = 0; i < r - 1; i++) outer *= dims[i]!;
  let xo = 0, ao = 0;
  for (let n = 0; n < outer; n++) {
    if (innerReduced) foldRun(x, xo, inner, acc, ao, fold, shift);
    else foldLanes(x, xo, inner, acc, ao, fold, shift);
    xo += inner;
    for (let d = r - 2; d >= 0; d--) {
      ao += accStride[d]!;
      if (++idx[d]! < dims[d]!) break;
      ao -= accStride[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

/** Folds x[xo .. xo+n) into the single accumulator acc[ao]. */
function foldRun(x: ArrayLike<number>, xo: number, n: number, acc: Float64Array, ao: number, fold: Fold, shift: Float64Array | undefined): void {
  let a = acc[ao]!;
  const end = xo + n;
  switch (fold) {
    case Fold.Sum: for (let i = xo; i < end; i++) a += x[i]!; break;
    case Fold.Abs: for (let i = xo; i < end; i++) a += Math.abs(x[i]!); break;
    case Fold.Square: for (let i = xo; i < end; i++) a += x[i]! * x[i]!; break;
    case Fold.Max: for (let i = xo; i < end; i++) { const v = x[i]!; if (v > a || v !== v) a = v; } break;
    case Fold.Min: for (let i = xo; i < end; i++) { const v = x[i]!; if (v < a || v !== v) a = v; } break;
    case Fold.Prod: for (let i = xo; i < end; i++) a *= x[i]!; break;
    case Fold.ExpShifted: { const m = shift![ao]!; for (let i = xo; i < end; i++) a += Math.exp(x[i]! - m); break; }
  }
  acc[ao] = a;
}

/** Folds x[xo + j] into acc[ao + j] for j < n. */
function foldLanes(x: ArrayLike<number>, xo: number, n: number, acc: Float64Array, ao: number, fold: Fold, shift: Float64Array | undefined): void {
  switch (fold) {
    case Fold.Sum: for (let j = 0; j < n; j++) acc[ao + j] += x[xo + j]!; break;
    case Fold.Abs: for (let j = 0; j < n; j++) acc[ao + j] += Math.abs(x[xo + j]!); break;
    case Fold.Square: for (let j = 0; j < n; j++) { const v = x[xo + j]!; acc[ao + j] += v * v; } break;
    case Fold.Max: for (let j = 0; j < n; j++) { const v = x[xo + j]!; if (v > acc[ao + j]! || v !== v) acc[ao + j] = v; } break;
    case Fold.Min: for (let j = 0; j < n; j++) { const v = x[xo + j]!; if (v < acc[ao + j]! || v !== v) acc[ao + j] = v; } break;
    case Fold.Prod: for (let j = 0; j < n; j++) acc[ao + j] *= x[xo + j]!; break;
    case Fold.ExpShifted: for (let j = 0; j < n; j++) acc[ao + j] += Math.exp(x[xo + j]! - shift![ao + j]!); break;
  }
}
