// The algorithms of the float MatMul and Gemm:
//   MatMulGemm     B is 1-D or 2-D: A's batch folded into the rows of one GEMM
//   MatMulBatched  B has batch dims: one GEMM per batch
//   GemmPrepacked  Gemm with constant B (and C): B laid out and scaled at compile time; a
//                  transposed A gets a Transpose before it
//   GemmMatMul     Gemm with B or C computed at run time: the MatMul GEMM reads B where it is
import type { Node } from "../../ir/graph.js";
import { dimToString } from "../../ir/dim.js";
import { ensure, type GraphView } from "../patterns.js";
import { defineAlgorithmRule, ensureConstant, renameTo } from "./algorithm-rule.js";

function ensureFloat(node: Node, g: GraphView): void {
  for (const v of [...node.inputs, ...node.outputs]) {
    if (v) ensure(g.type(v).dtype === "f32", () => `%${v} is ${g.type(v).dtype}; the C GEMMs are float32`);
  }
}

const shape = (node: Node, g: GraphView, k: number) => `[${g.type(node.inputs[k]!).shape.map(dimToString).join(",")}]`;

export const matmulGemm = defineAlgorithmRule({
  algorithm: "MatMulGemm",
  choose(node, g, target) {
    ensureFloat(node, g);
    const b = g.type(node.inputs[1]!);
    ensure(b.shape.length <= 2, () => `B ${shape(node, g, 1)} has batch dims`);
    const a = g.type(node.inputs[0]!);
    return `B ${shape(node, g, 1)}${g.isConstant(node.inputs[1]!) ? " is constant" : " is computed at run time"}: ` +
      `${a.shape.length > 2 ? `A ${shape(node, g, 0)}'s batch dims fold into the rows of ` : ""}one blocked GEMM on ${target.name}`;
  },
});

export const matmulBatched = defineAlgorithmRule({
  algorithm: "MatMulBatched",
  choose(node, g, target) {
    ensureFloat(node, g);
    return `B ${shape(node, g, 1)} has batch dims (A ${shape(node, g, 0)}): one blocked GEMM per batch on ${target.name}`;
  },
});

export const gemmPrepacked = defineAlgorithmRule({
  algorithm: "GemmPrepacked",
  choose(node, g, target) {
    ensureFloat(node, g);
    ensureConstant(node, g, [1, 2], ["B", "C"]);
    const a = g.attrs<{ transA: number; transB: number; alpha: number }>(node);
    return `constant B ${shape(node, g, 1)}${a.transB ? ", transposed" : ""}${a.alpha !== 1 ? `, scaled by alpha ${a.alpha}` : ""} at compile time: ` +
      `one blocked GEMM on ${target.name}${a.transA ? "; A is transposed first (a Transpose before it)" : ""}`;
  },
  rewrite(node, g, _target, why) {
    if (!node.attrs.transA) return renameTo("GemmPrepacked", node, g, why);
    const b = g.rewrite(node);
    const at = b.op1("Transpose", [node.inputs[0]!], { perm: [1, 0] });
    const { transA: _t, ...attrs } = node.attrs;
    const outs = b.op("GemmPrepacked", [at, ...node.inputs.slice(1)], attrs, { outputs: node.outputs });
    return b.explain(why).replaceWith(...outs);
  },
});

export const gemmMatMul = defineAlgorithmRule({
  algorithm: "GemmMatMul",
  choose(node, g, target) {
    ensureFloat(node, g);
    const runtime = [[1, "B"], [2, "C"]].filter(([k]) => node.inputs[k as number] && !g.isConstant(node.inputs[k as number]!)).map(([, n]) => n);
    ensure(runtime.length > 0, "its B and C are constant (GemmPrepacked takes them)");
    const a = g.attrs<{ transA: number; transB: number; alpha: number }>(node);
    const moved = [a.transA ? "A" : "", a.transB ? "B" : ""].filter(Boolean);
    return `${runtime.join(" and ")} ${runtime.length > 1 ? "are" : "is"} computed at run time, so nothing is packed at compile time: ` +
      `${moved.length ? `${moved.join(" and ")} transposed into scratch, then ` : ""}the MatMul GEMM reads B in place` +
      `${a.alpha !== 1 || node.inputs[2] ? ", alpha and beta * C applied on the way out" : ""} on ${target.name}`;
  },
});

export const matmulRules = [matmulGemm, matmulBatched, gemmPrepacked, gemmMatMul];
