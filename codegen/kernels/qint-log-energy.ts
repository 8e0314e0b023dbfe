// QLogEnergy in C (ir/ops/integer/qlog-energy.ts): per row the exact powers into int64 scratch,
// per band the exact int64 sum through the bank over the band's nonzero bins only (a mel bank
// is a few triangles; the spans are found here from the constant bank), the fixed-point log2
// by a 256-entry table, and one requantized row. Integer only, so every target gives the
// interpreter's bits. Scalar: a few thousand products per frame, next to the STFT's convs.
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { LOG2_FRAC_BITS, LOG2_Q16, LOG2_TABLE_BITS, NO_FLOOR } from "../../ir/ops/integer/qlog-energy.js";
import { dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";

const LOG2_C = `static const uint16_t neonc_log2_q16_table[${LOG2_Q16.length}] = {${LOG2_Q16.join(",")}};
/* max(log2(e) in Q${LOG2_FRAC_BITS} + offset, lowest); lowest for e <= 0. */
static int32_t neonc_log_energy_q16(int64_t e, int32_t offset, int32_t lowest) {
  uint64_t u;
  uint32_t top;
  int32_t l;
  int n = 0, s;
  if (e <= 0) return lowest;
  u = (uint64_t)e;
  for (s = 32; s > 0; s >>= 1) if (u >> (n + s)) n += s;
  top = n >= ${LOG2_TABLE_BITS} ? (uint32_t)(u >> (n - ${LOG2_TABLE_BITS})) : (uint32_t)(u << (${LOG2_TABLE_BITS} - n));
  l = (int32_t)n * ${2 ** LOG2_FRAC_BITS} + (int32_t)neonc_log2_q16_table[top - ${1 << LOG2_TABLE_BITS}u] + offset;
  return l > lowest ? l : lowest;
}`;

export const qLogEnergyKernel = defineKernel({
  op: "QLogEnergy",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8", "i16"], 1: ["i8", "u8", "i16"], 2: ["i8"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const p = requantOf(attrs, 1, ctx);
    const [re, im, bank] = node.inputs;
    const y = node.outputs[0]!;
    const shape = ctx.type(re!).shape;
    const K = ctx.dim(shape[shape.length - 1]!);
    const M = bank ? ctx.dim(ctx.type(bank).shape[1]!) : K;
    const offsets = attrs.offsets as readonly number[];
    const floor = attrs.floor as number;
    const [zr, zi] = [attrs.re_zero_point as number, attrs.im_zero_point as number];
    ctx.helper("log_energy_q16", LOG2_C);
    const row = useRequantRow(ctx, p, ctx.type(y).dtype);
    const offs = offsets.length === 1 ? `${offsets[0]}` : `${ctx.addWeights("qlog_energy_offsets", Int32Array.from(offsets))}[m]`;
    const addends = attrs.addends as readonly number[];
    const start = addends.length === 0 ? "0" : addends.length === 1 ? `(int64_t)${addends[0]}` : `${ctx.addWeights("qlog_energy_addends", BigInt64Array.from(addends, (v) => BigInt(v)))}[m]`;
    const lines = [
      `const ${ctype(ctx.type(re!).dtype)} *re = ${ctx.ptr(re!)};`,
      ...(im ? [`const ${ctype(ctx.type(im).dtype)} *im = ${ctx.ptr(im)};`] : []),
      `int r, k, m, K = ${K}, M = ${M}, rows = K == 0 ? 0 : ${ctx.numel(re!)} / K;`,
      `int32_t *acc = ${ctx.scratch(ctx.type(y).shape.reduce<number>((a, d) => a * ctx.maxDim(d), 1), "int32_t")};`,
      `int64_t *pw = ${ctx.scratch(ctx.maxDim(shape[shape.length - 1]!), "int64_t")};`,
    ];
    if (bank) {
      const b = ctx.constant(bank);
      if (!b || !(b.data instanceof Int8Array)) return ctx.fail(`the bank ${bank} must be an int8 constant`);
      const bd = b.data;
      const [Kb, Mb] = b.shape as [number, number];
      const spans = new Int32Array(2 * Mb);
      for (let m = 0; m < Mb; m++) {
        let lo = Kb, hi = 0;
        for (let k = 0; k < Kb; k++) if (bd[k * Mb + m] !== 0) { lo = Math.min(lo, k); hi = k + 1; }
        spans[2 * m] = lo < hi ? lo : 0;
        spans[2 * m + 1] = lo < hi ? hi : 0;
      }
      lines.push(`const int8_t *bank = ${ctx.ptr(bank)};`, `const int32_t *span = ${ctx.addWeights("qlog_energy_spans", spans)};`);
    }
    lines.push(
      `for (r = 0; r < rows; r++) {`,
      `  for (k = 0; k < K; k++) {`,
      `    int64_t a = (int64_t)re[r * K + k] - ${zr}${im ? `, b = (int64_t)im[r * K + k] - ${zi}` : ""};`,
      `    pw[k] = a * a${im ? " + b * b" : ""};`,
      `  }`,
      `  for (m = 0; m < M; m++) {`,
      ...(bank ? [
        `    int64_t e = ${start};`,
        `    for (k = span[2 * m]; k < span[2 * m + 1]; k++) e += pw[k] * bank[k * M + m];`,
      ] : [`    int64_t e = pw[m] + ${start};`]),
      `    acc[r * M + m] = neonc_log_energy_q16(e, ${offs}, ${floor});`,
      `  }`,
      `}`,
      `${row.one}(acc, ${ctx.ptr(y)}, rows * M, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
    );
    // Without a floor the log of zero is -infinity: the lowest output (log2 + offset never reaches NO_FLOOR).
    if (floor === NO_FLOOR) lines.push(`for (r = 0; r < rows * M; r++) if (acc[r] == ${NO_FLOOR}) ${ctx.ptr(y)}[r] = ${p.qmin};`);
    return lines.join("\n");
  },
});
