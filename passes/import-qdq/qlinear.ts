// The integer products of the QOperator format in `import-qdq`: QLinearConv and QLinearMatMul
// (default domain) and com.microsoft QGemm, with constant parameters and weights, become QConv /
// QMatMul. Weight zero points are folded into symmetric int8 when the result fits.
import { intRange } from "../../ir/dtype.js";
import type { AttrValue } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { toNumbers } from "../../ir/types.js";
import { WINDOW_ATTRS, type Lower, type QOut } from "./lowering.js";
import { constWeights } from "./weights.js";

const PARAMS_NOT_CONST = "its scales and zero points are not constant per-tensor values (per-column weights aside)";

/** QLinearConv / QLinearMatMul with constant parameters and weights. */
export const lowerQLinear: Lower = (n, L) => {
  const conv = n.op === "QLinearConv";
  const [x, xs, xz, w, ws, wz, ys, yz, B] = n.inputs;
  const xi = L.paramIn(x, xs, xz);
  if (!xi) return PARAMS_NOT_CONST;
  const sw = L.const(ws), zw = wz ? L.const(wz) : undefined;
  if (!sw || (wz && !zw)) return PARAMS_NOT_CONST;
  if (!L.const(w)) return "its weights are not a constant";
  const axis = conv ? 0 : 1;
  const scales = toNumbers(sw);
  const wq = constWeights(L, w!, scales, zw ? toNumbers(zw) : [0], axis);
  if (!wq || (!conv && L.types[wq.name]!.shape.length !== 2)) return "its weights are not 8-bit, per tensor or per output channel, fitting int8 once the zero point is removed";
  const outType = L.types[n.outputs[0]!]!;
  const sy = L.const(ys), zy = yz ? L.const(yz) : undefined;
  if (!sy || sy.data.length !== 1 || (yz && (!zy || zy.data.length !== 1))) return PARAMS_NOT_CONST;
  const y = Number(sy.data[0]), zpy = zy ? Number(zy.data[0]) : 0;
  const [lo, hi] = intRange(outType.dtype);
  const out: QOut = {
    name: n.outputs[0]!, type: { ...outType, quant: { kind: "affine", scale: [y], zeroPoint: [zpy] } },
    dtype: outType.dtype, scale: y, zeroPoint: zpy, qmin: lo, qmax: hi, taken: [],
  };
  const attrs: Record<string, AttrValue> = {};
  if (conv) for (const k of WINDOW_ATTRS) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k]!;
  Object.assign(attrs, { x_zero_point: xi.zeroPoint }, L.requantAttrs(wq.scales.map((s) => (xi.scale * s) / y), out));
  const ins = [xi.name, wq.name];
  if (B) {
    const bt = L.const(B);
    if (!bt) return "its bias is not a constant";
    L.types[B] = { dtype: "i32", shape: bt.shape };
    ins.push(B);
  }
  return L.finish(n, conv ? "QConv" : "QMatMul", ins, attrs, out);
};

/**
 * com.microsoft QGemm with a quantized output, transA = 0 and constant B: QMatMul with the
 * multiplier alpha a_scale b_scale[n] / y_scale and C (int32 at alpha a_scale b_scale) as bias.
 */
export const lowerQGemm: Lower = (n, L) => {
  const [A, as, az, B, bs, bz, C, ys, yz] = n.inputs;
  const a = resolveAttrs(getOp("QGemm"), n.attrs) as { alpha: number; transA: number; transB: number };
  if (a.transA) return "transA = 1 is not lowered";
  if (!ys) return "its output is float (no y_scale): QMatMul writes 8-bit values";
  if (!(a.alpha > 0)) return `alpha = ${a.alpha}: only a positive alpha is a requantization multiplier`;
  const x = L.paramIn(A, as, az);
  const out = L.paramOut(n.outputs[0]!, ys, yz);
  const sb = L.const(bs), zb = bz ? L.const(bz) : undefined;
  if (!x || !out || !sb || (bz && !zb)) return PARAMS_NOT_CONST;
  if (!L.const(B)) return "its B is not a constant";
  const scales = toNumbers(sb);
  const w = constWeights(L, B!, scales, zb ? toNumbers(zb) : [0], a.transB ? 0 : 1, a.transB !== 0);
  if (!w) return "its B is not per tensor or per output column, fitting int8 once the zero point is removed";
  const N = L.types[w.name]!.shape[1] as number;
  const ins = [x.name, w.name];
  if (C) {
    const ct = L.const(C);
    if (!ct) return "its C is not a constant";
    const lead = ct.shape.slice(0, -1);
    if (!lead.every((d) => d === 1) || (ct.data.length !== 1 && ct.data.length !== N)) return "its C is not a scalar or one value per output column";
    const b = new Int32Array(N);
    for (let i = 0; i < N; i++) b[i] = Number(ct.data[ct.data.length === 1 ? 0 : i]);
    ins.push(L.addConstant(`${C}.row`, { dtype: "i32", shape: [N], data: b }));
  }
  const attrs = { x_zero_point: x.zeroPoint, ...L.requantAttrs(w.scales.map((s) => (a.alpha * x.scale * s) / out.scale), out) };
  return L.finish(n, "QMatMul", ins, attrs, out);
};
