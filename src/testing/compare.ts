// Compares an output of the transformed graph with the reference output, under a tolerance.
//
// "exact" means the same dtype, shape and element values bit for bit, except that any NaN
// equals any NaN (-0 and +0 differ). A numeric tolerance allows, per element,
//   |got - ref| <= atol + rtol * |ref| + relToMax * max|ref|
// where max|ref| is over the finite reference elements; relToMax alone is the project's rule
// for float passes (max |a-b| <= relToMax * max|ref|). NaN must meet NaN and an infinity the same
// infinity. Each returns one readable sentence saying what differs, or undefined.
import { isPackedFloat } from "../../ir/dtype.js";
import { tensorToF64 } from "../../ir/float-formats.js";
import { makeTensor, type Tensor } from "../../ir/types.js";

export type Tolerance = "exact" | { readonly rtol?: number; readonly atol?: number; readonly relToMax?: number };

/**
 * `floats` for f32/f64 outputs, bit for bit for every other dtype (integers, bool, strings, the
 * packed floats): what conformance tests against stored reference outputs compare with.
 */
export function floatTolerance(dtype: string, floats: Tolerance): Tolerance {
  return dtype === "f32" || dtype === "f64" ? floats : "exact";
}

export function toleranceToString(tol: Tolerance): string {
  if (tol === "exact") return "exact (bit for bit)";
  const parts = Object.entries(tol).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(", ") : "equal values (no tolerance given)";
}

/** Multi-index text of flat element i of a shape, e.g. [0,2,5]. */
export function indexText(shape: readonly number[], i: number): string {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    idx[k] = d > 0 ? i % d : 0;
    i = d > 0 ? Math.floor(i / d) : 0;
  }
  return `[${idx.join(",")}]`;
}

/** Why `got` does not match `ref` under the tolerance, or undefined when it does. */
export function compareTensors(ref: Tensor, got: Tensor, tol: Tolerance): string | undefined {
  if (got.dtype !== ref.dtype) return `dtype is ${got.dtype}, expected ${ref.dtype}`;
  if (got.shape.length !== ref.shape.length || got.shape.some((d, i) => d !== ref.shape[i])) {
    return `shape is [${got.shape.join(",")}], expected [${ref.shape.join(",")}]`;
  }
  return tol === "exact" ? compareExact(ref, got) : compareNumeric(ref, got, tol);
}

function compareExact(ref: Tensor, got: Tensor): string | undefined {
  const a = ref.data as ArrayLike<unknown>, b = got.data as ArrayLike<unknown>;
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      count++;
      if (first < 0) first = i;
    }
  }
  if (count === 0) return undefined;
  const show = (t: Tensor): string => {
    const v = (t.data as ArrayLike<unknown>)[first];
    if (!isPackedFloat(t.dtype)) return showValue(v);
    // f16/bf16/float8 hold bit patterns: show the value and the bits.
    const real = tensorToF64(makeTensor(t.dtype, [1], (t.data as Uint16Array).slice(first, first + 1)))[0];
    return `${showValue(real)} (bits 0x${Number(v).toString(16)})`;
  };
  return `${count} of ${a.length} elements differ (exact comparison); first at ${indexText(ref.shape, first)}: expected ${show(ref)}, got ${show(got)}`;
}

function showValue(v: unknown): string {
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  if (typeof v === "bigint") return `${v}n`;
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function compareNumeric(ref: Tensor, got: Tensor, tol: Exclude<Tolerance, "exact">): string | undefined {
  const rtol = tol.rtol ?? 0, atol = tol.atol ?? 0, relToMax = tol.relToMax ?? 0;
  const a = tensorToF64(ref), b = tensorToF64(got);
  const n = a.length;
  let maxRef = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[i]!);
    if (v !== Infinity && v > maxRef) maxRef = v;
  }
  const base = atol + relToMax * maxRef;
  let count = 0, worst = -1, worstExcess = -Infinity, maxDiff = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    let excess: number;
    if (x !== x || y !== y) excess = x !== x && y !== y ? -1 : Infinity;
    else if (x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) excess = x === y ? -1 : Infinity;
    else {
      const diff = Math.abs(x - y);
      if (diff > maxDiff) maxDiff = diff;
      excess = diff - (base + rtol * Math.abs(x));
    }
    if (excess > 0) {
      count++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (count === 0) return undefined;
  const x = a[worst]!, y = b[worst]!;
  const allowed = base + rtol * Math.abs(x);
  const diff = Math.abs(x - y);
  return `${count} of ${n} elements differ beyond the tolerance (${toleranceToString(tol)}); worst at ${indexText(ref.shape, worst)}: ` +
    `expected ${showValue(x)}, got ${showValue(y)} (|a-b| = ${Number.isNaN(diff) ? "NaN" : diff}, allowed ${allowed}); ` +
    `max|a-b| = ${maxDiff} over the finite elements, max|ref| = ${maxRef}`;
}
