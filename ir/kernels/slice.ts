// Slice kernel and the ONNX index arithmetic behind it (negative indices, clamping, negative steps).
import type { Tensor } from "../types.js";
import { remapAxes, type AxisMap } from "./copy-remap.js";

export interface AxisSlice {
  readonly start: number;
  readonly step: number;
  readonly length: number;
}

/** Resolves one axis of an ONNX Slice on a dim of size d (opset 10+ rules; huge values clamp). */
export function sliceAxis(d: number, start: number, end: number, step: number): AxisSlice {
  if (step === 0 || !Number.isInteger(step)) throw new Error(`slice step ${step} is not a non-zero integer`);
  let s = start < 0 ? start + d : start;
  let e = end < 0 ? end + d : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), d);
    e = Math.min(Math.max(e, 0), d);
  } else {
    s = Math.min(Math.max(s, 0), d - 1);
    e = Math.min(Math.max(e, -1), d - 1);
  }
  const length = Math.max(0, step > 0 ? Math.ceil((e - s) / step) : Math.ceil((s - e) / -step));
  return { start: s, step, length };
}

/** Per-axis slices of a tensor of `shape`; axes not named keep their full range. */
export function resolveSlice(shape: readonly number[], starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined): (AxisSlice | null)[] {
  const rank = shape.length;
  if (starts.length !== ends.length) throw new Error(`slice has ${starts.length} starts but ${ends.length} ends`);
  const ax = axes ?? starts.map((_, i) => i);
  if (ax.length !== starts.length) throw new Error(`slice has ${starts.length} starts but ${ax.length} axes`);
  if (steps && steps.length !== starts.length) throw new Error(`slice has ${starts.length} starts but ${steps.length} steps`);
  const out: (AxisSlice | null)[] = new Array(rank).fill(null);
  ax.forEach((a, i) => {
    const k = a < 0 ? a + rank : a;
    if (!Number.isInteger(k) || k < 0 || k >= rank) throw new Error(`slice axis ${a} is out of range for rank ${rank}`);
    if (out[k]) throw new Error(`slice axis ${a} is given twice`);
    out[k] = sliceAxis(shape[k]!, starts[i]!, ends[i]!, steps ? steps[i]! : 1);
  });
  return out;
}

export function slice(x: Tensor, slices: readonly (AxisSlice | null)[]): Tensor {
  const outShape = x.shape.map((d, k) => slices[k]?.length ?? d);
  const maps: AxisMap[] = slices.map((s) => {
    if (!s) return null;
    const m = new Int32Array(s.length);
    for (let o = 0; o < s.length; o++) m[o] = s.start + o * s.step;
    return m;
  });
  return remapAxes(x, outShape, maps);
}
