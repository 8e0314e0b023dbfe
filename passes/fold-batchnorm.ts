// fold-batchnorm: inference BatchNormalization, y = a*x + c per channel with
// a = scale/sqrt(var+eps) and c = bias - a*mean, folded into the weights of a neighbour.
//
// Into the producer (an op with the absorbsBatchNorm trait — Conv, ConvTranspose, Gemm, MatMul —
// with constant weights and no fused activation): the producer's
// output channels are scaled by a and c is added to the bias (a bias is created when there was
// none; MatMul gets an Add). Into a following Conv: its input channels are scaled by a and c,
// pushed through the filter, goes into the bias; this is exact only when the Conv pads nothing
// (padding would see 0, not c) or c is zero, so other cases decline.
import type { Node } from "../ir/graph.js";
import type { Tensor } from "../ir/types.js";
import { opNamesWith } from "../ir/traits.js";
import { definePass } from "./pass.js";
import { f64Values, floatTensor, isComputeFloat } from "./float-constants.js";
import { ensure, rule, type GraphView, type Rewrite } from "./patterns.js";

interface Affine {
  /** Per-channel factor a and shift c. */
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly dtype: "f32" | "f64";
}

/** The BatchNormalization as a per-channel affine map, or a decline saying why it is not one. */
function bnAffine(bn: Node, g: GraphView): Affine {
  const attrs = g.attrs<{ epsilon: number; training_mode: number }>(bn);
  ensure(!attrs.training_mode, "training_mode=1 (batch statistics are not known in advance)");
  ensure(bn.outputs.slice(1).every((o) => !o || g.useCount(o) === 0), "its running statistics outputs are read");
  const x = g.type(bn.inputs[0]!);
  ensure(isComputeFloat(x.dtype), `its input is ${x.dtype}, not f32 or f64`);
  const names = ["scale", "bias", "mean", "var"];
  const params: Float64Array[] = [];
  for (let k = 1; k <= 4; k++) {
    const t = g.constant(bn.inputs[k] ?? "");
    ensure(t, `its ${names[k - 1]} is not a constant`);
    ensure(t.shape.length === 1, `its ${names[k - 1]} has shape [${t.shape.join(",")}], not [C]`);
    params.push(f64Values(t));
  }
  const [scale, bias, mean, variance] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
  const C = scale.length;
  const a = new Float64Array(C);
  const c = new Float64Array(C);
  for (let i = 0; i < C; i++) {
    a[i] = scale[i]! / Math.sqrt(variance[i]! + attrs.epsilon);
    c[i] = bias[i]! - a[i]! * mean[i]!;
  }
  return { a, c, dtype: x.dtype as "f32" | "f64" };
}

function constantWeight(g: GraphView, n: Node, k: number, what: string): Tensor {
  const t = g.constant(n.inputs[k] ?? "");
  ensure(t, `the ${n.op}'s ${what} is not a constant`);
  ensure(isComputeFloat(t.dtype), `the ${n.op}'s ${what} is ${t.dtype}`);
  return t;
}

function noActivation(n: Node): true | string {
  return n.attrs.activation ? `${n.op} ${n.name} has a fused ${String(n.attrs.activation)} before the BatchNormalization` : true;
}

/** New bias values: old bias (or 0) times a, plus c, per output channel. */
function foldedBias(old: Tensor | undefined, f: Affine): Float64Array {
  const b = old ? f64Values(old) : new Float64Array(f.a.length);
  for (let o = 0; o < b.length; o++) b[o] = b[o]! * f.a[o]! + f.c[o]!;
  return b;
}

/** Conv / ConvTranspose before the BN: scale output channels, fold the shift into the bias. */
function intoConv(bn: Node, conv: Node, f: Affine, g: GraphView): Rewrite {
  const w = constantWeight(g, conv, 1, "weight");
  const bias = conv.inputs[2] ? constantWeight(g, conv, 2, "bias") : undefined;
  const { group } = g.attrs<{ group: number }>(conv);
  const W = f64Values(w);
  const per = W.length / w.shape[0]!;
  if (conv.op === "Conv") {
    // w: [M, C/g, k...]; output channel o is w's first index.
    ensure(w.shape[0] === f.a.length, `the Conv has ${w.shape[0]} output channels, the BatchNormalization ${f.a.length}`);
    for (let o = 0; o < w.shape[0]!; o++) for (let i = o * per; i < (o + 1) * per; i++) W[i]! *= f.a[o]!;
  } else {
    // w: [C, M/g, k...]; input channel ci in group gi = floor(ci / (C/g)) feeds output gi*(M/g) + j.
    const Cin = w.shape[0]!, Mg = w.shape[1]!, k = per / Mg;
    ensure(Mg * group === f.a.length, `the ConvTranspose has ${Mg * group} output channels, the BatchNormalization ${f.a.length}`);
    for (let ci = 0; ci < Cin; ci++) {
      const gi = Math.floor(ci / (Cin / group));
      for (let j = 0; j < Mg; j++) {
        const s = f.a[gi * Mg + j]!;
        for (let t = 0, i = (ci * Mg + j) * k; t < k; t++, i++) W[i]! *= s;
      }
    }
  }
  const b = g.rewrite(bn).absorb(conv);
  const wName = b.constant(`${conv.inputs[1]}.folded`, floatTensor(w.dtype as "f32" | "f64", w.shape, W));
  const bName = b.constant(conv.inputs[2] ? `${conv.inputs[2]}.folded` : `${conv.outputs[0]}.bias`, floatTensor(f.dtype, [f.a.length], foldedBias(bias, f)));
  const y = b.op1(conv.op, [conv.inputs[0]!, wName, bName], conv.attrs);
  return b.explain(`folded into ${conv.op} ${conv.name}`).replaceWith(y);
}

/** Gemm before the BN (output [N, M], BN channels are the M columns). */
function intoGemm(bn: Node, gemm: Node, f: Affine, g: GraphView): Rewrite {
  const attrs = g.attrs<{ alpha: number; beta: number; transA: number; transB: number }>(gemm);
  const w = constantWeight(g, gemm, 1, "B");
  const W = f64Values(w);
  const M = f.a.length;
  const [rows, cols] = w.shape as [number, number];
  if (attrs.transB) {
    ensure(rows === M, `the Gemm has ${rows} output columns, the BatchNormalization ${M}`);
    for (let m = 0; m < M; m++) for (let k = 0; k < cols; k++) W[m * cols + k]! *= f.a[m]!;
  } else {
    ensure(cols === M, `the Gemm has ${cols} output columns, the BatchNormalization ${M}`);
    for (let k = 0; k < rows; k++) for (let m = 0; m < M; m++) W[k * M + m]! *= f.a[m]!;
  }
  // New C = beta*C*a + c, as [M] or (when C varies by row) [N, M]; beta becomes 1.
  const cT = gemm.inputs[2] ? constantWeight(g, gemm, 2, "C") : undefined;
  const cVals = cT ? f64Values(cT) : new Float64Array(1);
  const cShape = cT?.shape ?? [];
  const cRows = cShape.length === 2 ? cShape[0]! : 1;
  const cCols = cShape.length >= 1 ? cShape[cShape.length - 1]! : 1;
  const C = new Float64Array(cRows * M);
  for (let r = 0; r < cRows; r++) {
    for (let m = 0; m < M; m++) {
      const old = cVals[r * cCols + (cCols === 1 ? 0 : m)]! * (cT ? attrs.beta : 0);
      C[r * M + m] = old * f.a[m]! + f.c[m]!;
    }
  }
  const b = g.rewrite(bn).absorb(gemm);
  const wName = b.constant(`${gemm.inputs[1]}.folded`, floatTensor(w.dtype as "f32" | "f64", w.shape, W));
  const cName = b.constant(gemm.inputs[2] ? `${gemm.inputs[2]}.folded` : `${gemm.outputs[0]}.bias`, floatTensor(f.dtype, cRows > 1 ? [cRows, M] : [M], C));
  const y = b.op1("Gemm", [gemm.inputs[0]!, wName, cName], { ...gemm.attrs, beta: 1 });
  return b.explain(`folded into Gemm ${gemm.name}`).replaceWith(y);
}

/** MatMul x[N,K] . W[K,M] before the BN: scale W's columns, add the shift with a new Add. */
function intoMatMul(bn: Node, mm: Node, f: Affine, g: GraphView): Rewrite {
  const w = constantWeight(g, mm, 1, "weight");
  const out = g.type(mm.outputs[0]!);
  ensure(w.shape.length === 2 && out.shape.length === 2, "only a 2-D MatMul x[N,K].W[K,M] has its features on the BatchNormalization's channel axis");
  const [K, M] = w.shape as [number, number];
  ensure(M === f.a.length, `the MatMul has ${M} output columns, the BatchNormalization ${f.a.length}`);
  const W = f64Values(w);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) W[k * M + m]! *= f.a[m]!;
  const b = g.rewrite(bn).absorb(mm);
  const wName = b.constant(`${mm.inputs[1]}.folded`, floatTensor(w.dtype as "f32" | "f64", w.shape, W));
  const prod = b.op1("MatMul", [mm.inputs[0]!, wName], mm.attrs, { output: mm.outputs[0] });
  const cName = b.constant(`${mm.outputs[0]}.bias`, floatTensor(f.dtype, [M], f.c));
  const y = b.op1("Add", [prod, cName]);
  return b.explain(`folded into MatMul ${mm.name} plus a bias Add`).replaceWith(y);
}

/** Conv after the BN: scale its input channels, push the shift through the filter into the bias. */
function intoFollowingConv(bn: Node, conv: Node, f: Affine, g: GraphView): Rewrite {
  const attrs = g.attrs<{ group: number; pads: readonly number[]; auto_pad: string }>(conv);
  const w = constantWeight(g, conv, 1, "weight");
  const bias = conv.inputs[2] ? constantWeight(g, conv, 2, "bias") : undefined;
  const shiftIsZero = f.c.every((v) => v === 0);
  const padsNothing = attrs.auto_pad === "NOTSET" && attrs.pads.every((p) => p === 0);
  ensure(padsNothing || shiftIsZero, "the following Conv pads its input and the BatchNormalization shift is not zero (the padding would see 0, not the shift)");
  const [M, Cg] = w.shape as [number, number];
  const group = attrs.group;
  ensure(Cg * group === f.a.length, `the Conv reads ${Cg * group} channels, the BatchNormalization has ${f.a.length}`);
  const k = w.data.length / (M * Cg);
  const Mg = M / group;
  const W = f64Values(w);
  const B = bias ? f64Values(bias) : new Float64Array(M);
  for (let o = 0; o < M; o++) {
    const base = Math.floor(o / Mg) * Cg;
    let shift = 0;
    for (let i = 0; i < Cg; i++) {
      const ch = base + i;
      for (let t = 0, j = (o * Cg + i) * k; t < k; t++, j++) {
        shift += W[j]! * f.c[ch]!;
        W[j]! *= f.a[ch]!;
      }
    }
    B[o]! += shift;
  }
  const b = g.rewrite(conv).absorb(bn);
  const wName = b.constant(`${conv.inputs[1]}.folded`, floatTensor(w.dtype as "f32" | "f64", w.shape, W));
  const bName = b.constant(conv.inputs[2] ? `${conv.inputs[2]}.folded` : `${conv.outputs[0]}.bias`, floatTensor(f.dtype, [M], B));
  const y = b.op1("Conv", [bn.inputs[0]!, wName, bName], conv.attrs);
  return b.explain(`folded into the following Conv ${conv.name}`).replaceWith(y);
}

/** How a BatchNormalization folds into each op with the `absorbsBatchNorm` trait. */
const INTO_PRODUCER: Readonly<Record<string, (bn: Node, prev: Node, f: Affine, g: GraphView) => Rewrite>> = {
  Conv: intoConv,
  ConvTranspose: intoConv,
  Gemm: intoGemm,
  MatMul: intoMatMul,
};

/** Whether fold-batchnorm knows how to fold into `op` (every op with the absorbsBatchNorm trait must). */
export function foldsInto(op: string): boolean {
  return INTO_PRODUCER[op] !== undefined;
}

export const foldBatchNorm = definePass({
  name: "fold-batchnorm",
  doc: "Folds inference BatchNormalization into the Conv, ConvTranspose, Gemm or MatMul before it, or exactly into a following Conv.",
  rules: [
    rule("BatchNormalization", (bn, g) => {
      const prev = g.matchProducer(bn.inputs[0]!, { op: opNamesWith("absorbsBatchNorm"), singleUse: true, constantInputs: [1], where: noActivation });
      const into = INTO_PRODUCER[prev.op];
      ensure(into, `fold-batchnorm cannot fold into ${prev.op} yet`);
      return into(bn, prev, bnAffine(bn, g), g);
    }, "into-producer"),
    rule("BatchNormalization", (bn, g) => {
      const y = bn.outputs[0]!;
      ensure(!g.isGraphOutput(y), `%${y} is a graph output`);
      ensure(g.hasSingleUse(y), () => `%${y} has ${g.useCount(y)} uses`);
      const conv = g.users(y)[0]!;
      ensure(conv.op === "Conv" && conv.inputs[0] === y, `%${y} is read by ${conv.op} ${conv.name}, not as the input of a Conv`);
      const f = bnAffine(bn, g);
      return intoFollowingConv(bn, conv, f, g);
    }, "into-following-conv"),
  ],
});
