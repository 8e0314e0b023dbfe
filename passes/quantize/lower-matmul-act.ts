// MatMul of two activations (attention's Q·Kᵀ and softmax(scores)·V) -> the two-activation form
// of QMatMul (ir/ops/integer/qmatmul.ts): both operands are int8 with their own per-tensor
// calibrated parameters (the second one's zero point becomes `w_zero_point`), there is no bias,
// and the int32 sum of (x - x_zp)(w - w_zp) is requantized per tensor by s_x s_w / s_y with the
// pass's rounding. lowerMatMul (./lower-ops.ts) sends here every MatMul whose second operand is
// not a constant; constant weights keep their per-column symmetric lowering.
//
// The accumulator: a centred int8 value lies within [-255, 255], so K products fit int32 when
// K * max|x - x_zp| * max|w - w_zp| <= 2^31 - 1 (K <= 131071 for symmetric operands, 65793 for a
// softmax output against a symmetric V, 33025 in the worst case). A static K beyond that is kept
// in float. A symbolic K (scores·V sums over the time axis) is lowered: the bound is then a limit
// on the sequence length, stated in docs/quantization.md, since the pass cannot see run-time
// lengths and refusing would leave every attention block over time in float.
import { activationOf } from "../../ir/activation.js";
import { dimToString, type Dim } from "../../ir/dim.js";
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import type { Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import type { Lowering } from "./lowering.js";
import { activationClamp, QMAX, QMIN, type QParams } from "./params.js";

const INT32_MAX = 2147483647;

/** Largest |q - zp| of an int8 value with zero point zp; 255 when the parameters are not known yet. */
function maxCentred(p: QParams | undefined): number {
  return p ? Math.max(QMAX - p.zeroPoint, p.zeroPoint - QMIN) : QMAX - QMIN;
}

/** The most terms whose products of centred int8 values cannot overflow an int32 sum. */
export function maxTerms(x: QParams | undefined, w: QParams | undefined): number {
  return Math.floor(INT32_MAX / (maxCentred(x) * maxCentred(w)));
}

/** The parameters a value will have as int8 (constants are quantized later, from their own range). */
function knownParams(v: string, L: Lowering): QParams | undefined {
  return L.isConstant(v) ? L.intOf.get(v)?.params : L.paramsOf(v);
}

/** Why an operand cannot be read as int8, or undefined when it can. */
function operandProblem(v: string, L: Lowering): string | undefined {
  if (L.intOf.has(v)) return undefined;
  if (L.isConstant(v)) return L.constant(v)!.dtype === "f32" ? undefined : `its operand ${v} is not an f32 constant`;
  if (L.source.types[v]?.dtype !== "f32") return `its operand ${v} is not f32`;
  return L.paramsOf(v) ? undefined : `its operand ${v} has no calibrated range`;
}

/** MatMul(x, w) with a non-constant w, as an int8 x int8 QMatMul; a reason string when it stays in float. */
export function lowerMatMulAct(n: Node, L: Lowering): string | undefined {
  const [x, w] = n.inputs as [string, string];
  const o = n.outputs[0]!;
  if (L.options.int16.has(n.name) || L.options.int16.has(o)) return "the 16x8 mode needs constant weights; a product of two activations is lowered to int8 only";
  const xs: readonly Dim[] | undefined = L.source.types[x]?.shape, ws: readonly Dim[] | undefined = L.source.types[w]?.shape;
  if (!xs || !ws) return "its operand shapes are not known";
  // QMatMul takes ONNX MatMul's shapes except the vector promotions that drop a dim afterwards.
  if (ws.length < 2) return "its second operand is a vector (rank 1)";
  if (ws.length > 2 && xs.length < 2) return "its first operand is a vector (rank 1) against a batched second operand";
  for (const v of [x, w]) {
    const why = operandProblem(v, L);
    if (why) return why;
  }
  if (L.source.types[o]?.dtype !== "f32") return `its output ${o} is not f32`;
  const p = L.paramsOf(o);
  if (!p) return `its output ${o} has no calibrated range`;
  const act = activationOf(resolveAttrs(getOp(n.op), n.attrs) as { activation?: string; activation_params?: number[] });
  const clamp = activationClamp(act, p);
  if (!clamp) return `a fused ${act!.kind} is not a clamp`;
  const K = xs[xs.length - 1]!;
  const limit = maxTerms(knownParams(x, L), knownParams(w, L));
  if (typeof K === "number" && K > limit) {
    return `its inner dim K = ${dimToString(K)} is too long: sums of more than ${limit} products of these int8 operands can overflow int32`;
  }
  const xi = L.int(x), wi = L.int(w);
  if (!xi || !wi) return "an operand has no calibrated range";
  const m = quantizeMultiplier((xi.params.scale * wi.params.scale) / p.scale);
  const name = L.fresh(`${o}.q`);
  L.emit("QMatMul", [xi.name, wi.name], {
    x_zero_point: xi.params.zeroPoint, w_zero_point: wi.params.zeroPoint,
    multiplier: [m.multiplier], shift: [m.shift], rounding: L.options.rounding, y_zero_point: p.zeroPoint,
    qmin: clamp.qmin, qmax: clamp.qmax, out_dtype: "i8",
  }, [name], p);
  L.setInt(o, name, p);
  return undefined;
}
