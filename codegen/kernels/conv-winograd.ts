// ConvWinograd in C: a 1-D conv of stride 1 by Winograd F(m, rs) over kernel segments of rs taps,
// in the order of the reference kernel (ir/kernels/conv-winograd.ts): per image and group, each
// channel's row is copied into a zero-padded buffer and transformed tile by tile (B^T, its
// constants written into the code); one packed GEMM per tap multiplies the weights transformed
// at compile time (G, rounded once to fp32) with the transformed input (neonc_gemm_f32, or with
// segments neonc_gemm_rows_f32 whose rows (segment, channel) start `segment` tiles apart: NEON or
// the c99 register blocks); the output transform (A^T) adds the bias and applies the fused
// activation.
import { ceilDivDim, mulDim, addDim } from "../../ir/dim.js";
import { toNumbers, winogradTransforms } from "../../ir/winograd/transforms.js";
import { winogradPlan, winogradWeights } from "../../ir/kernels/conv-winograd.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { useScalarAct } from "./common.js";
import { gemmRowBlock, packRows, useGemm, useGemmRows } from "./gemm.js";
import { convSizes, floatConvUnsupported } from "./conv-common.js";

/** `s = c0*d[i0] + c1*d[i1] + ...` summed left to right, as the reference kernel does. */
function linear(row: readonly number[], at: (i: number) => string): string {
  const terms = row.map((c, i) => [c, i] as const).filter(([c]) => c !== 0)
    .map(([c, i]) => (c === 1 ? at(i) : c === -1 ? `-${at(i)}` : `${cFloat(c)} * ${at(i)}`));
  if (terms.length === 0) return "0.0f";
  return terms.reduce((acc, t) => (t.startsWith("-") ? `${acc} - ${t.slice(1)}` : `${acc} + ${t}`));
}

/** Adds the input and output transforms of F(m, r); returns their names. */
function useTransforms(ctx: KernelContext, m: number, r: number): { input: string; output: string } {
  const t = winogradTransforms(m, r);
  const [AT, BT] = [toNumbers(t.AT), toNumbers(t.BT)];
  const input = `neonc_winograd_in_f${m}_${r}`, output = `neonc_winograd_out_f${m}_${r}`;
  useScalarAct(ctx);
  ctx.helper(input, `
/* F(${m}, ${r}) input transform: V[j][c][t] = (B^T d_t)_j over the zero-padded rows of Cg channels. */
static void ${input}(int Cg, int L, int pl, int tiles, const float *restrict x, float *restrict V, float *restrict row) {
  const int P = tiles * ${m} + ${r - 1};
  int c, t, i;
  for (c = 0; c < Cg; c++) {
    for (i = 0; i < P; i++) row[i] = 0.0f;
    for (i = 0; i < L; i++) row[pl + i] = x[(size_t)c * L + i];
    for (t = 0; t < tiles; t++) {
      const float *d = row + t * ${m};
${BT.map((rowj, j) => `      V[((size_t)${j} * Cg + c) * tiles + t] = ${linear(rowj, (i) => `d[${i}]`)};`).join("\n")}
    }
  }
}`);
  ctx.helper(output, `
/* F(${m}, ${r}) output transform: y[o][t*${m} + i] = act(bias[o] + (A^T M_t)_i) for the Tout outputs. */
static void ${output}(int Mg, int Tout, int tiles, const float *restrict Mt, const float *restrict bias, float *restrict y, int act, float p0, float p1) {
  int o, t;
  for (o = 0; o < Mg; o++) {
    const float b = bias ? bias[o] : 0.0f;
    float *yo = y + (size_t)o * Tout;
    for (t = 0; t < tiles; t++) {
      float s[${m}];
      int i;
${AT.map((rowi, i) => `      s[${i}] = ${linear(rowi, (j) => `Mt[((size_t)${j} * Mg + o) * tiles + t]`)};`).join("\n")}
      for (i = 0; i < ${m} && t * ${m} + i < Tout; i++) yo[t * ${m} + i] = neonc_act_f32(b + s[i], act, p0, p1);
    }
  }
}`);
  return { input, output };
}

export const convWinogradKernel = defineKernel({
  op: "ConvWinograd",
  supports(node, attrs, g) {
    const bad = floatConvUnsupported(node, attrs, g, [1]);
    if (bad) return bad;
    const st = (attrs.strides as number[] | undefined) ?? [], dl = (attrs.dilations as number[] | undefined) ?? [];
    if ((st[0] ?? 1) !== 1 || (dl[0] ?? 1) !== 1) return "Winograd convolution needs stride 1 and dilation 1";
    const ap = attrs.auto_pad as string | undefined;
    return ap && ap !== "NOTSET" ? "Winograd convolution needs explicit pads" : undefined;
  },
  emit(node, attrs, ctx) {
    const [xName, wName, bName] = node.inputs as [string, string, string | undefined];
    const s = convSizes(node, attrs, ctx);
    const m = attrs.m as number, r = s.kernel[0]!;
    const { rs, S, n, shift } = winogradPlan(r, m, (attrs.segment as number | undefined) ?? 0);
    const { input, output } = useTransforms(ctx, m, rs);
    if (S > 1) useGemmRows(ctx);
    else useGemm(ctx);
    // U [group][n][Mg][S Cg] packed per (group, tap) in the GEMM's row blocks.
    const K = S * s.Cg;
    const U = winogradWeights(ctx.constant(wName)!.data as Float32Array, s.M, s.Cg, s.group, r, m, rs);
    const R = gemmRowBlock(ctx.target);
    const block = Math.ceil(s.Mg / R) * R * K;
    const packed = new Float32Array(s.group * n * block);
    for (let k = 0; k < s.group * n; k++) packed.set(packRows(U, s.Mg, K, R, k * s.Mg), k * block);
    const up = ctx.addWeights(`${wName}_winograd${m}x${rs}_packed${R}`, packed);
    const bp = bName ? ctx.addWeights(bName, ctx.constant(bName)!.data as Float32Array) : "0";
    const tout = ctx.type(node.outputs[0]!).shape[2]!;
    const tilesMax = ceilDivDim(tout, m);
    const vtMax = addDim(tilesMax, (S - 1) * shift);
    const V = ctx.scratch(mulDim(vtMax, n * s.Cg));
    const Mt = ctx.scratch(mulDim(tilesMax, n * s.Mg));
    const row = ctx.scratch(addDim(mulDim(vtMax, m), rs - 1));
    const xoff = S > 1 ? ctx.scratch(K, "int32_t") : "";
    const [tilesV, vtV, vV, mV, rowV, offV] = [ctx.local("tiles"), ctx.local("vt"), ctx.local("V"), ctx.local("Mt"), ctx.local("row"), ctx.local("xoff")];
    const [Tin, Tout] = [s.inSp[0]!, s.outSp[0]!];
    const gemm = S > 1
      ? `neonc_gemm_rows_f32(${s.Mg}, ${tilesV}, ${K}, ${up} + ((size_t)g * ${n} + j) * ${block}, ${vV} + (size_t)j * ${s.Cg} * ${vtV}, ${offV}, `
      : `neonc_gemm_f32(${s.Mg}, ${tilesV}, ${K}, ${up} + ((size_t)g * ${n} + j) * ${block}, ${vV} + (size_t)j * ${s.Cg} * ${vtV}, ${vtV}, `;
    return [
      `const int ${tilesV} = (${Tout} + ${m - 1}) / ${m};`,
      `const int ${vtV} = ${tilesV} + ${(S - 1) * shift};`,
      ...(S > 1 ? [
        `int32_t *const ${offV} = ${xoff};`,
        `{ int sg, c; for (sg = 0; sg < ${S}; sg++) for (c = 0; c < ${s.Cg}; c++) ${offV}[sg * ${s.Cg} + c] = c * ${vtV} + sg * ${shift}; }`,
      ] : []),
      `float *const ${vV} = ${V};`,
      `float *const ${mV} = ${Mt};`,
      `float *const ${rowV} = ${row};`,
      `int n, g, j;`,
      `for (n = 0; n < ${s.N}; n++)`,
      `  for (g = 0; g < ${s.group}; g++) {`,
      `    ${input}(${s.Cg}, ${Tin}, ${s.padBegin[0] ?? 0}, ${vtV}, ${ctx.ptr(xName)} + ((size_t)n * ${s.C} + (size_t)g * ${s.Cg}) * ${Tin}, ${vV}, ${rowV});`,
      `    for (j = 0; j < ${n}; j++)`,
      `      ${gemm}${mV} + (size_t)j * ${s.Mg} * ${tilesV}, ${tilesV}, 0, 0, 0.0f, 0.0f);`,
      `    ${output}(${s.Mg}, ${Tout}, ${tilesV}, ${mV}, ${bName ? `${bp} + g * ${s.Mg}` : "0"}, ` +
        `${ctx.ptr(node.outputs[0]!)} + ((size_t)n * ${s.M} + (size_t)g * ${s.Mg}) * ${Tout}, ${s.act});`,
      `  }`,
    ].join("\n");
  },
});
