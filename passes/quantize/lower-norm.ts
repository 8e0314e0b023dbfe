// LayerNormalization -> QLayerNorm (ir/ops/integer/qlayernorm.ts): the compile-time half of the
// integer layer norm. The float scale (gamma) and bias (beta), broadcast to the normalized
// shape, become int16 gamma at s_g = max|gamma| / 32767 and int32 beta at s_g 2^-F; epsilon
// becomes epsilon_q = round(4^j epsilon N^2 / s_x^2) (at least 1, j as large as fits); the output scale comes from
// calibration like every other op. F (the fraction bits of the normalized value) is the largest
// value for which z, beta and the output multiplier stay in range (see below).
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import type { Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { expandTo } from "../../ir/ops/nn/layernorm.js";
import { QLN_MAX_EPS, QLN_MAX_LEN, varianceShift } from "../../ir/ops/integer/qlayernorm.js";
import { getOp } from "../../ir/registry.js";
import { isStatic, normAxis } from "../../ir/shape-util.js";
import { numel } from "../../ir/types.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";
import type { Lowering } from "./lowering.js";

/** Most fraction bits z gets (rows of 2 values allow 29; longer ones fewer). */
const MAX_F = 29;

export function lowerLayerNorm(n: Node, L: Lowering): string | undefined {
  const [x, scale, bias] = n.inputs;
  if (n.outputs.slice(1).some((o) => o)) return "its Mean / InvStdDev outputs are used (only the normalized output is lowered)";
  const a = resolveAttrs(getOp("LayerNormalization"), n.attrs) as { axis: number; epsilon: number };
  const st = L.constant(scale!), bt = bias ? L.constant(bias) : undefined;
  if (!st || st.dtype !== "f32") return "its scale is not an f32 constant";
  if (bias && (!bt || bt.dtype !== "f32")) return "its bias is not an f32 constant";
  const o = n.outputs[0]!;
  const xt = L.source.types[x!], ot = L.source.types[o];
  if (xt?.dtype !== "f32" || ot?.dtype !== "f32") return "it is not a float32 LayerNormalization";
  const axis = normAxis(a.axis, xt.shape.length);
  const norm = xt.shape.slice(axis);
  if (!isStatic(norm)) return "its normalized dims are symbolic (gamma and beta need a static shape)";
  const N = numel(norm);
  if (N > QLN_MAX_LEN) return `its rows of ${N} values are longer than ${QLN_MAX_LEN}`;
  const p = L.paramsOf(o);
  if (!p) return `its output ${o} has no calibrated range`;
  // The input's parameters without emitting its Quantize yet: a refusal below leaves nothing behind.
  const xp = L.paramsOf(x!);
  if (!xp || L.isConstant(x!)) return `its input ${x} has no calibrated range`;

  const gamma = expandTo(st, norm), beta = bt ? expandTo(bt, norm) : new Float64Array(N);
  let gMax = 0, bMax = 0;
  for (let i = 0; i < N; i++) {
    gMax = Math.max(gMax, Math.abs(gamma[i]!));
    bMax = Math.max(bMax, Math.abs(beta[i]!));
  }
  const sg = gMax > 0 ? gMax / 32767 : 1;
  const gq = new Int16Array(N);
  for (let i = 0; i < N; i++) gq[i] = Math.max(-32767, Math.min(32767, roundHalfEven(gamma[i]! / sg)));
  // F: as many fraction bits as keep z = round(2^F n) (|n| <= sqrt(N-1)) and beta below 2^30,
  // and the output multiplier M = s_g 2^-F / s_y at least 2^-22: then acc's saturation never
  // changes an output, and z's rounding costs at most 0.5 * 32767 * M <= 2^-7 LSB.
  const sx = xp.scale;
  let F = MAX_F;
  while (F > 0 && Math.sqrt(N - 1) * 2 ** F * (1 + 2 ** -20) + 1 > 2 ** 30) F--;
  while (F > 0 && (sg * 2 ** -F) / p.scale < 2 ** -22) F--;
  while (F > 0 && (bMax / sg) * 2 ** F + 1 > 2 ** 30) F--;
  if ((bMax / sg) * 2 ** F + 1 > 2 ** 30) return "its bias is too large relative to its scale for int32 (beta / gamma beyond 2^30)";
  const real = (sg * 2 ** -F) / p.scale;
  if (real > 2 ** 30) return "its output scale is too small for a fixed-point multiplier";
  const out = quantizeMultiplier(real);
  const bq = new Int32Array(N);
  for (let i = 0; i < N; i++) bq[i] = roundHalfEven((beta[i]! / sg) * 2 ** F);
  // epsilon in the units of D: as many extra bits (4^j) as keep it below 2^51.
  const eps = (a.epsilon * N * N) / (sx * sx);
  let j = varianceShift(N);
  while (j > 0 && 4 ** j * eps > QLN_MAX_EPS) j--;
  if (!(eps <= QLN_MAX_EPS)) return `its epsilon ${a.epsilon} is out of scale with its input (epsilon / s_x^2 = ${eps / (N * N)})`;
  const E = Math.max(1, Math.round(4 ** j * eps));
  const gName = L.addConstant(`${scale}.q`, { dtype: "i16", shape: norm, data: gq }, {
    dtype: "i16", shape: norm, quant: { kind: "affine", scale: [sg], zeroPoint: [0] },
  });
  const xi = L.int(x!);
  if (!xi) return `its input ${x} has no calibrated range`;
  const inputs = [xi.name, gName];
  if (bias) {
    inputs.push(L.addConstant(`${bias}.q`, { dtype: "i32", shape: norm, data: bq }, {
      dtype: "i32", shape: norm, quant: { kind: "affine", scale: [sg * 2 ** -F], zeroPoint: [0] },
    }));
  }
  const name = L.fresh(`${o}.q`);
  L.emit("QLayerNorm", inputs, {
    axis, epsilon_q: E, frac_bits: F, var_shift: j, epsilon: a.epsilon,
    multiplier: [out.multiplier], shift: [out.shift], rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
  }, [name], p);
  L.setInt(o, name, p);
  return undefined;
}
