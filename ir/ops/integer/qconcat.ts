// QConcat: concatenation of integer tensors with different scales. Each input i is requantized
// to the output's scale and zero point (multipliers[i]/shifts[i] = s_i / s_y); an input that
// already has the output's parameters (multiplier 0 marks it) is copied unchanged.
import { addDim } from "../../dim.js";
import { defineOp, int, ints, str } from "../../op.js";
import { normAxis } from "../../shape-util.js";
import { tensorType } from "../../types.js";
import { intRange } from "../../dtype.js";
import { multiplyByQuantizedMultiplier } from "../../fixed-point.js";
import { checkRounding, checkZeroPoint, expectDtype, need, outDtype } from "./common.js";
import { qconcatToOnnx } from "./to-onnx.js";
import { concatMapped } from "../../kernels/concat-map.js";

export const QConcat = defineOp({
  name: "QConcat",
  doc: "Concatenation of integer tensors, each requantized to the output scale (multiplier 0: copied as is).",
  attrs: {
    axis: int(0), x_zero_points: ints([]), multipliers: ints([]), shifts: ints([]),
    rounding: str("gemmlowp"), y_zero_point: int(0), out_dtype: str("i8"),
  },
  inputs: ["xs*"],
  outputs: ["y"],
  infer(inputs, a) {
    const xs = inputs.map((t, i) => need(t, `x${i}`));
    if (xs.length === 0) throw new Error("QConcat needs at least one input");
    const n = xs.length;
    if (a.x_zero_points.length !== n || a.multipliers.length !== n || a.shifts.length !== n) {
      throw new Error(`x_zero_points, multipliers and shifts need ${n} values each`);
    }
    checkRounding(a.rounding);
    checkZeroPoint(a.y_zero_point, outDtype(a), "y_zero_point");
    const rank = xs[0]!.shape.length;
    const axis = normAxis(a.axis, rank);
    let len = xs[0]!.shape[axis]!;
    for (let i = 0; i < n; i++) {
      expectDtype(xs[i]!, ["i8", "u8"], `x${i}`);
      if (xs[i]!.shape.length !== rank) throw new Error(`input ${i} has rank ${xs[i]!.shape.length}, expected ${rank}`);
      if (i > 0) len = addDim(len, xs[i]!.shape[axis]!);
    }
    const shape = [...xs[0]!.shape];
    shape[axis] = len;
    return [tensorType(outDtype(a), shape)];
  },
  evaluate(inputs, a) {
    const xs = inputs.map((t, i) => need(t, `x${i}`));
    const rounding = checkRounding(a.rounding);
    const dt = outDtype(a);
    const [lo, hi] = intRange(dt);
    return [concatMapped(xs, normAxis(a.axis, xs[0]!.shape.length), dt, (i) => {
      const m = a.multipliers[i]!, s = a.shifts[i]!, zp = a.x_zero_points[i]!;
      if (m === 0) return null;
      return (x) => {
        const v = multiplyByQuantizedMultiplier(x - zp, m, s, rounding) + a.y_zero_point;
        return v < lo ? lo : v > hi ? hi : v;
      };
    })];
  },
  toOnnx: qconcatToOnnx,
});
