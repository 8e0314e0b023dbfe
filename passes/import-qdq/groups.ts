// The QDQ groups of `import-qdq`: DequantizeLinear -> float op [-> Relu/Clip] -> QuantizeLinear,
// each written as the integer op the quantize pass would have made (QConv, QMatMul from MatMul or
// Gemm, QAdd, QMul, QConcat, QLookup, data movement on int8), and the QuantizeLinear nodes left
// alone (Requantize after a DequantizeLinear, else a boundary Quantize).
import { activationOf } from "../../ir/activation.js";
import { intRange } from "../../ir/dtype.js";
import type { AttrValue, Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";
import { Q8, requant, ROUNDING, WINDOW_ATTRS, type IntIn, type Lower, type QdqLowering, type QOut } from "./lowering.js";
import { bias, deqWeights } from "./weights.js";

export const NOT_INT_INPUT = "its input is not a DequantizeLinear output with constant per-tensor 8-bit parameters";
export const NO_Q_OUTPUT = "its output does not go (through at most one Relu/Clip) only to a QuantizeLinear with constant per-tensor 8-bit parameters";

export const lowerConv: Lower = (n, L) => {
  const [xf, wf, bf] = n.inputs;
  const x = L.intIn(xf);
  if (!x) return NOT_INT_INPUT;
  const w = deqWeights(L, wf, 0);
  if (!w) return "its weights are not a constant 8-bit DequantizeLinear (per tensor or per output channel) that fits int8";
  const M = L.types[w.name]!.shape[0] as number;
  const b = bf ? bias(L, bf, x.scale, w.scales, M) : undefined;
  if (bf && !b) return "its bias is neither a constant DequantizeLinear nor a float constant with one value per channel";
  const out = L.qOut(n.outputs[0]!, activationOf(n.attrs as { activation?: string }));
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  const attrs: Record<string, AttrValue> = {};
  for (const k of WINDOW_ATTRS) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k]!;
  Object.assign(attrs, { x_zero_point: x.zeroPoint }, L.requantAttrs(w.scales.map((s) => (x.scale * s) / out.scale), out));
  return L.finish(n, "QConv", [x.name, w.name, ...(b ? [b] : [])], attrs, out);
};

/** x * W (+ a bias Add after a MatMul, or Gemm's C) -> QMatMul; W [K, N] per column after `transpose`. */
function lowerProduct(n: Node, L: QdqLowering, transpose: boolean, c: string | undefined): true | string {
  const [xf, wf] = n.inputs;
  const x = L.intIn(xf);
  if (!x) return NOT_INT_INPUT;
  if (!L.deq.get(wf!)?.isConst && !L.const(wf)) return transpose || c !== undefined ? "its B is computed at run time" : lowerActivationProduct(n, L, x);
  const w = transpose ? deqWeights(L, wf, 0, true) : deqWeights(L, wf, 1);
  if (!w || L.types[w.name]!.shape.length !== 2) return "its weights are not a constant 2-D 8-bit DequantizeLinear (per tensor or per output column) that fits int8";
  const N = L.types[w.name]!.shape[1] as number;
  let y = n.outputs[0]!, b: string | undefined, add: Node | undefined;
  if (c !== undefined) {
    b = bias(L, c, x.scale, w.scales, N);
    if (!b) return "its C is neither a constant int32 DequantizeLinear nor a float constant with one value per column";
  } else {
    const u = L.onlyUser(y);
    if (u && u.op === "Add") {
      b = bias(L, u.inputs[0] === y ? u.inputs[1]! : u.inputs[0]!, x.scale, w.scales, N);
      if (b) {
        add = u;
        y = u.outputs[0]!;
      }
    }
  }
  const out = L.qOut(y);
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  if (add) L.done.add(add);
  const attrs = { x_zero_point: x.zeroPoint, ...L.requantAttrs(w.scales.map((s) => (x.scale * s) / out.scale), out) };
  return L.finish(n, "QMatMul", [x.name, w.name, ...(b ? [b] : [])], attrs, out);
}

export const lowerMatMul: Lower = (n, L) => lowerProduct(n, L, false, undefined);

/**
 * A MatMul of two dequantized activations (attention's Q.K^T and scores.V): QMatMul with w's zero
 * point, batched as ONNX MatMul, requantized per tensor by s_x s_w / s_y. Only where the QMatMul
 * definition takes an activation operand (its `w_zero_point`).
 */
function lowerActivationProduct(n: Node, L: QdqLowering, x: IntIn): true | string {
  if (!("w_zero_point" in getOp("QMatMul").attrs)) {
    return "its second operand is computed at run time, and QMatMul multiplies by constant int8 weights (a product of two activations stays float)";
  }
  const w = L.intIn(n.inputs[1]);
  if (!w) return "its second operand is not a DequantizeLinear output with constant per-tensor 8-bit parameters";
  const xr = L.types[x.name]!.shape.length, wr = L.types[w.name]!.shape.length;
  if (wr < 2 || (wr > 2 && xr < 2)) return "a 1-D operand is not lowered (QMatMul takes x[..., M, K] and w[..., K, N])";
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  return L.finish(n, "QMatMul", [x.name, w.name], {
    x_zero_point: x.zeroPoint, w_zero_point: w.zeroPoint, ...L.requantAttrs([(x.scale * w.scale) / out.scale], out),
  }, out);
}

/** Gemm with alpha = beta = 1 and transA = 0 (transB either way): QMatMul. */
export const lowerGemm: Lower = (n, L) => {
  const a = resolveAttrs(getOp("Gemm"), n.attrs) as { alpha: number; beta: number; transA: number; transB: number };
  if (a.transA) return "transA = 1 is not lowered";
  if (a.alpha !== 1 || a.beta !== 1) return `alpha = ${a.alpha} and beta = ${a.beta}: only alpha = beta = 1 is lowered (the int32 bias must be exact)`;
  return lowerProduct(n, L, a.transB !== 0, n.inputs[2] || undefined);
};

const LEFT_SHIFT = 20;

/** QAdd / QMul attributes for per-tensor inputs a, b and output out (TFLite's scheme for QAdd). */
export function binaryAttrs(op: "Add" | "Mul", a: IntIn, b: IntIn, out: QOut, L: QdqLowering): Record<string, AttrValue> {
  const zps = { a_zero_point: a.zeroPoint, b_zero_point: b.zeroPoint };
  if (op === "Mul") return { ...zps, ...L.requantAttrs([(a.scale * b.scale) / out.scale], out) };
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const ra = requant(a.scale / twiceMax), rb = requant(b.scale / twiceMax);
  return {
    ...zps, left_shift: LEFT_SHIFT, a_multiplier: ra.multiplier, a_shift: ra.shift, b_multiplier: rb.multiplier, b_shift: rb.shift,
    ...L.requantAttrs([twiceMax / (2 ** LEFT_SHIFT * out.scale)], out),
  };
}

export const lowerBinary: Lower = (n, L) => {
  const [a, b] = n.inputs.map((v) => L.intIn(v));
  if (!a || !b) return "an input is not a DequantizeLinear output with constant per-tensor 8-bit parameters";
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  const op = n.op === "Mul" ? "Mul" : "Add";
  return L.finish(n, `Q${op}`, [a.name, b.name], binaryAttrs(op, a, b, out, L), out);
};

/** QConcat attributes: each input requantized to out's parameters (multiplier 0: copied). */
export function concatAttrs(axis: number, xs: readonly IntIn[], out: QOut): Record<string, AttrValue> {
  const mult: number[] = [], shift: number[] = [];
  for (const x of xs) {
    const same = x.dtype === out.dtype && x.scale === out.scale && x.zeroPoint === out.zeroPoint;
    const r = same ? { multiplier: 0, shift: 0 } : requant(x.scale / out.scale);
    mult.push(r.multiplier);
    shift.push(r.shift);
  }
  return {
    axis, x_zero_points: xs.map((x) => x.zeroPoint), multipliers: mult, shifts: shift,
    rounding: ROUNDING, y_zero_point: out.zeroPoint, out_dtype: out.dtype,
  };
}

export const lowerConcat: Lower = (n, L) => {
  const xs = n.inputs.map((v) => L.intIn(v));
  if (xs.some((x) => !x)) return "an input is not a DequantizeLinear output with constant per-tensor 8-bit parameters";
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  const axis = resolveAttrs(getOp("Concat"), n.attrs)["axis"] as number;
  return L.finish(n, "QConcat", (xs as IntIn[]).map((x) => x.name), concatAttrs(axis, xs as IntIn[], out), out);
};

/** DQ -> unary f -> Q is exactly a 256-entry table: f on every dequantized input, quantized. */
export const lowerLookup: Lower = (n, L) => {
  const [xf, ...rest] = n.inputs;
  const x = L.intIn(xf);
  if (!x) return NOT_INT_INPUT;
  if (rest.some((r) => r && !L.const(r) && !L.deq.get(r)?.isConst)) return "an operand other than x is not a constant";
  const out = L.qOut(n.outputs[0]!);
  if (!out || !Q8.includes(out.dtype)) return NO_Q_OUTPUT;
  const [lo] = intRange(x.dtype);
  const grid = new Float32Array(256);
  for (let i = 0; i < 256; i++) grid[i] = x.scale * (i + lo - x.zeroPoint);
  const def = getOp(n.op);
  const args = [{ dtype: "f32" as const, shape: [256], data: grid }, ...rest.map((r) => (r ? L.constants[L.float(r)] : undefined))];
  const y = def.evaluate(args, resolveAttrs(def, n.attrs), { numOutputs: 1 })[0]!.data as Float32Array;
  const table = Array.from(y, (v) => {
    if (v !== v) return Math.min(out.qmax, Math.max(out.qmin, out.zeroPoint));
    return Math.min(out.qmax, Math.max(out.qmin, roundHalfEven(v / out.scale) + out.zeroPoint));
  });
  return L.finish(n, "QLookup", [x.name], { table, out_dtype: out.dtype }, out);
};

/**
 * Data movement between a DequantizeLinear and a QuantizeLinear with the same parameters; or
 * already on 8-bit data (as neonc's export writes it): kept as is, an integer op already.
 */
export const lowerPassThrough: Lower = (n, L) => {
  const [xf, ...rest] = n.inputs;
  const xt = xf ? L.types[xf] : undefined;
  if (xt && Q8.includes(xt.dtype) && n.outputs.length === 1) {
    const yt = L.types[n.outputs[0]!]!;
    if (xt.quant?.kind === "affine" && xt.quant.scale.length === 1 && !yt.quant) L.types[n.outputs[0]!] = { ...yt, quant: xt.quant };
    L.nodes.push({ ...n, inputs: n.inputs.map((i) => L.float(i)) });
    L.lowered.set(n.name, n.op);
    return true;
  }
  const x = L.intIn(xf);
  if (!x) return NOT_INT_INPUT;
  if (n.outputs.filter((o) => o).length !== 1) return "it has more than one output";
  const out = L.qOut(n.outputs[0]!);
  if (!out || out.dtype !== x.dtype || out.scale !== x.scale || out.zeroPoint !== x.zeroPoint || out.taken.length !== 1) {
    return "its output is not quantized again with its input's parameters";
  }
  return L.finish(n, n.op, [x.name, ...rest.map((r) => L.float(r))], { ...n.attrs }, out);
};

/**
 * A QuantizeLinear no group took: Requantize after a DequantizeLinear (a lone DQ -> Q pair), else
 * a boundary Quantize of a float value. Blocked parameters of a run-time value stop the import.
 */
export function lowerQuantize(n: Node, L: QdqLowering): boolean {
  const [xf, s, z] = n.inputs;
  const a = resolveAttrs(getOp("QuantizeLinear"), n.attrs) as { block_size: number; axis: number };
  if (a.block_size > 0) {
    throw new Error(
      `node "${n.name}" (QuantizeLinear): blocked quantization (block_size ${a.block_size} along axis ${a.axis}) of the run-time value "${xf}" cannot be imported, because neonc's integer types have one scale per tensor or per channel`,
    );
  }
  const st = L.const(s), zt = z ? L.const(z) : undefined;
  if (!st || (z && !zt) || st.data.length !== 1 || (zt && zt.data.length !== 1)) return false;
  const y = n.outputs[0]!, type = L.types[y]!;
  if (!["i8", "u8", "i16"].includes(type.dtype)) return false;
  const scale = Number(st.data[0]), zp = zt ? Number(zt.data[0]) : 0;
  const x = L.intIn(xf, ["i8", "u8", "i16", "i32"]);
  L.types[y] = { ...type, quant: { kind: "affine", scale: [scale], zeroPoint: [zp] } };
  if (x) {
    const m = requant(x.scale / scale);
    L.emit("Requantize", [x.name], {
      x_zero_point: x.zeroPoint, multiplier: [m.multiplier], shift: [m.shift], rounding: ROUNDING, y_zero_point: zp, out_dtype: type.dtype,
    }, [y], n.name);
    L.lowered.set(n.name, "Requantize");
    return true;
  }
  if (L.types[xf!]!.dtype !== "f32") return false;
  L.emit("Quantize", [L.float(xf!)], { scale, zero_point: zp, out_dtype: type.dtype }, [y], n.name);
  return true;
}
