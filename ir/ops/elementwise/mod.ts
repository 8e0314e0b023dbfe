// Mod: the elementwise remainder with numpy broadcasting (ONNX opset 10+).
//
// PyTorch exports floor division (`torch.div(x, y, rounding_mode="floor")`, `x // y`) of integer
// tensors through Mod, e.g. the encoded lengths of a CTC encoder `(lengths + 1) // 2`. fmod=0
// (integers only) gives the remainder the divisor's sign, as Python's %; fmod=1 gives it the
// dividend's sign, as C's fmod (the only form ONNX allows on floats).
import { isBig, isInteger, isPackedFloat, type DType } from "../../dtype.js";
import { storeReals, tensorToF32 } from "../../float-formats.js";
import { defineOp, int } from "../../op.js";
import { broadcastShapes } from "../../shape-util.js";
import { makeTensor, type Tensor } from "../../types.js";
import { bigFmodRow, bigModRow, broadcast2, fmodRow, modRow, planBroadcast, type NumArr } from "../../kernels/elementwise.js";
import { inferBroadcast, need, NUMERIC } from "./common.js";

function checkFmod(dt: DType, fmod: number): void {
  if (fmod !== 0 && fmod !== 1) throw new Error(`Mod: fmod must be 0 or 1, got ${fmod}`);
  if (fmod === 0 && !isInteger(dt)) throw new Error(`Mod: fmod=0 on ${dt} inputs (ONNX requires fmod=1 for floating-point inputs)`);
}

export const Mod = defineOp({
  name: "Mod",
  doc: "Elementwise remainder with numpy broadcasting: fmod=0 takes the divisor's sign (integers), fmod=1 the dividend's (C fmod).",
  attrs: { fmod: int(0) },
  inputs: ["A", "B"],
  outputs: ["C"],
  dtypes: NUMERIC,
  infer: (inputs, a) => {
    const [out] = inferBroadcast("Mod", inputs, ["A", "B"], NUMERIC);
    checkFmod(out!.dtype, a.fmod);
    return [out!];
  },
  evaluate: (inputs, attrs) => {
    const [a, b] = need("Mod", inputs, 2) as [Tensor, Tensor];
    if (a.dtype !== b.dtype) throw new Error(`Mod: inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
    const dt = a.dtype;
    checkFmod(dt, attrs.fmod);
    const shape = broadcastShapes(a.shape, b.shape);
    const plan = planBroadcast(shape, [a.shape, b.shape]);
    const out = makeTensor(dt, shape);
    if (isBig(dt)) {
      broadcast2(plan, out.data as BigInt64Array, a.data as BigInt64Array, b.data as BigInt64Array, attrs.fmod ? bigFmodRow : bigModRow);
    } else if (isPackedFloat(dt)) {
      const tmp = new Float32Array(plan.size);
      broadcast2(plan, tmp as NumArr, tensorToF32(a) as NumArr, tensorToF32(b) as NumArr, fmodRow);
      storeReals(dt, tmp, out.data);
    } else {
      broadcast2(plan, out.data as NumArr, a.data as NumArr, b.data as NumArr, attrs.fmod ? fmodRow : modRow);
    }
    return [out];
  },
});
