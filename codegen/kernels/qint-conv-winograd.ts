// QConvWinograd in C: integer-exact Winograd F(m, rs) over kernel segments, in the order of the
// reference (ir/kernels/integer-winograd.ts) and exact like it, so the output is QConv's bit for
// bit on every target. Per image and group: each channel's 8-bit row (uint8 moved to int8 by
// x - 128, as every integer conv emitter does) is copied into int16 padded with the zero point and
// transformed tile by tile with the integer B^T (constants written into the code; |V| stays in
// int16 by the rule's bound); one GEMM per tap multiplies the integer-scaled transformed weights
// (int16, compile time) with V into int32 accumulators, or int64 where the weights' bound says
// int32 could overflow; the output transform sums A_int M in int64 and divides exactly by its
// scale S, then adds the zero-point-corrected bias (the zero-point padding then cancels as in the
// direct emitters), and each channel's row is requantized as QConv's are. The division by S is a
// shift by S's power of two and a multiply by its odd part's inverse modulo 2^32 (exact quotient;
// only its low 32 bits reach the wrapping int32 accumulator; no 64-bit division, which armv7 calls
// a library routine for).
//
// NEON targets (qint-winograd-neon.ts): the int32 tap GEMM as SMLAL by lane (blocks of 8 channels
// x 8 tiles on aarch64, 4 x 8 on armv7; the int64 case stays scalar), and for m = 2, 3, 4 the
// input transform 8 tiles and the output transform 4 tiles at a time. There the tile columns of
// V and M are padded to multiples of 8 (computed, never read), and the weights packed per block.
import { addDim, ceilDivDim, mulDim } from "../../ir/dim.js";
import { winogradPlan } from "../../ir/kernels/conv-winograd.js";
import { integerTransforms, integerWinogradWeights } from "../../ir/kernels/integer-winograd.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { defineKernel } from "../kernel.js";
import { qconvInt8, qconvUnsupported } from "./qint-conv-common.js";
import { exactDivision, neonBlockRows, neonInputTransform, neonOutputTransform, neonTapGemm, neonTransformTile, packNeonWeights } from "./qint-winograd-neon.js";

/** `c0*d[i0] + c1*d[i1] + ...` over integer coefficients. */
export function linear(row: readonly number[], at: (i: number) => string): string {
  const terms = row.map((c, i) => [c, i] as const).filter(([c]) => c !== 0).map(([c, i]) => `${c} * ${at(i)}`);
  return terms.length === 0 ? "0" : terms.join(" + ");
}

/** Why neither integer Winograd emitter (exact or scaled) can take the node, or undefined. */
export function integerWinogradUnsupported(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const bad = qconvUnsupported(node, attrs, g);
  if (bad) return bad;
  if (g.types[node.inputs[0]!]!.dtype === "i16") return "integer Winograd takes 8-bit activations";
  const st = (attrs.strides as number[] | undefined) ?? [], dl = (attrs.dilations as number[] | undefined) ?? [];
  return (st[0] ?? 1) !== 1 || (dl[0] ?? 1) !== 1 ? "Winograd convolution needs stride 1 and dilation 1" : undefined;
}

export const qConvWinogradKernel = defineKernel({
  op: "QConvWinograd",
  supports: integerWinogradUnsupported,
  emit(node, attrs, ctx) {
    const s = qconvInt8(node, attrs, ctx);
    const { M, Cg, Mg, C, Kw: r, group, padL, w } = s.geo;
    const m = attrs.m as number;
    const { rs, S, n, shift } = winogradPlan(r, m, (attrs.segment as number | undefined) ?? 0);
    const { BT, AT, S: scale } = integerTransforms(m, rs);
    const U = integerWinogradWeights(w, M, Cg, group, r, m, rs);
    const K = S * Cg;
    // int32 tap accumulators unless some channel's bound could overflow them.
    const vmax = BT.map((row) => row.reduce((a, v) => a + Math.abs(v), 0) * 128);
    let wide = false;
    for (let gj = 0; gj < group * n; gj++) {
      const j = gj % n;
      for (let o = 0; o < Mg; o++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.abs(U[(gj * Mg + o) * K + k]!);
        if (sum * vmax[j]! > 2 ** 31 - 1) wide = true;
      }
    }
    const accT = wide ? "int64_t" : "int32_t";
    // NEON (qint-winograd-neon.ts): the int32 tap GEMM, and the transforms for m = 2, 3, 4.
    const a64 = ctx.target.arch === "aarch64";
    const neonGemm = ctx.target.neon && !wide;
    const neonIn = ctx.target.neon && neonTransformTile(m);
    const neonOut = neonGemm && neonTransformTile(m);
    const padded = neonGemm || neonIn;
    const up = ctx.addWeights(`qconv_winograd${m}x${rs}`, neonGemm ? packNeonWeights(U, group * n, Mg, K, neonBlockRows(a64)) : Int16Array.from(U));
    const tout = ctx.type(node.outputs[0]!).shape[2]!;
    const tilesMax = ceilDivDim(tout, m);
    // With NEON the tile columns of V and M are padded to multiples of 8 (wg_tp, wg_vtp), and the
    // row to what the de-interleaving loads read; scalar C keeps them exact.
    const loads = Math.ceil(n / m);
    const vtpMax = addDim(tilesMax, padded ? 14 + (S - 1) * shift : (S - 1) * shift);
    const tpMax = addDim(tilesMax, padded ? 7 : 0);
    const row = ctx.scratch(padded ? mulDim(addDim(vtpMax, loads), m) : addDim(mulDim(vtpMax, m), rs - 1), "int16_t");
    const V = ctx.scratch(mulDim(vtpMax, n * Cg), "int16_t");
    const Mt = ctx.scratch(mulDim(tpMax, n * Mg), accT);
    const xv = s.u8 ? "(int16_t)((int)x[xo + i] - 128)" : "(int16_t)x[xo + i]";
    const { e, inv } = exactDivision(scale);
    const scalarIn = [
      `      for (t = 0; t < wg_vtp; t++) {`,
      `        const int16_t *d = wg_row + t * ${m};`,
      ...BT.map((rowj, jj) => `        wg_V[((size_t)${jj} * ${Cg} + c) * wg_vtp + t] = (int16_t)(${linear(rowj, (ii) => `d[${ii}]`)});`),
      `      }`,
    ];
    const scalarGemm = [
      `    for (j = 0; j < ${n}; j++)`,
      `      for (o = 0; o < ${Mg}; o++) {`,
      `        ${accT} *mo = wg_M + ((size_t)j * ${Mg} + o) * wg_tp;`,
      `        const int16_t *u = ${up} + (((size_t)g * ${n} + j) * ${Mg} + o) * ${K};`,
      `        for (t = 0; t < wg_tiles; t++) mo[t] = 0;`,
      `        for (k = 0; k < ${K}; k++) {`,
      `          const ${accT} uk = u[k];`,
      `          const int16_t *v = wg_V + ((size_t)j * ${Cg} + k % ${Cg}) * wg_vtp + (k / ${Cg}) * ${S > 1 ? shift : 0};`,
      `          if (uk != 0) for (t = 0; t < wg_tiles; t++) mo[t] += uk * v[t];`,
      `        }`,
      `      }`,
    ];
    return [
      ...s.lines,
      `const int wg_tiles = (qTo + ${m - 1}) / ${m};`,
      padded
        ? `const int wg_tp = (wg_tiles + 7) & ~7, wg_vtp = (wg_tp + ${(S - 1) * shift} + 7) & ~7;`
        : `const int wg_tp = wg_tiles, wg_vtp = wg_tiles + ${(S - 1) * shift};`,
      `int16_t *const wg_row = ${row};`,
      `int16_t *const wg_V = ${V};`,
      `${accT} *const wg_M = ${Mt};`,
      `int g, c, t, i, j, o, k, sg;`,
      `(void)k; (void)sg;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    for (c = 0; c < ${Cg}; c++) {`,
      `      const size_t xo = ((size_t)b * ${C} + (size_t)g * ${Cg} + c) * qT;`,
      `      const int P = ${padded ? `(wg_vtp + ${loads}) * ${m}` : `wg_vtp * ${m} + ${rs - 1}`};`,
      `      for (i = 0; i < P; i++) wg_row[i] = ${s.zp};`,
      `      for (i = 0; i < qT; i++) wg_row[${padL} + i] = ${xv};`,
      ...(neonIn ? neonInputTransform(BT, m, Cg) : scalarIn),
      `    }`,
      ...(neonGemm ? neonTapGemm({ n, Mg, Cg, S, shift, up, a64 }) : scalarGemm),
      // The channels last to first: a write past the end of a row (of the tile blocks or the
      // tail) would land in a row already done, where the tests see it.
      `    for (o = ${Mg - 1}; o >= 0; o--) {`,
      `      const int oc = g * ${Mg} + o;`,
      ...(neonOut ? [`      const uint32x4_t vb = vdupq_n_u32((uint32_t)bias[oc]);`, ...neonOutputTransform(AT, scale, Mg)] : [`      t = 0;`]),
      `      for (; t < wg_tiles; t++) {`,
      `        int64_t sv[${m}];`,
      ...AT.map((rowi, ii) => `        sv[${ii}] = ${linear(rowi, (jj) => `(int64_t)wg_M[((size_t)${jj} * ${Mg} + o) * wg_tp + t]`)};`),
      // Exact division by S = 2^e odd: a shift, then the odd part's inverse modulo 2^32 (only the
      // low 32 bits of the quotient reach the wrapping int32 accumulator).
      `        for (i = 0; i < ${m} && t * ${m} + i < qTo; i++) acc[(size_t)oc * qTo + t * ${m} + i] = (int32_t)((uint32_t)bias[oc] + (uint32_t)(sv[i]${e > 0 ? ` >> ${e}` : ""}) * ${inv}u);`,
      `      }`,
      `    }`,
      `  }`,
      `  for (m = 0; m < ${M}; m++) ${s.rq("acc + (size_t)m * qTo", "y + ((size_t)b * " + M + " + m) * qTo", "qTo", "m")}`,
      `}`,
    ].join("\n");
  },
});
