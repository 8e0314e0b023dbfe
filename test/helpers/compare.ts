// Tensor comparison for tests: shapes, dtypes and values within a tolerance, with a readable report.
import type { Tensor } from "../../ir/types.js";

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Comparison {
  ok: boolean;
  maxAbsError: number;
  maxAbsRef: number;
  message: string;
}

/** |a - b| <= atol + rtol * |b| elementwise (NaN matches NaN); integers, bools and strings exactly. */
export function compareTensors(actual: Tensor, expected: Tensor, tol: Tolerance): Comparison {
  const fail = (message: string): Comparison => ({ ok: false, maxAbsError: Infinity, maxAbsRef: 0, message });
  if (actual.dtype !== expected.dtype) return fail(`dtype ${actual.dtype}, expected ${expected.dtype}`);
  if (actual.shape.join(",") !== expected.shape.join(",")) return fail(`shape [${actual.shape}], expected [${expected.shape}]`);
  const exact = !(actual.dtype === "f32" || actual.dtype === "f64");
  let maxErr = 0;
  let maxRef = 0;
  let worst = -1;
  let bad = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const b = expected.data[i]!;
    if (exact) {
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
        if (bad++ === 0) worst = i;
      }
      continue;
    }
    const x = a as number;
    const y = b as number;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (!(Number.isNaN(x) && Number.isNaN(y)) && bad++ === 0) worst = i;
      continue;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y && bad++ === 0) worst = i;
      continue;
    }
    const err = Math.abs(x - y);
    maxRef = Math.max(maxRef, Math.abs(y));
    if (err > maxErr) maxErr = err;
    if (err > tol.atol + tol.rtol * Math.abs(y)) {
      if (bad === 0 || err > Math.abs((actual.data[worst] as number) - (expected.data[worst] as number))) worst = i;
      bad++;
    }
  }
  if (bad > 0) {
    return {
      ok: false, maxAbsError: maxErr, maxAbsRef: maxRef,
      message: `${bad} of ${expected.data.length} elements differ; e.g. [${worst}] = ${String(actual.data[worst])}, expected ${String(expected.data[worst])} (max abs error ${maxErr})`,
    };
  }
  return { ok: true, maxAbsError: maxErr, maxAbsRef: maxRef, message: "ok" };
}
