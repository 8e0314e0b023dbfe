// Concat and Split kernels: both move contiguous blocks of prod(shape[axis:]) elements per outer
// index, so they are block copies at any axis.
import { makeTensor, type Tensor } from "../types.js";
import { copyBlock } from "./copy.js";

function outerInner(shape: readonly number[], axis: number): [number, number] {
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k]!;
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  return [outer, inner];
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0]!;
  const outShape = [...first.shape];
  outShape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const out = makeTensor(first.dtype, outShape);
  const [outer, inner] = outerInner(outShape, axis);
  const rowOut = outShape[axis]! * inner;
  let at = 0;
  for (const x of xs) {
    const row = x.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) copyBlock(x.data, o * row, out.data, o * rowOut + at, row);
    at += row;
  }
  return out;
}

export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const [outer, inner] = outerInner(x.shape, axis);
  const rowIn = x.shape[axis]! * inner;
  let at = 0;
  return sizes.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    const out = makeTensor(x.dtype, shape);
    const row = size * inner;
    for (let o = 0; o < outer; o++) copyBlock(x.data, o * rowIn + at, out.data, o * row, row);
    at += row;
    return out;
  });
}
