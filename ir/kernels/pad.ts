// Pad kernel for the ONNX modes constant, reflect, edge and wrap.
//
// Negative pads crop. Cropping happens first and the other modes then read the cropped range,
// which is what ONNX Runtime does (the ONNX reference, numpy.pad, rejects negative pads).
// Reflect and wrap may pad by more than the axis length: the pattern repeats as numpy.pad's does.
import type { Tensor } from "../types.js";
import type { Elem } from "./copy.js";
import { remapAxes, type AxisMap } from "./copy-remap.js";

export type PadMode = "constant" | "reflect" | "edge" | "wrap";

export function isPadMode(m: string): m is PadMode {
  return m === "constant" || m === "reflect" || m === "edge" || m === "wrap";
}

/** Output index -> input index (-1 for the constant) along one axis of size n. */
export function padAxisMap(n: number, begin: number, end: number, mode: PadMode): AxisMap {
  if (begin === 0 && end === 0) return null;
  const outN = n + begin + end;
  if (outN < 0) throw new Error(`pads ${begin},${end} remove more than the axis length ${n}`);
  const lo = Math.max(0, -begin);
  const hi = n - Math.max(0, -end);
  const m = hi - lo; // length of the range that is kept
  const map = new Int32Array(outN);
  const needsSource = mode !== "constant" && (begin > 0 || end > 0);
  if (needsSource && m <= 0) throw new Error(`${mode} padding needs a non-empty axis (length ${n})`);
  for (let o = 0; o < outN; o++) {
    const i = o - begin;
    if (i >= lo && i < hi) {
      map[o] = i;
      continue;
    }
    const j = i - lo; // position relative to the kept range
    let r: number;
    switch (mode) {
      case "constant": map[o] = -1; continue;
      case "edge": r = j < 0 ? 0 : m - 1; break;
      case "wrap": r = ((j % m) + m) % m; break;
      case "reflect": {
        if (m === 1) { r = 0; break; }
        const period = 2 * (m - 1);
        r = ((j % period) + period) % period;
        if (r >= m) r = period - r;
        break;
      }
    }
    map[o] = lo + r;
  }
  return map;
}

/** pads = [begin_0..begin_{r-1}, end_0..end_{r-1}] as in ONNX. */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode, fill: Elem): Tensor {
  const r = x.shape.length;
  if (pads.length !== 2 * r) throw new Error(`pads has ${pads.length} values, a rank-${r} input needs ${2 * r}`);
  const outShape = x.shape.map((d, k) => d + pads[k]! + pads[k + r]!);
  const maps = x.shape.map((d, k) => padAxisMap(d, pads[k]!, pads[k + r]!, mode));
  return remapAxes(x, outShape, maps, fill);
}
