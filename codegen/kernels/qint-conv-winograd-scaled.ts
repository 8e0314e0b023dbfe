// QConvWinogradScaled in C: scaled integer Winograd F(m, rs) (ir/kernels/scaled-winograd.ts, which
// defines every step on integers; this reproduces it bit for bit on every target). Per image and
// group: the input becomes zero-point-padded int8 rows [L][Cg] (qint-conv-rows.ts, as the direct
// QConvGemmRows makes them), so each tile's input transform runs across channels: V_j = B^T_j
// (rows - zp) in int16 (constants written into the code), requantized to int8 by the tap's Q15
// multiplier (NEON: vqrdmulh and a saturating narrow, 8 channels at a time) into V8 [n][tiles][Cg].
// Then one int8 GEMM per tap (qint-gemm.ts, the direct convolution's: SMULL/SMLAL2/SADALP, SDOT
// with dotprod, uint8 x int8 panels on c99) of the packed U8 [Mg][S Cg] against V8, whose tile t
// reads S Cg contiguous values (segments of m taps shift by one tile). The output transform
// scales each tap's int32 result by its fixed-point multiplier (the gemmlowp helpers of
// fixed-point-c.ts), sums A_int over the taps in int32 (the plan's guard bits keep it from
// wrapping), drops the guard bits and adds the bias with saturation; on NEON 4 tiles at a time
// for m = 2, 3, 4, the m outputs of each tile interleaved into the row by one VST2/3/4. Each
// channel's row is then requantized as QConv's are.
import { addDim, ceilDivDim, mulDim } from "../../ir/dim.js";
import { scaledWinogradPlan } from "../../ir/kernels/scaled-winograd.js";
import { defineKernel } from "../kernel.js";
import { qconvInt8 } from "./qint-conv-common.js";
import { integerWinogradUnsupported, linear } from "./qint-conv-winograd.js";
import { useQConvRows } from "./qint-conv-rows.js";
import { packRowsInt8, useQGemm } from "./qint-gemm.js";
import { useFixedPoint } from "../fixed-point-c.js";

/** `c0*d0 + c1*d1 + ...` over integer coefficients as NEON operations on `lanes` (s16: int16x8, s32: int32x4). */
function linearNeon(row: readonly number[], d: (i: number) => string, lanes: "s16" | "s32"): string {
  let e = "";
  row.forEach((c, i) => {
    if (c === 0) return;
    if (e === "") e = c === 1 ? d(i) : c === -1 ? `vnegq_${lanes}(${d(i)})` : `vmulq_n_${lanes}(${d(i)}, ${c})`;
    else e = c === 1 ? `vaddq_${lanes}(${e}, ${d(i)})` : c === -1 ? `vsubq_${lanes}(${e}, ${d(i)})` : `vmlaq_n_${lanes}(${e}, ${d(i)}, ${c})`;
  });
  return e === "" ? `vdupq_n_${lanes}(0)` : e;
}

/** unguard() of scaled-winograd.ts in C on an int32 sum: a rounding right shift, or a saturating left one. */
const unguardC = (v: string, g: number) =>
  g === 0 ? v : g > 0 ? `(int32_t)(((int64_t)${v} + ${2 ** (g - 1)}) >> ${g})` : `neonc_sat_s32((int64_t)${v} * ${2 ** -g})`;
/** The same on 4 lanes (vrshr rounds in wide precision; the sum stays 2^21 below the int32 limit). */
const unguardNeon = (v: string, g: number) => (g === 0 ? v : g > 0 ? `vrshrq_n_s32(${v}, ${g})` : `vqshlq_n_s32(${v}, ${-g})`);
export const qConvWinogradScaledKernel = defineKernel({
  op: "QConvWinogradScaled",
  supports: integerWinogradUnsupported,
  emit(node, attrs, ctx) {
    const s = qconvInt8(node, attrs, ctx, { centred: true });
    const { M, Cg, Mg, C, Kw: r, group, padL, w } = s.geo;
    const m = attrs.m as number;
    const p = scaledWinogradPlan(w, M, Cg, group, r, m, (attrs.segment as number | undefined) ?? 0, attrs.input_scales as number[]);
    const { n, S, rs, BT, A, mult, guard } = p;
    const depth = S * Cg, Mgp = Math.ceil(Mg / 4) * 4;
    const gemm = useQGemm(ctx, true);
    const packed = new Int8Array(group * n * Mgp * depth);
    for (let gj = 0; gj < group * n; gj++) packed.set(packRowsInt8(p.U8.subarray(gj * Mg * depth, (gj + 1) * Mg * depth), Mg, depth), gj * Mgp * depth);
    const up = ctx.addWeights(`qconv_wgs${m}x${rs}_u8`, packed);
    const qmp = ctx.addWeights(`qconv_wgs${m}x${rs}_tap_multiplier`, p.tapMultiplier);
    const qsp = ctx.addWeights(`qconv_wgs${m}x${rs}_tap_shift`, p.tapShift);
    const fp = useFixedPoint(ctx, "gemmlowp");
    const zero = ctx.addWeights("qconv_wgs_zero", new Int32Array(Mgp));
    const tout = ctx.type(node.outputs[0]!).shape[2]!;
    const tilesMax = ceilDivDim(tout, m);
    const vtMax = addDim(tilesMax, S - 1);
    const toRows = useQConvRows(ctx, s.u8 ? "uint8_t" : "int8_t", "int8_t");
    const rows = ctx.scratch(mulDim(addDim(mulDim(vtMax, m), rs - 1), Cg), "int8_t");
    const V = ctx.scratch(mulDim(vtMax, n * Cg), gemm.xType);
    const Mt = ctx.scratch(mulDim(tilesMax, n * Mgp), "int32_t");
    const neon = ctx.target.neon;
    const scalarTap = (jj: number) =>
      `{ const int v = ${linear(BT[jj]!, (ii) => `(r0[${ii} * ${Cg} + c] - ${s.zp})`)}; const int q = (2 * v * ${mult[jj]} + 32768) >> 16; ` +
      `wg_V[((size_t)${jj} * wg_vt + t) * ${Cg} + c] = (${gemm.xType})(q > 127 ? 127 : q < -128 ? -128 : q); }`;
    const transform = [
      `      for (t = 0; t < wg_vt; t++) {`,
      `        const int8_t *r0 = wg_rows + (size_t)t * ${m * Cg};`,
      `        c = 0;`,
      ...(neon ? [
        `        for (; c + 8 <= ${Cg}; c += 8) {`,
        `          const int16x8_t ${Array.from({ length: n }, (_, ii) => `d${ii} = vsubq_s16(vmovl_s8(vld1_s8(r0 + ${ii * Cg} + c)), wg_zp)`).join(", ")};`,
        ...BT.map((row, jj) => `          vst1_s8(wg_V + ((size_t)${jj} * wg_vt + t) * ${Cg} + c, vqmovn_s16(vqrdmulhq_n_s16(${linearNeon(row, (ii) => `d${ii}`, "s16")}, ${mult[jj]})));`),
        `        }`,
      ] : []),
      `        for (; c < ${Cg}; c++) {`,
      ...BT.map((_, jj) => `          ${scalarTap(jj)}`),
      `        }`,
      `      }`,
    ];
    const T = (jj: number) => `wg_T${jj}`;
    const row = (jj: number) => `wg_M + ((size_t)${jj} * ${Mgp} + o) * wg_tiles`;
    const vectorOut = fp.vector !== undefined && m >= 2 && m <= 4;
    const outputTransform = [
      `    for (o = 0; o < ${Mg}; o++) {`,
      `      const int oc = g * ${Mg} + o;`,
      `      const int32_t *qm = wg_qm + (size_t)g * ${n * Mg} + o, *qs = wg_qs + (size_t)g * ${n * Mg} + o;`,
      `      t = 0;`,
      ...(vectorOut ? [
        `      {`,
        `        const int32x4_t bv = vdupq_n_s32(bias[oc]);`,
        `        const int32x4_t ${BT.map((_, jj) => `qm${jj} = vdupq_n_s32(qm[${jj * Mg}]), qs${jj} = vdupq_n_s32(qs[${jj * Mg}])`).join(", ")};`,
        `        for (; t + 4 <= wg_tiles && (t + 4) * ${m} <= qTo; t += 4) {`,
        `          const int32x4_t ${BT.map((_, jj) => `${T(jj)} = ${fp.vector}(vld1q_s32(${row(jj)} + t), qm${jj}, qs${jj})`).join(", ")};`,
        `          int32x4x${m}_t out;`,
        ...A.map((arow, ii) => `          out.val[${ii}] = vqaddq_s32(bv, ${unguardNeon(linearNeon(arow, T, "s32"), guard)});`),
        `          vst${m}q_s32(acc + (size_t)oc * qTo + t * ${m}, out);`,
        `        }`,
        `      }`,
      ] : []),
      `      for (; t < wg_tiles; t++) {`,
      `        const int32_t ${BT.map((_, jj) => `${T(jj)} = ${fp.scalar}((${row(jj)})[t], qm[${jj * Mg}], qs[${jj * Mg}])`).join(", ")};`,
      `        int32_t sv[${m}];`,
      ...A.map((arow, ii) => `        sv[${ii}] = ${linear(arow, T)};`),
      `        for (i = 0; i < ${m} && t * ${m} + i < qTo; i++) acc[(size_t)oc * qTo + t * ${m} + i] = neonc_sat_s32((int64_t)bias[oc] + ${unguardC("sv[i]", guard)});`,
      `      }`,
      `    }`,
    ];
    return [
      ...s.lines,
      `const int wg_tiles = (qTo + ${m - 1}) / ${m}, wg_vt = wg_tiles + ${S - 1};`,
      `const int qL = wg_vt * ${m} + ${rs - 1};`,
      `int8_t *const wg_rows = ${rows};`,
      `${gemm.xType} *const wg_V = ${V};`,
      `int32_t *const wg_M = ${Mt};`,
      `const int8_t *const wg_U = ${up};`,
      `const int32_t *const wg_qm = ${qmp}, *const wg_qs = ${qsp};`,
      ...(neon ? [`const int16x8_t wg_zp = vdupq_n_s16(${s.zp});`] : []),
      `int g, c, t, i, j, o;`,
      `for (b = 0; b < ${s.N}; b++) {`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    ${toRows}(x + ((size_t)b * ${C} + (size_t)g * ${Cg}) * qT, ${Cg}, qT, ${padL}, qL, ${s.zp}, wg_rows);`,
      ...transform.map((l) => l.slice(2)),
      `    for (j = 0; j < ${n}; j++)`,
      `      ${gemm.call(Mg, "wg_tiles", depth, `wg_U + ((size_t)g * ${n} + j) * ${Mgp * depth}`, `wg_V + (size_t)j * wg_vt * ${Cg}`, Cg, zero, `wg_M + (size_t)j * ${Mgp} * wg_tiles`, "wg_tiles", 1)}`,
      ...outputTransform,
      `  }`,
      `  for (m = 0; m < ${M}; m++) ${s.rq("acc + (size_t)m * qTo", "y + ((size_t)b * " + M + " + m) * qTo", "qTo", "m")}`,
      `}`,
    ].join("\n");
  },
});
