// The broadcasting binary float kernels Add/Sub/Mul/Div (with Add's fused activation applied on
// the way out when it has an epilogue form; any other is swept after, fused-activation.ts), Pow,
// PRelu, and Max/Min/Sum/Mean of two inputs, on float32; other dtypes and the n-ary forms are
// typed-elementwise.ts's loops.
// Same-shape operands run as one flat loop; broadcasting runs nested loops whose strides are 0
// on broadcast axes. Both may write over their first input (in place). The unary ops have
// their kernels made from their definitions (unary.ts).
import { dimEquals, type Dim } from "../../ir/dim.js";
import { activationOf } from "../../ir/activation.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { cProduct } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { actArgs, hasEpilogue, useScalarAct, useVectorAct } from "./common.js";
import { emitTyped, typedSupports } from "./typed-elementwise.js";

function floatOnly(node: Node, _a: unknown, g: Graph): string | undefined {
  for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype !== "f32") return "only float32 is generated";
  return undefined;
}

/** C expression of each binary op on two float operands, and its NEON intrinsic ("" for none). */
const BINARY: Readonly<Record<string, [(a: string, b: string) => string, string]>> = {
  Add: [(a, b) => `${a} + ${b}`, "vaddq_f32"],
  Sub: [(a, b) => `${a} - ${b}`, "vsubq_f32"],
  Mul: [(a, b) => `${a} * ${b}`, "vmulq_f32"],
  Div: [(a, b) => `${a} / ${b}`, ""],
  // The interpreter rounds the double power once; powf is within an ulp or two of it.
  Pow: [(a, b) => `powf(${a}, ${b})`, ""],
  PRelu: [(a, b) => `(${a} < 0.0f ? ${a} * ${b} : ${a})`, ""],
  // NaN propagates from either operand, as in the interpreter (a NaN b is false, so b wins; a != a catches a).
  Max: [(a, b) => `(${a} > ${b} || ${a} != ${a} ? ${a} : ${b})`, ""],
  Min: [(a, b) => `(${a} < ${b} || ${a} != ${a} ? ${a} : ${b})`, ""],
  Sum: [(a, b) => `${a} + ${b}`, "vaddq_f32"],
  Mean: [(a, b) => `(${a} + ${b}) / 2.0f`, ""],
};

/** The float32 two-operand form, which has the vector loops below; everything else is typed-elementwise.ts's. */
function isFloatPair(node: Node, a: unknown, g: Graph): boolean {
  return node.inputs.length === 2 && floatOnly(node, a, g) === undefined;
}

/** Any dtype but string; a fused activation only on float32. */
function binarySupports(node: Node, a: Attrs, g: Graph): string | undefined {
  if (!isFloatPair(node, a, g) && activationOf(a as { activation?: string }) !== undefined) return "a fused activation is generated on float32 only";
  return typedSupports(node, a, g);
}

/** Row-major strides of `shape` aligned to an output of rank `rank`, 0 on broadcast axes. */
function bcastStrides(shape: readonly Dim[], out: readonly Dim[]): string[] {
  const rank = out.length;
  const padded: Dim[] = [...new Array<Dim>(rank - shape.length).fill(1), ...shape];
  return padded.map((d, i) => (d === 1 && out[i] !== 1 ? "0" : cProduct(padded.slice(i + 1))));
}

function binaryKernel(op: string, f: (a: string, b: string) => string, vop: string): KernelDef {
  return defineKernel({
    op,
    inPlace: 0,
    supports: binarySupports,
    emit(node, attrs, ctx) {
      if (!isFloatPair(node, attrs, ctx.graph)) return emitTyped(node, attrs, ctx);
      const [an, bn] = node.inputs as [string, string];
      const yn = node.outputs[0]!;
      const at = ctx.type(an), bt = ctx.type(bn), yt = ctx.type(yn);
      const hasAct = hasEpilogue(attrs);
      const act = actArgs(attrs);
      const pre = [`const float *pa = ${ctx.ptr(an)};`, `const float *pb = ${ctx.ptr(bn)};`, `float *py = ${ctx.ptr(yn)};`];
      const same = (s: readonly Dim[]) => s.length === yt.shape.length && s.every((d, i) => dimEquals(d, yt.shape[i]!));
      const scalarOf = (s: readonly Dim[]) => s.every((d) => d === 1);
      if (hasAct) (ctx.target.neon ? useVectorAct : useScalarAct)(ctx);
      const fin = (e: string) => (hasAct ? `neonc_act_f32(${e}, ${act})` : e);
      if ((same(at.shape) || scalarOf(at.shape)) && (same(bt.shape) || scalarOf(bt.shape))) {
        const ia = same(at.shape) ? "pa[i]" : "pa[0]", ib = same(bt.shape) ? "pb[i]" : "pb[0]";
        const lines = [...pre, `size_t i = 0, n = (size_t)${ctx.numel(yn)};`];
        if (ctx.target.neon && vop) {
          const va = same(at.shape) ? "vld1q_f32(pa + i)" : "vdupq_n_f32(pa[0])";
          const vb = same(bt.shape) ? "vld1q_f32(pb + i)" : "vdupq_n_f32(pb[0])";
          const v = `${vop}(${va}, ${vb})`;
          lines.push(`for (; i + 4 <= n; i += 4) vst1q_f32(py + i, ${hasAct ? `neonc_act_f32x4(${v}, ${act})` : v});`);
        }
        lines.push(`for (; i < n; i++) py[i] = ${fin(f(ia, ib))};`);
        return lines.join("\n");
      }
      // General broadcast: nested loops over the output, innermost axis strided per operand.
      const out = yt.shape;
      const R = out.length;
      const sa = bcastStrides(at.shape, out), sb = bcastStrides(bt.shape, out);
      const dims = ctx.shape(yn);
      const idx = Array.from({ length: R }, (_, i) => `i${i}`);
      const lines = [...pre, `int ${idx.join(", ")};`];
      let depth = "";
      for (let i = 0; i < R - 1; i++) {
        lines.push(`${depth}for (i${i} = 0; i${i} < ${dims[i]}; i${i}++)`);
        depth += "  ";
      }
      const offA = idx.slice(0, R - 1).map((v, i) => `(size_t)${v} * ${sa[i]}`).join(" + ") || "0";
      const offB = idx.slice(0, R - 1).map((v, i) => `(size_t)${v} * ${sb[i]}`).join(" + ") || "0";
      let offY = "0";
      for (let i = 0; i < R - 1; i++) offY = i === 0 ? "(size_t)i0" : `(${offY}) * ${dims[i]} + i${i}`;
      const last = `i${R - 1}`;
      lines.push(`${depth}{`);
      lines.push(`${depth}  const float *qa = pa + ${offA}, *qb = pb + ${offB};`);
      lines.push(`${depth}  float *qy = py + (${offY}) * ${dims[R - 1]};`);
      lines.push(`${depth}  for (${last} = 0; ${last} < ${dims[R - 1]}; ${last}++) qy[${last}] = ${fin(f(`qa[${last} * ${sa[R - 1]}]`, `qb[${last} * ${sb[R - 1]}]`))};`);
      lines.push(`${depth}}`);
      return lines.join("\n");
    },
  });
}

export const elementwiseKernels: KernelDef[] = Object.entries(BINARY).map(([op, [s, v]]) => binaryKernel(op, s, v));

