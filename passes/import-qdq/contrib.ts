// onnxruntime's com.microsoft QOperator ops in `import-qdq` (their reference semantics are in
// ir/ops/onnx-quant/contrib-*.ts): QLinearAdd / QLinearMul -> QAdd / QMul, QLinearSigmoid /
// QLinearLeakyRelu -> QLookup (the table is the op's own reference on all 256 inputs, so it is
// exact), QLinearConcat -> QConcat, QLinearSoftmax -> QSoftmax (+ Requantize when the output
// scale is not 1/256), QLinearGlobalAveragePool -> a depthwise QConv with a kernel of ones over
// the static 1-D spatial dim, else Dequantize -> GlobalAveragePool -> Quantize.
import { intRange } from "../../ir/dtype.js";
import type { Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { normAxis } from "../../ir/shape-util.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { binaryAttrs, concatAttrs } from "./groups.js";
import { requant, ROUNDING, type IntIn, type Lower, type QdqLowering, type QOut } from "./lowering.js";

const PARAMS = "its scales and zero points are not constant per-tensor values";

/** The integer input and output of a unary QLinear op (X, X_scale, X_zp, Y_scale, Y_zp). */
function unaryParams(n: Node, L: QdqLowering): { x: IntIn; out: QOut } | undefined {
  const [X, xs, xz, ys, yz] = n.inputs;
  const x = L.paramIn(X, xs, xz), out = L.paramOut(n.outputs[0]!, ys, yz);
  return x && out ? { x, out } : undefined;
}

export const lowerQLinearBinary: Lower = (n, L) => {
  const [A, as, az, B, bs, bz, cs, cz] = n.inputs;
  const a = L.paramIn(A, as, az), b = L.paramIn(B, bs, bz), out = L.paramOut(n.outputs[0]!, cs, cz);
  if (!a || !b || !out) return PARAMS;
  const op = n.op === "QLinearMul" ? "Mul" : "Add";
  return L.finish(n, `Q${op}`, [a.name, b.name], binaryAttrs(op, a, b, out, L), out);
};

/** QLinearSigmoid / QLinearLeakyRelu: the op's reference evaluated on every 8-bit input is the table. */
export const lowerQLinearUnary: Lower = (n, L) => {
  const p = unaryParams(n, L);
  if (!p) return PARAMS;
  const [lo] = intRange(p.x.dtype);
  const all = makeTensor(p.x.dtype, [256]);
  for (let i = 0; i < 256; i++) all.data[i] = lo + i;
  const def = getOp(n.op);
  const params = n.inputs.slice(1).map((v) => (v ? L.const(v) : undefined));
  const [y] = def.evaluate([all, ...params], resolveAttrs(def, n.attrs), { numOutputs: 1 });
  return L.finish(n, "QLookup", [p.x.name], { table: Array.from(y!.data as ArrayLike<number>), out_dtype: p.out.dtype }, p.out);
};

export const lowerQLinearConcat: Lower = (n, L) => {
  const [ys, yz, ...rest] = n.inputs;
  const out = L.paramOut(n.outputs[0]!, ys, yz);
  const xs: IntIn[] = [];
  for (let i = 0; i < rest.length; i += 3) {
    const x = L.paramIn(rest[i], rest[i + 1], rest[i + 2]);
    if (!x) return PARAMS;
    xs.push(x);
  }
  if (!out) return PARAMS;
  const axis = resolveAttrs(getOp("QLinearConcat"), n.attrs)["axis"] as number;
  return L.finish(n, "QConcat", xs.map((x) => x.name), concatAttrs(axis, xs, out), out);
};

const SOFTMAX_SCALE = 1 / 256;

export const lowerQLinearSoftmax: Lower = (n, L) => {
  const p = unaryParams(n, L);
  if (!p) return PARAMS;
  const a = resolveAttrs(getOp("QLinearSoftmax"), n.attrs) as { axis: number; opset: number };
  const rank = L.types[p.x.name]!.shape.length;
  const axis = normAxis(a.axis, rank);
  if (a.opset < 13 && axis !== rank - 1) return `opset ${a.opset} softmax over the input coerced to 2-D at axis ${axis} is not lowered (QSoftmax works along one axis)`;
  const expTable = Array.from({ length: 256 }, (_, d) => Math.round(32768 * Math.exp(-p.x.scale * d)));
  if (p.out.scale === SOFTMAX_SCALE) {
    return L.finish(n, "QSoftmax", [p.x.name], { axis, exp_table: expTable, y_zero_point: p.out.zeroPoint, out_dtype: p.out.dtype }, p.out);
  }
  // QSoftmax writes probabilities at scale 1/256; a Requantize brings them to the output's scale.
  const mid = L.fresh(`${p.out.name}.softmax`);
  const t = L.types[p.out.name]!;
  L.types[mid] = { dtype: "i8", shape: t.shape, quant: { kind: "affine", scale: [SOFTMAX_SCALE], zeroPoint: [-128] } };
  L.emit("QSoftmax", [p.x.name], { axis, exp_table: expTable, y_zero_point: -128, out_dtype: "i8" }, [mid], L.fresh(`${n.name}.softmax`));
  const m = requant(SOFTMAX_SCALE / p.out.scale);
  L.finish(n, "Requantize", [mid], {
    x_zero_point: -128, multiplier: [m.multiplier], shift: [m.shift], rounding: ROUNDING,
    y_zero_point: p.out.zeroPoint, qmin: p.out.qmin, qmax: p.out.qmax, out_dtype: p.out.dtype,
  }, p.out);
  L.lowered.set(n.name, "QSoftmax");
  return true;
};

/**
 * The mean over a static 1-D spatial dim as a depthwise QConv: weights of ones sum x - x_zp
 * exactly in int32, and the multiplier x_scale / (L * y_scale) takes the mean and the new scale.
 * Otherwise the mean runs in float between Dequantize and Quantize.
 */
export const lowerQLinearGlobalAveragePool: Lower = (n, L) => {
  const p = unaryParams(n, L);
  if (!p) return PARAMS;
  const shape = L.types[p.x.name]!.shape;
  const [, C, len] = shape;
  if (shape.length === 3 && typeof C === "number" && typeof len === "number") {
    const ones: Tensor = { dtype: "i8", shape: [C, 1, len], data: new Int8Array(C * len).fill(1) };
    const w = L.addConstant(`${n.name}.ones`, ones, { dtype: "i8", shape: [C, 1, len], quant: { kind: "affine", scale: [1], zeroPoint: [0] } });
    return L.finish(n, "QConv", [p.x.name, w], {
      kernel_shape: [len], group: C, x_zero_point: p.x.zeroPoint, ...L.requantAttrs([p.x.scale / (len * p.out.scale)], p.out),
    }, p.out);
  }
  const xf = L.fresh(`${p.x.name}.float`), yf = L.fresh(`${p.out.name}.float`);
  L.types[xf] = { dtype: "f32", shape };
  L.types[yf] = { dtype: "f32", shape: L.types[p.out.name]!.shape };
  L.emit("Dequantize", [p.x.name], { scale: p.x.scale, zero_point: p.x.zeroPoint }, [xf]);
  L.emit("GlobalAveragePool", [xf], {}, [yf], n.name);
  L.emit("Quantize", [yf], { scale: p.out.scale, zero_point: p.out.zeroPoint, out_dtype: p.out.dtype }, [p.out.name]);
  L.types[p.out.name] = p.out.type;
  return L.floated(n, "its spatial dims are not one static length, so the mean runs in float between Dequantize and Quantize");
};
