// Pooling: hand-checked windows, count_include_pad, ceil_mode, dilations, MaxPool indices in both
// storage orders, symbolic output lengths and the global pools.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim, sym } from "../../../ir/dim.js";
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from "../../../ir/ops/nn/pool.js";
import { expectClose, f32, importCtx, infer, onnxNode, run, tt } from "./helpers.js";

const values = (t: { data: unknown }) => Array.from(t.data as ArrayLike<number>, Number);
const grid = (h: number, w: number) => f32([1, 1, h, w], Array.from({ length: h * w }, (_, i) => i + 1));

describe("AveragePool", () => {
  it("averages windows, excluding or including the padding", () => {
    const x = f32([1, 1, 4], [1, 2, 3, 4]);
    expect(values(run(AveragePool, [x], { kernel_shape: [3], pads: [1, 1] })[0]!)).toEqual([1.5, 2, 3, 3.5]);
    expect(values(run(AveragePool, [x], { kernel_shape: [3], pads: [1, 1], count_include_pad: 1 })[0]!)).toEqual([1, 2, 3, Math.fround(7 / 3)]);
  });

  it("ceil_mode keeps a partial last window but never one starting in the end padding", () => {
    const x = grid(4, 4);
    const y = run(AveragePool, [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })[0]!;
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(values(y)).toEqual([6, 7.5, 12, 13.5]);
    // in 5, k 2, s 2, pad 1 each side: ceil((5+2-2)/2)+1 = 4, but the 4th window would start at 5 (padding) -> 3.
    const z = run(AveragePool, [f32([1, 1, 5], [1, 2, 3, 4, 5])], { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 })[0]!;
    expect(z.shape).toEqual([1, 1, 3]);
    expect(values(z)).toEqual([1, 2.5, 4.5]);
  });

  it("handles dilations and 3-D input", () => {
    const x = f32([1, 1, 2, 2, 5], Array.from({ length: 20 }, (_, i) => i));
    const y = run(AveragePool, [x], { kernel_shape: [2, 1, 2], dilations: [1, 1, 3] })[0]!;
    expect(y.shape).toEqual([1, 1, 1, 2, 2]);
    // window (d=0,1) x (w, w+3): mean of x[0,h,w], x[0,h,w+3], x[1,h,w], x[1,h,w+3]
    expect(values(y)).toEqual([(0 + 3 + 10 + 13) / 4, (1 + 4 + 11 + 14) / 4, (5 + 8 + 15 + 18) / 4, (6 + 9 + 16 + 19) / 4]);
  });

  it("infers symbolic lengths, and SAME becomes explicit pads at import for static lengths", () => {
    const T = sym("T");
    const y = infer(AveragePool, [tt("f32", [1, 8, T])], { kernel_shape: [3], strides: [2], pads: [1, 1] })[0]!;
    expect(dimToString(y.shape[2]!)).toBe(dimToString(parseDim("floor((T-1)/2)+1")));
    const same = infer(AveragePool, [tt("f32", [1, 8, T])], { kernel_shape: [3], strides: [2], auto_pad: "SAME_UPPER" })[0]!;
    expect(dimToString(same.shape[2]!)).toBe(dimToString(parseDim("ceil(T/2)")));
    // ceil_mode over a symbolic length is only defined when no window can start in the end padding.
    expect(() => infer(AveragePool, [tt("f32", [1, 8, T])], { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 })).toThrow(/ceil_mode/);
    const spec = AveragePool.fromOnnx!(onnxNode("AveragePool", ["x"], ["y"], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: "SAME_UPPER" }),
      importCtx(19, {}, { x: tt("f32", [1, 1, 5, 5]) }));
    expect(spec.attrs).toEqual({ kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  });

  it("SAME pads count as padding for count_include_pad", () => {
    const x = f32([1, 1, 3], [3, 6, 9]);
    const excl = run(AveragePool, [x], { kernel_shape: [2], auto_pad: "SAME_LOWER" })[0]!;
    expect(values(excl)).toEqual([3, 4.5, 7.5]);
    const incl = run(AveragePool, [x], { kernel_shape: [2], auto_pad: "SAME_LOWER", count_include_pad: 1 })[0]!;
    expect(values(incl)).toEqual([1.5, 4.5, 7.5]);
  });
});

describe("MaxPool", () => {
  it("takes window maxima and the flat index of the first maximum", () => {
    const x = grid(5, 5);
    const [y, idx] = run(MaxPool, [x], { kernel_shape: [2, 2], strides: [2, 2] }, 2);
    expect(values(y!)).toEqual([7, 9, 17, 19]);
    expect(values(idx!)).toEqual([6, 8, 16, 18]);
    expect(idx!.dtype).toBe("i64");
    const [, col] = run(MaxPool, [x], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 }, 2);
    // column-major: h + w * H
    expect(values(col!)).toEqual([1 + 1 * 5, 1 + 3 * 5, 3 + 1 * 5, 3 + 3 * 5]);
  });

  it("counts batch and channel in the index, ignores padding and prefers the first maximum", () => {
    const x = f32([2, 1, 3], [1, 1, 0, 5, 2, 5]);
    const [y, idx] = run(MaxPool, [x], { kernel_shape: [2], pads: [1, 1] }, 2);
    expect(values(y!)).toEqual([1, 1, 1, 0, 5, 5, 5, 5]);
    expect(values(idx!)).toEqual([0, 0, 1, 2, 3, 3, 5, 5]);
  });

  it("supports dilations, int8 and checks the rank", () => {
    const x = f32([1, 1, 6], [1, 9, 2, 8, 3, 7]);
    expect(values(run(MaxPool, [x], { kernel_shape: [2], dilations: [2] })[0]!)).toEqual([2, 9, 3, 8]);
    const q = { dtype: "i8" as const, shape: [1, 1, 4], data: new Int8Array([-5, -3, -9, 4]) };
    expect(values(run(MaxPool, [q], { kernel_shape: [2] })[0]!)).toEqual([-3, -3, 4]);
    expect(() => infer(MaxPool, [tt("f32", [1, 1, 4, 4])], { kernel_shape: [2] })).toThrow(/rank/);
    const t = infer(MaxPool, [tt("f32", [1, 2, 8])], { kernel_shape: [2], strides: [2] }, 2);
    expect(t[1]).toEqual({ dtype: "i64", shape: [1, 2, 4] });
  });
});

describe("global pools", () => {
  it("average and max over all spatial positions", () => {
    const x = f32([1, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -8]);
    expectClose(run(GlobalAveragePool, [x])[0]!, { shape: [1, 2, 1, 1], data: [2.5, -3.5] });
    expectClose(run(GlobalMaxPool, [x])[0]!, { shape: [1, 2, 1, 1], data: [4, -1] });
    expect(infer(GlobalAveragePool, [tt("f32", [1, 4, sym("T")])])[0]!.shape).toEqual([1, 4, 1]);
  });
});
