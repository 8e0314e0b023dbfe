// Transpose kernel: any permutation of any dtype.
//
// Size-1 axes are dropped and output axes that stay adjacent in the input are merged first, so
// e.g. [N,C,H,W] -> [N,H,W,C] runs as a 2-D transpose per batch and no-op permutations are a copy.
import { makeTensor, stridesOf, type Tensor } from "../types.js";
import { copyBlock, type Cells } from "./copy.js";

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const outShape = perm.map((p) => x.shape[p]!);
  const out = makeTensor(x.dtype, outShape);
  const n = out.data.length;
  if (n === 0) return out;
  const inStrides = stridesOf(x.shape);
  // Collapse the problem: (size, input stride) per output axis, without 1s, merged when contiguous.
  const dims: number[] = [];
  const strides: number[] = [];
  perm.forEach((p) => {
    const d = x.shape[p]!;
    if (d === 1) return;
    const s = inStrides[p]!;
    const last = dims.length - 1;
    if (last >= 0 && strides[last] === s * d) {
      dims[last] *= d;
      strides[last] = s;
    } else {
      dims.push(d);
      strides.push(s);
    }
  });
  if (dims.length <= 1) {
    copyBlock(x.data, 0, out.data, 0, n);
    return out;
  }
  const r = dims.length;
  const innerN = dims[r - 1]!;
  const innerS = strides[r - 1]!;
  const idx = new Int32Array(r);
  const s = x.data as Cells;
  const d = out.data as Cells;
  let inOff = 0;
  for (let o = 0; o < n; o += innerN) {
    if (innerS === 1) copyBlock(x.data, inOff, out.data, o, innerN);
    else for (let j = 0, i = inOff; j < innerN; j++, i += innerS) d[o + j] = s[i]!;
    for (let k = r - 2; k >= 0; k--) {
      inOff += strides[k]!;
      if (++idx[k] < dims[k]!) break;
      inOff -= strides[k]! * dims[k]!;
      idx[k] = 0;
    }
  }
  return out;
}
