// im2col and col2imAdd share one walk; check im2col's values and that col2imAdd is its adjoint.
import { describe, expect, it } from "vitest";
import type { ConvGeometry } from "../../../ir/kernels/conv-geometry.js";
import { col2imAdd, im2col, im2colSize } from "../../../ir/kernels/conv-im2col.js";
import { randomValues } from "./helpers.js";

function geometry(inShape: number[], kernel: number[], strides: number[], dilations: number[], pads: number[]): ConvGeometry {
  const outShape = inShape.map((n, i) => Math.floor((n + 2 * pads[i]! - (kernel[i]! - 1) * dilations[i]! - 1) / strides[i]!) + 1);
  return { inShape, kernel, strides, dilations, padBegin: pads, padEnd: pads, outShape };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe("im2col", () => {
  it("1-D, stride 2, pad 1: rows are kernel taps, padding reads padValue", () => {
    const g = geometry([4], [3], [2], [1], [1]);
    const x = new Int32Array([1, 2, 3, 4]);
    const { rows, cols } = im2colSize(1, g);
    const col = new Int32Array(rows * cols);
    im2col(x, 0, 1, g, col, 0, -9);
    // Output positions 0, 1 start at input -1, 1.
    expect(Array.from(col)).toEqual([-9, 2, 1, 3, 2, 4]);
  });

  for (const [name, g] of [
    ["2-D strided, dilated, padded", geometry([5, 6], [3, 2], [2, 1], [1, 2], [1, 1])],
    ["3-D", geometry([3, 4, 3], [2, 2, 2], [1, 2, 1], [1, 1, 2], [1, 0, 1])],
  ] as const) {
    it(`col2imAdd is the adjoint of im2col (${name})`, () => {
      const C = 2;
      const inSize = C * g.inShape.reduce((a, b) => a * b, 1);
      const { rows, cols } = im2colSize(C, g);
      const x = new Float64Array(randomValues(inSize, 1));
      const c = new Float64Array(randomValues(rows * cols, 2));
      const ix = new Float64Array(rows * cols);
      im2col(x, 0, C, g, ix);
      const y = new Float64Array(inSize);
      col2imAdd(c, 0, C, g, y, 0);
      expect(dot(y, x)).toBeCloseTo(dot(c, ix), 10);
    });
  }
});
