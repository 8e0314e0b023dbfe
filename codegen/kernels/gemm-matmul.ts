// GemmMatMul in C: a Gemm whose B (or C) is computed at run time (ONNX models that feed B as an
// input), so it cannot be laid out and scaled at compile time as GemmPrepacked does. A transposed
// A or B is copied into scratch in the [M, K] / [K, N] order the MatMul GEMM (neonc_matmul_f32,
// matmul.ts; NEON on ARM) reads; alpha and beta * C (broadcast to [M, N] by strides, 0 on a
// broadcast axis) are applied on the way out with the fused activation.
import { mulDim } from "../../ir/dim.js";
import { cFloat } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { actArgs, useScalarAct } from "./common.js";
import { matmulScratch, useMatmul } from "./matmul.js";

export const gemmMatMulKernel = defineKernel({
  op: "GemmMatMul",
  supports(node, _a, g) {
    for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype !== "f32") return "only float32 is generated";
    return undefined;
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useScalarAct(ctx);
    const [aName, bName, cName] = node.inputs as [string, string, string | undefined];
    const ta = ((attrs.transA as number | undefined) ?? 0) !== 0, tb = ((attrs.transB as number | undefined) ?? 0) !== 0;
    const alpha = (attrs.alpha as number | undefined) ?? 1, beta = (attrs.beta as number | undefined) ?? 1;
    const as = ctx.type(aName).shape, bs = ctx.type(bName).shape;
    const [Md, Kd] = ta ? [as[1]!, as[0]!] : [as[0]!, as[1]!];
    const Nd = tb ? bs[0]! : bs[1]!;
    const [M, K, N] = [ctx.dim(Md), ctx.dim(Kd), ctx.dim(Nd)];
    const [av, bv, y, i, j] = ["a", "b", "y", "i", "j"].map((h) => ctx.local(h)) as [string, string, string, string, string];
    const lines = [`int ${i}, ${j};`, `float *const ${y} = ${ctx.ptr(node.outputs[0]!)};`];
    // A transposed operand is copied row by row into scratch in the order the GEMM reads.
    const operand = (name: string, v: string, trans: boolean, rows: typeof Md, cols: typeof Md, R: string, Cc: string) => {
      if (!trans) return lines.push(`const float *const ${v} = ${ctx.ptr(name)};`);
      lines.push(`float *const ${v} = ${ctx.scratch(mulDim(rows, cols))};`,
        `for (${i} = 0; ${i} < ${R}; ${i}++)`,
        `  for (${j} = 0; ${j} < ${Cc}; ${j}++) ${v}[(size_t)${i} * ${Cc} + ${j}] = ${ctx.ptr(name)}[(size_t)${j} * ${R} + ${i}];`);
    };
    operand(aName, av, ta, Md, Kd, M, K);
    operand(bName, bv, tb, Kd, Nd, K, N);
    const withC = cName !== undefined && beta !== 0;
    const direct = !withC && alpha === 1;
    lines.push(`neonc_matmul_f32(${M}, ${K}, ${N}, ${av}, ${bv}, ${N}, 0, ${y}, ${direct ? actArgs(attrs) : "0, 0.0f, 0.0f"}, ${matmulScratch(ctx, Kd)});`);
    if (direct) return [`{`, ...lines, `(void)${i}; (void)${j};`, `}`].join("\n");
    let cTerm = "";
    if (withC) {
      const cs = ctx.type(cName).shape;
      const rowStride = cs.length === 2 && cs[0] !== 1 ? ctx.dim(cs[1]!) : "0";
      const colStride = cs.length === 0 || cs.at(-1) === 1 ? "0" : "1";
      cTerm = ` + ${cFloat(beta)} * ${ctx.ptr(cName)}[(size_t)${i} * ${rowStride} + (size_t)${j} * ${colStride}]`;
    }
    lines.push(`for (${i} = 0; ${i} < ${M}; ${i}++)`,
      `  for (${j} = 0; ${j} < ${N}; ${j}++) {`,
      `    float *const v = ${y} + (size_t)${i} * ${N} + ${j};`,
      `    *v = neonc_act_f32(${cFloat(alpha)} * *v${cTerm}, ${actArgs(attrs)});`,
      `  }`);
    return lines.join("\n");
  },
});
