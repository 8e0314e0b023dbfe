// ConvTransposeCol2im in C: a 1-D or 2-D transposed convolution as the reference kernel computes
// it (ir/kernels/conv-transpose.ts). Per image and group, the MatMul GEMM (neonc_matmul_f32,
// matmul.ts; NEON on ARM, where the MACs are) multiplies the transposed weights [Mg * taps, Cg]
// by the group's input [Cg, positions] into columns, and col2im adds column (m, tap) of input
// position i onto output i * stride + tap * dilation - padBegin of channel m, over the bias.
// Constant weights are transposed at compile time, run-time ones into scratch. A 1-D conv is a
// 2-D one of height 1.
import type { Dim } from "../../ir/dim.js";
import { mulDim } from "../../ir/dim.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { actArgs, useScalarAct } from "./common.js";
import { matmulScratch, useMatmul } from "./matmul.js";

interface TransposeAttrs {
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly auto_pad?: string;
  readonly output_padding?: readonly number[];
  readonly output_shape?: readonly number[];
  readonly kernel_shape?: readonly number[];
  readonly group?: number;
}

/**
 * The pad before each spatial dim, as ir/ops/nn/conv-transpose.ts derives it: the attribute, or
 * with output_shape / auto_pad SAME the total `stride*(in-1) + output_padding + span - out` split
 * with the larger half at the end for SAME_UPPER, at the start otherwise. With auto_pad the output
 * is in*stride, so the total is span + output_padding - stride whatever the (symbolic) length.
 */
export function transposePadBegin(xSpatial: readonly Dim[], kernel: readonly number[], a: TransposeAttrs): number[] {
  return kernel.map((k, i) => {
    const s = a.strides?.[i] ?? 1, d = a.dilations?.[i] ?? 1, op = a.output_padding?.[i] ?? 0;
    const span = d * (k - 1) + 1;
    const auto = a.auto_pad === "SAME_UPPER" || a.auto_pad === "SAME_LOWER";
    if (!a.output_shape && !auto) return a.pads?.[i] ?? 0;
    const total = a.output_shape ? s * ((xSpatial[i] as number) - 1) + op + span - a.output_shape[i]! : span + op - s;
    const half = Math.floor(total / 2);
    return a.auto_pad === "SAME_UPPER" ? half : total - half;
  });
}

function unsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const x = g.types[node.inputs[0]!], w = g.types[node.inputs[1]!];
  if (!x || x.dtype !== "f32" || w?.dtype !== "f32") return "only float32 is generated";
  if (x.shape.length !== 3 && x.shape.length !== 4) return "only 1-D and 2-D transposed convolution is generated";
  if (w.shape.slice(0, 2).some((d) => typeof d !== "number")) return "the weight shape must be static";
  if (attrs.output_shape && x.shape.slice(2).some((d) => typeof d !== "number")) return "output_shape with a symbolic input length is not generated";
  return undefined;
}

/** Adds neonc_col2im2d_f32: y[m, oh, ow] += col[(m, ki, kj), ih, iw] at oh = ih*sh + ki*dh - ph, ow likewise. */
function useCol2im(ctx: KernelContext): void {
  ctx.helper("col2im2d_f32", `
static void neonc_col2im2d_f32(const float *col, int M, int IH, int IW, int KH, int KW, int sh, int sw,
                               int dh, int dw, int ph, int pw, int OH, int OW, float *y) {
  int m, i, j, ih, iw;
  for (m = 0; m < M; m++)
    for (i = 0; i < KH; i++)
      for (j = 0; j < KW; j++) {
        const float *row = col + (((size_t)m * KH + i) * KW + j) * IH * IW;
        /* the input positions whose output column lies in [0, OW) */
        const int off = j * dw - pw;
        const int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        const int hi = OW - 1 - off < 0 ? 0 : (OW - 1 - off) / sw + 1;
        const int end = hi < IW ? hi : IW;
        for (ih = 0; ih < IH; ih++) {
          const int oh = ih * sh + i * dh - ph;
          const float *r = row + (size_t)ih * IW;
          float *yr;
          if (oh < 0 || oh >= OH) continue;
          yr = y + ((size_t)m * OH + oh) * OW + off;
          for (iw = lo; iw < end; iw++) yr[(size_t)iw * sw] += r[iw];
        }
      }
}`);
}

export const convTransposeCol2imKernel = defineKernel({
  op: "ConvTransposeCol2im",
  supports: unsupported,
  emit(node, attrs, ctx) {
    const a = attrs as TransposeAttrs;
    const [xName, wName, bName] = node.inputs as [string, string, string | undefined];
    const x = ctx.type(xName), w = ctx.type(wName), y = ctx.type(node.outputs[0]!);
    const kernel = a.kernel_shape ?? (w.shape.slice(2) as number[]);
    const group = a.group ?? 1;
    const [C, Mg] = w.shape as [number, number];
    const Cg = C / group, M = Mg * group;
    const taps = kernel.reduce((p, k) => p * k, 1), rows = Mg * taps;
    const pb = transposePadBegin(x.shape.slice(2), kernel, a);
    const two = kernel.length === 2;
    const pick = (v: readonly (string | number)[], i: number) => (two ? v[i]! : i === 0 ? 1 : v[0]!);
    const inSp = ctx.shape(xName).slice(2), outSp = ctx.shape(node.outputs[0]!).slice(2);
    const st = kernel.map((_, i) => a.strides?.[i] ?? 1), dl = kernel.map((_, i) => a.dilations?.[i] ?? 1);
    const geometry = [
      pick(inSp, 0), pick(inSp, 1), pick(kernel, 0), pick(kernel, 1), pick(st, 0), pick(st, 1),
      pick(dl, 0), pick(dl, 1), two ? pb[0]! : 0, two ? pb[1]! : pb[0]!, pick(outSp, 0), pick(outSp, 1),
    ].join(", ");
    useMatmul(ctx);
    useScalarAct(ctx);
    useCol2im(ctx);
    const inPlaneDim = x.shape.slice(2).reduce<Dim>((p, d) => mulDim(p, d), 1);
    const [col, ap, wt, xp, yp, inPlane, outPlane] = ["col", "ap", "wt", "xp", "yp", "inPlane", "outPlane"].map((h) => ctx.local(h)) as string[];
    const lines = [
      `float *const ${col} = ${ctx.scratch(mulDim(rows, inPlaneDim))};`,
      `float *const ${ap} = ${matmulScratch(ctx, Cg)};`,
      `const int ${inPlane} = ${inSp.join(" * ")}, ${outPlane} = ${outSp.join(" * ")};`,
      `int n, g, m, t;`,
      `(void)${ap};`,
    ];
    const wc = ctx.constant(wName);
    let wg: string;
    if (wc) {
      // [group][rows][Cg]: group g's weights [Cg, rows] transposed.
      const src = wc.data as Float32Array, packed = new Float32Array(group * rows * Cg);
      for (let gi = 0; gi < group; gi++) for (let r = 0; r < rows; r++) for (let c = 0; c < Cg; c++) packed[(gi * rows + r) * Cg + c] = src[(gi * Cg + c) * rows + r]!;
      wg = `${ctx.addWeights(`${wName}_t`, packed)} + (size_t)g * ${rows * Cg}`;
    } else {
      lines.push(`float *const ${wt} = ${ctx.scratch(rows * Cg)};`);
      wg = wt;
    }
    const bias = bName ? ctx.ptr(bName) : undefined;
    lines.push(
      `for (n = 0; n < ${ctx.dim(x.shape[0]!)}; n++)`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    const float *${xp} = ${ctx.ptr(xName)} + ((size_t)n * ${C} + (size_t)g * ${Cg}) * ${inPlane};`,
      `    float *${yp} = ${ctx.ptr(node.outputs[0]!)} + ((size_t)n * ${M} + (size_t)g * ${Mg}) * ${outPlane};`,
      ...(wc ? [] : [
        `    for (m = 0; m < ${rows}; m++)`,
        `      for (t = 0; t < ${Cg}; t++) ${wt}[(size_t)m * ${Cg} + t] = ${ctx.ptr(wName)}[((size_t)g * ${Cg} + t) * ${rows} + m];`,
      ]),
      `    neonc_matmul_f32(${rows}, ${Cg}, ${inPlane}, ${wg}, ${xp}, ${inPlane}, 0, ${col}, 0, 0.0f, 0.0f, ${ap});`,
      `    for (m = 0; m < ${Mg}; m++) {`,
      `      const float bv = ${bias ? `${bias}[g * ${Mg} + m]` : "0.0f"};`,
      `      for (t = 0; t < ${outPlane}; t++) ${yp}[(size_t)m * ${outPlane} + t] = bv;`,
      `    }`,
      `    neonc_col2im2d_f32(${col}, ${Mg}, ${geometry}, ${yp});`,
      `    for (t = 0; t < ${Mg} * ${outPlane}; t++) ${yp}[t] = neonc_act_f32(${yp}[t], ${actArgs(attrs)});`,
      `  }`,
    );
    void y;
    return lines.join("\n");
  },
});
