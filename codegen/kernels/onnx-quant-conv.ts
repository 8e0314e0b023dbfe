// ConvInteger and QLinearConv in C: a direct loop over 1 to 3 spatial dims (unit dims in front, as
// the interpreter's to3d), groups, strides, dilations, explicit pads or auto_pad (SAME_UPPER /
// SAME_LOWER pads computed at run time from the input length, so a symbolic T works), zero points
// per tensor (x) and per tensor or per output channel (w), an int32 bias; every operand read at run
// time. Taps that fall in the padding are skipped (padding stands for x's zero point, whose centred
// value is 0). Sums wrap modulo 2^32 as the interpreter's Int32Array store; QLinearConv requantizes
// each as the interpreter does (per-channel f32 multiplier, double product, half-even). Scalar C:
// the fast path for a quantized conv with constant weights is import-qdq's QConv (packed int8 GEMM,
// NEON); this keeps a graph with the ONNX ops compilable whatever its operands.
import type { Attrs, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { f32Scales, paramRead, qlinearOutput } from "./onnx-quant-c.js";

interface ConvOperands {
  readonly x: number;
  readonly w: number;
  readonly xzp: number;
  readonly wzp: number;
  readonly bias?: number;
}

function convLoops(node: Node, attrs: Attrs, ops: ConvOperands, ctx: KernelContext, pre: string[], store: string[]): string {
  const x = node.inputs[ops.x]!, w = node.inputs[ops.w]!, y = node.outputs[0]!;
  const xs = ctx.shape(x), ys = ctx.shape(y);
  const ws = ctx.type(w).shape as number[];
  const r = xs.length - 2;
  const lead = 3 - r;
  const sp = (a: readonly string[], i: number) => (i < lead ? "1" : a[2 + i - lead]!);
  const num = (a: readonly number[] | undefined, i: number, def: number) => (i < lead || !a ? def : a[i - lead]!);
  const strides = attrs.strides as number[] | undefined, dil = attrs.dilations as number[] | undefined;
  const pads = attrs.pads as number[] | undefined;
  const autoPad = attrs.auto_pad as string;
  const names = ["D", "H", "W"];
  const geo: string[] = [];
  for (let i = 0; i < 3; i++) {
    const L = names[i]!, s = num(strides, i, 1), d = num(dil, i, 1), k = i < lead ? 1 : ws[2 + i - lead]!;
    geo.push(`const int ${L} = ${sp(xs, i)}, o${L} = ${sp(ys, i)}, k${L} = ${k}, s${L} = ${s}, d${L} = ${d};`);
    if (i < lead || autoPad === "VALID") geo.push(`const int p${L} = 0;`);
    else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      // The odd pad goes at the end for SAME_UPPER, at the beginning for SAME_LOWER.
      const total = `((o${L} - 1) * s${L} + d${L} * (k${L} - 1) + 1 - ${L})`;
      geo.push(`const int t${L} = ${total} > 0 ? ${total} : 0;`);
      geo.push(`const int p${L} = ${autoPad === "SAME_UPPER" ? `t${L} / 2` : `t${L} - t${L} / 2`};`);
    } else geo.push(`const int p${L} = ${pads ? pads[i - lead]! : 0};`);
  }
  const zx = paramRead(node, ops.xzp, "xzp", ctx), zw = paramRead(node, ops.wzp, "wzp", ctx);
  const bias = ops.bias !== undefined && node.inputs[ops.bias] ? ctx.ptr(node.inputs[ops.bias]!) : undefined;
  return [
    `const ${ctype(ctx.type(x).dtype)} *x = ${ctx.ptr(x)};`,
    `const ${ctype(ctx.type(w).dtype)} *w = ${ctx.ptr(w)};`,
    zx.decl, zw.decl, ...pre,
    ...(bias ? [`const int32_t *bias = ${bias};`] : []),
    ...geo,
    `const int NB = ${xs[0]!}, C = ${xs[1]!}, M = ${ws[0]!}, Cg = ${ws[1]!}, Mg = ${ws[0]! / (attrs.group as number)};`,
    `const int32_t xz = ${zx.at("0")};`,
    `int b, m, c, a, h, v, i, j, l;`,
    `for (b = 0; b < NB; b++) {`,
    `  for (m = 0; m < M; m++) {`,
    `    const int32_t wz = ${zw.at("m")};`,
    `    const int c0 = (m / Mg) * Cg;`,
    `    for (a = 0; a < oD; a++) for (h = 0; h < oH; h++) for (v = 0; v < oW; v++) {`,
    `      const long e = (((long)b * M + m) * oD + a) * oH * (long)oW + (long)h * oW + v;`,
    `      uint32_t acc = ${bias ? "(uint32_t)bias[m]" : "0"};`,
    `      for (c = 0; c < Cg; c++) {`,
    `        const long xb = ((long)b * C + c0 + c) * D * H * (long)W;`,
    `        const long wb = ((long)m * Cg + c) * kD * kH * kW;`,
    `        for (i = 0; i < kD; i++) {`,
    `          const int id = a * sD + i * dD - pD;`,
    `          if (id < 0 || id >= D) continue;`,
    `          for (j = 0; j < kH; j++) {`,
    `            const int ih = h * sH + j * dH - pH;`,
    `            if (ih < 0 || ih >= H) continue;`,
    `            for (l = 0; l < kW; l++) {`,
    `              const int iw = v * sW + l * dW - pW;`,
    `              if (iw < 0 || iw >= W) continue;`,
    `              acc += (uint32_t)(((int32_t)x[xb + ((long)id * H + ih) * W + iw] - xz) * ((int32_t)w[wb + (i * kH + j) * kW + l] - wz));`,
    `            }`,
    `          }`,
    `        }`,
    `      }`,
    ...store.map((s) => `      ${s}`),
    `    }`,
    `  }`,
    `}`,
    `(void)C;`,
  ].filter((l) => l !== "").join("\n");
}

function staticWeights(node: Node, k: number, ctx: { types: Record<string, { shape: readonly unknown[] }> }): string | undefined {
  const w = node.inputs[k]!;
  return ctx.types[w]!.shape.every((d) => typeof d === "number") ? undefined : "the weight shape must be static";
}

export const convIntegerKernel = defineKernel({
  op: "ConvInteger",
  supports: (node, _a, g) => staticWeights(node, 1, g),
  emit(node, attrs, ctx) {
    return convLoops(node, attrs, { x: 0, w: 1, xzp: 2, wzp: 3 }, ctx, [`int32_t *y = ${ctx.ptr(node.outputs[0]!)};`], [`y[e] = (int32_t)acc;`]);
  },
});

export const qLinearConvKernel = defineKernel({
  op: "QLinearConv",
  supports: (node, _a, g) => staticWeights(node, 3, g) ?? f32Scales(node, g, [1, 4, 6]),
  emit(node, attrs, ctx) {
    const { y, yt, lo, hi, s1: sx, s2: sw, sy, zy, mult } = qlinearOutput(node, ctx, ["xs", "wsc"]);
    return convLoops(node, attrs, { x: 0, w: 3, xzp: 2, wzp: 5, bias: 8 }, ctx, [`${ctype(yt)} *y = ${ctx.ptr(y)};`, sx.decl, sw.decl, sy.decl, zy.decl], [
      `y[e] = (${ctype(yt)})neonc_quantize_f64((double)(int32_t)acc * (double)${mult}(${sx.at("0")}, ${sw.at("m")}, ${sy.at("0")}), ${zy.at("0")}, ${lo}, ${hi});`,
    ]);
  },
});
