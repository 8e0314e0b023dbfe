// The int8 GEMM of the integer kernels: acc[m*ldm + n*ldn] = bias[m] + sum_k w[m][k] x[n][k],
// with both operands k-contiguous (weights packed at compile time, M padded to a multiple of 4
// with zero rows; activations as im2col patches, transposed inputs or MatMul rows). Exact int32
// arithmetic everywhere; the interpreter's sums bit for bit.
//
// c99: int16 activations holding int8 values (the callers' patches are int16 there), re-read
// as uint8 panels; 4 rows x 4 columns of uint8 x int8 sums (see scalarGemm).
//
// NEON: register blocks of 4 weight rows x 4 activation columns on aarch64 (x 2 on armv7, whose
// 16 q registers cannot hold 16 accumulators), then 2- and 1-column blocks for the last columns;
// 16 k per step (after one 8-deep step when K % 16 >= 8), then a scalar K % 8 tail. Each
// accumulator holds 4 partial sums of one (row, column) pair, added horizontally once per
// block. Cost per 16 MACs (one weight vector against one activation vector), from GCC 12's
// output of the generated code (the instruction counts are in docs/measurements.md):
// - ARM, no weight is -128 ("pair"): SMULL + SMLAL2 (int8 x int8 -> int16, two products per lane
//   fit int16 when |w| <= 127: 2 * 127 * 128 = 32512) + SADALP (pairwise into int32) = 3
//   instructions, the usual sequence for cores without the dot product (gemmlowp, ruy and
//   XNNPACK's "mlal-padal" kernels build on it). The 4x4 block loads 4 + 4 vectors for 16 of those
//   (0.5 load per 16 MACs; 4x2 needed 0.75 and a DUP per vget_high), fewer instructions than the
//   former 4x2 loop even with the accumulators GCC spills. "single" (some weight is -128):
//   SMULL + SMULL2 + 2 SADALP.
// - ARM + dotprod: one SDOT per 16 MACs, 8 loads per 16 SDOTs.
// - Not ARM (SIMDe on x86, the host engine): SIMDe maps 64-bit NEON vectors badly: GCC 12
//   expands every vmovl_s8, so every vmull_s8/vmlal_s8 operand, into 4-5 instructions. There the
//   step sign-extends the even and odd bytes of each 16-byte vector in place (vshlq_n_s16 +
//   vshrq_n_s16 and vshrq_n_s16: 3 instructions per 16 bytes, shared by the block) and
//   multiplies in int16 (vmulq_s16 + vmlaq_s16: pmullw, pmullw, paddw; the same pair bound)
//   before vpadalq_s16 (pmaddwd by ones + paddd): 5 instructions per 16 MACs. That is the floor
//   of what SIMDe offers (no NEON intrinsic reaches pmaddwd on two operands, pmaddubsw or VNNI;
//   vdotq_s32 is a scalar loop in SIMDe 0.7, so dotprod takes the "single" form there). Both
//   forms are NEON intrinsics with the same exact sums; the ARM ones run under qemu in the
//   tests, the other through SIMDe.
import type { KernelContext } from "../kernel.js";
import { useWide } from "./gemm.js";

/** Packs w[M][K] (row-major int8) with M rounded up to a multiple of 4 by zero rows. */
export function packRowsInt8(w: Int8Array, M: number, K: number): Int8Array {
  const Mp = Math.ceil(M / 4) * 4;
  const out = new Int8Array(Mp * K);
  out.set(w.subarray(0, M * K));
  return out;
}

/** A GEMM helper: the C type of its activations and a call builder (scalar calls get their scratch: a uint8 panel and row sums). */
export interface QGemm {
  /** C type of x (int16_t on c99, int8_t on NEON); its values are int8 ([-128, 127]) either way. */
  readonly xType: "int16_t" | "int8_t";
  /** The C call: args M, N, K, w, x, ldx, bias, acc, ldm, ldn as C expressions. */
  call(M: string | number, N: string, K: number, w: string, x: string, ldx: string | number, bias: string, acc: string, ldm: string | number, ldn: string | number): string;
}

type NeonKind = "dot" | "pair" | "single";

/** Adds the GEMM helper; `pairSafe`: no weight is -128. */
export function useQGemm(ctx: KernelContext, pairSafe: boolean): QGemm {
  const t = ctx.target;
  if (!t.neon) return scalarGemm(ctx);
  const kind: NeonKind = t.dotprod ? "dot" : pairSafe ? "pair" : "single";
  const name = `neonc_qgemm_s8_${kind}`;
  const cols = t.arch === "aarch64" ? 4 : 2;
  const blocks = [cols, ...(cols > 2 ? [2] : []), 1];
  const loops = blocks.map((c, i) => [
    i === 0 ? `    for (n = 0; n + ${c} <= N; n += ${c}) {` : c > 1 ? `    for (; n + ${c} <= N; n += ${c}) {` : `    for (; n < N; n++) {`,
    neonBlock(c, kind, t.arch === "aarch64"),
    `    }`,
  ].join("\n"));
  ctx.helper(name, `static void ${name}(int M, int N, int K, const int8_t *w, const int8_t *x, int ldx, const int32_t *bias, int32_t *acc, int ldm, int ldn) {
  int m, n, k, i;
  for (m = 0; m < M; m += 4) {
    const int8_t *w0 = w + (size_t)m * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
${loops.join("\n")}
  }
}`);
  return {
    xType: "int8_t",
    call: (M, N, K, w, x, ldx, bias, acc, ldm, ldn) => `${name}(${M}, ${N}, ${K}, ${w}, ${x}, ${ldx}, ${bias}, ${acc}, ${ldm}, ${ldn});`,
  };
}

const ROWS = [0, 1, 2, 3];

/** One block of 4 weight rows (w0..w3) against `cols` activation rows x0.. at column n. */
function neonBlock(cols: number, kind: NeonKind, a64: boolean): string {
  const cs = Array.from({ length: cols }, (_, c) => c);
  const a = (c: number, r: number) => `a${c}${r}`;
  // The 16-byte step on ARM: widening multiplies straight from int8 (SMLAL2/SMULL2 read the high
  // halves in place on aarch64; armv7's d registers are the halves of its q registers).
  const armTile = (c: number, r: number) => {
    const acc = a(c, r), xv = `xv${c}`;
    if (kind === "dot") return `${acc} = vdotq_s32(${acc}, wv, ${xv});`;
    const lo = `vmull_s8(wl, vget_low_s8(${xv}))`;
    if (kind === "pair") {
      return a64
        ? `${acc} = vpadalq_s16(${acc}, vmlal_high_s8(${lo}, wv, ${xv}));`
        : `${acc} = vpadalq_s16(${acc}, vmlal_s8(${lo}, wh, vget_high_s8(${xv})));`;
    }
    const hi = a64 ? `vmull_high_s8(wv, ${xv})` : `vmull_s8(wh, vget_high_s8(${xv}))`;
    return `${acc} = vpadalq_s16(vpadalq_s16(${acc}, ${lo}), ${hi});`;
  };
  const armHalves = kind === "dot" ? "" : a64 ? " int8x8_t wl = vget_low_s8(wv);" : " int8x8_t wl = vget_low_s8(wv), wh = vget_high_s8(wv);";
  const armStep = [
    `  int8x16_t ${cs.map((c) => `xv${c} = vld1q_s8(x${c} + k)`).join(", ")};`,
    ...ROWS.map((r) => `  { int8x16_t wv = vld1q_s8(w${r} + k);${armHalves} ${cs.map((c) => armTile(c, r)).join(" ")} }`),
  ];
  // The same step where NEON is emulated: even/odd bytes sign-extended in their int16 lanes.
  const emuTile = (c: number) => kind === "pair"
    ? `vpadalq_s16(@, vmlaq_s16(vmulq_s16(we, xe${c}), wo, xo${c}))`
    : `vpadalq_s16(vpadalq_s16(@, vmulq_s16(we, xe${c})), vmulq_s16(wo, xo${c}))`;
  const emuStep = [
    ...cs.map((c) => `  int16x8_t xr${c} = vreinterpretq_s16_s8(vld1q_s8(x${c} + k)), xo${c} = vshrq_n_s16(xr${c}, 8), xe${c} = vshrq_n_s16(vshlq_n_s16(xr${c}, 8), 8);`),
    ...ROWS.map((r) => `  { int16x8_t wr = vreinterpretq_s16_s8(vld1q_s8(w${r} + k)), wo = vshrq_n_s16(wr, 8), we = vshrq_n_s16(vshlq_n_s16(wr, 8), 8); ${cs.map((c) => `${a(c, r)} = ${emuTile(c).replace("@", a(c, r))};`).join(" ")} }`),
  ];
  // WebAssembly SIMD128 (through SIMDe the NEON types are v128_t): both operands widened to
  // int16, then i32x4.dot_i16x8_s multiplies pairs and adds them into int32 lanes, one
  // instruction where the emulated step takes a multiply, a multiply-add and a pairwise add.
  // Integer sums, so the same totals in any grouping.
  const wasmStep = [
    `  v128_t ${cs.map((c) => `xv${c} = wasm_v128_load(x${c} + k)`).join(", ")};`,
    `  v128_t ${cs.map((c) => `xl${c} = wasm_i16x8_extend_low_i8x16(xv${c}), xh${c} = wasm_i16x8_extend_high_i8x16(xv${c})`).join(", ")};`,
    ...ROWS.map((r) => `  { v128_t wv = wasm_v128_load(w${r} + k), wl = wasm_i16x8_extend_low_i8x16(wv), wh = wasm_i16x8_extend_high_i8x16(wv); ${cs.map((c) => `${a(c, r)} = wasm_i32x4_add(${a(c, r)}, wasm_i32x4_add(wasm_i32x4_dot_i16x8(wl, xl${c}), wasm_i32x4_dot_i16x8(wh, xh${c})));`).join(" ")} }`),
  ];
  const hsum = (c: number) => {
    const v = ROWS.map((r) => a(c, r));
    if (a64) return `vpaddq_s32(vpaddq_s32(${v[0]}, ${v[1]}), vpaddq_s32(${v[2]}, ${v[3]}))`;
    const half = (x: string) => `vpadd_s32(vget_low_s32(${x}), vget_high_s32(${x}))`;
    return `vcombine_s32(vpadd_s32(${half(v[0]!)}, ${half(v[1]!)}), vpadd_s32(${half(v[2]!)}, ${half(v[3]!)}))`;
  };
  const lines = [
    `const int8_t ${cs.map((c) => (c === 0 ? `*x0 = x + (size_t)n * ldx` : `*x${c} = x${c - 1} + ldx`)).join(", ")};`,
    `int32x4_t ${cs.flatMap((c) => ROWS.map((r) => `${a(c, r)} = vdupq_n_s32(0)`)).join(", ")};`,
    `int32_t s[4];`,
    // An 8-deep step first when K has one (after the main loop, it makes GCC 12 -O3 copy every
    // accumulator once per iteration of that loop), then 16 deep, then the K % 8 scalar tail.
    `k = 0;`,
    `if (K & 8) {`,
    `  int8x8_t ${cs.map((c) => `xh${c} = vld1_s8(x${c})`).join(", ")};`,
    ...ROWS.map((r) => `  { int8x8_t wd = vld1_s8(w${r}); ${cs.map((c) => `${a(c, r)} = vpadalq_s16(${a(c, r)}, vmull_s8(wd, xh${c}));`).join(" ")} }`),
    `  k = 8;`,
    `}`,
    `for (; k + 16 <= K; k += 16) {`,
    `#if defined(__ARM_NEON) || defined(__ARM_NEON__)`,
    ...armStep,
    `#elif defined(__wasm_simd128__)`,
    ...wasmStep,
    `#else`,
    ...emuStep,
    `#endif`,
    `}`,
    ...cs.flatMap((c) => [
      `vst1q_s32(s, ${hsum(c)});`,
      `for (i = k; i < K; i++) {`,
      ...ROWS.map((r) => `  s[${r}] += (int32_t)w${r}[i] * x${c}[i];`),
      `}`,
      `for (i = 0; i < 4 && m + i < M; i++) acc[(size_t)(m + i) * ldm + (size_t)(n + ${c}) * ldn] = s[i] + bias[m + i];`,
    ]),
  ];
  // Preprocessor lines start in column 0; the rest is indented into the loop body.
  return lines.map((l) => (l.startsWith("#") ? l : `      ${l}`)).join("\n");
}

/** One c99 register block: weight rows w0..w3 against `cols` activation columns of the u8 panel xu. */
function scalarBlock(cols: number): string {
  const cs = Array.from({ length: cols }, (_, c) => c);
  const s = (r: number, c: number) => `s${r}${c}`;
  return [
    `        int32_t ${cs.flatMap((c) => ROWS.map((r) => `${s(r, c)} = 0`)).join(", ")};`,
    `        for (k = 0; k < K; k++) {`,
    `          const int32_t ${ROWS.map((r) => `v${r} = w${r}[k]`).join(", ")};`,
    ...cs.map((c) => `          ${ROWS.map((r) => `${s(r, c)} += (int32_t)xu[${c} * K + k] * v${r};`).join(" ")}`),
    `        }`,
    ...ROWS.map((r) => `        if (m + ${r} < M) { ${cs.map((c) => `acc[(size_t)(m + ${r}) * ldm + (size_t)(n + ${c}) * ldn] = ${s(r, c)} + cb[m + ${r}];`).join(" ")} }`),
  ].join("\n");
}

/**
 * The c99 GEMM. The activations (int8 values in int16, see QGemm) of a panel of 4 columns (then
 * single columns) are copied as uint8 x + 128 into scratch, so each k loop is a sum of
 * uint8 x int8 products, the form GCC (12+) turns into vpdpbusd with AVX-VNNI (4 MACs per 32-bit
 * lane, against 2 for the former int16 x int16 loops and vpdpwssd) and into widening multiply-adds
 * elsewhere. Exact: sum w (x + 128) - 128 sum w = sum w x, with the per-row 128 sum w folded into
 * the bias once per call (cb). 4 weight rows x 4 columns are 16 independent sums in vector
 * registers; the panel is the outer loop so it stays in L1 while the weights stream (read in
 * place as int8, no per-block widening copy). NEONC_WIDE lets GCC use 512-bit vectors on
 * AVX-512 hosts (measured on M128 N50 K384: 28.5 us -> 21 us per call, ymm vpdpwssd 4x2 before).
 * Each of the 16 sums ends in a horizontal reduction of one vector, a fixed cost per output that
 * a 512-bit vector doubles against K / 64 dot steps: below WIDE_MIN_K the calls go to a copy of
 * the same loop without NEONC_WIDE (GCC's default 256-bit vectors), measured faster there on
 * asr-digits (K = 128, 192, 256); the two copies compute the same exact sums.
 */
function scalarGemm(ctx: KernelContext): QGemm {
  useWide(ctx);
  const panel = (cols: number) => [
    `      for (c = 0; c < ${cols}; c++) {`,
    `        const int16_t *xs = x + (size_t)(n + c) * ldx;`,
    `        uint8_t *xd = xu + c * K;`,
    `        for (k = 0; k < K; k++) xd[k] = (uint8_t)(xs[k] + 128);`,
    `      }`,
    `      for (m = 0; m < M; m += 4) {`,
    `        const int8_t *w0 = w + (size_t)m * K, *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;`,
    scalarBlock(cols),
    `      }`,
  ].join("\n");
  // Registered on first use, so a model only carries the copies its K values call.
  const define = (wide: boolean): string => {
    const name = wide ? "neonc_qgemm_s8_scalar" : "neonc_qgemm_s8_scalar_v256";
    ctx.helper(name, `static ${wide ? "NEONC_WIDE " : ""}void ${name}(int M, int N, int K, const int8_t *w, const int16_t *x, int ldx, const int32_t *bias, int32_t *acc, int ldm, int ldn, uint8_t *xu, int32_t *cb) {
  int m, n, k, c;
  for (m = 0; m < M; m++) {
    const int8_t *wm = w + (size_t)m * K;
    int32_t sw = 0;
    for (k = 0; k < K; k++) sw += wm[k];
    cb[m] = bias[m] - 128 * sw;
  }
  for (n = 0; n + 4 <= N; n += 4) {
${panel(4)}
  }
  for (; n < N; n++) {
${panel(1)}
  }
}`);
    return name;
  };
  return {
    xType: "int16_t",
    call: (M, N, K, w, x, ldx, bias, acc, ldm, ldn) => {
      const rows = typeof M === "number" ? M : Number(M);
      if (!Number.isInteger(rows) || rows < 1) throw new Error(`neonc_qgemm_s8_scalar needs a constant row count to size its scratch, got ${M}`);
      // Each uint8 x int8 sum must fit int32 before the bias correction: 255 * 128 * K < 2^31.
      if (K > 65793) throw new Error(`the c99 int8 GEMM sums at most 65793 products per output (uint8 x int8 in int32), got K = ${K}`);
      const name = define(K >= WIDE_MIN_K);
      return `${name}(${M}, ${N}, ${K}, ${w}, ${x}, ${ldx}, ${bias}, ${acc}, ${ldm}, ${ldn}, ${ctx.scratch(4 * K, "uint8_t")}, ${ctx.scratch(rows, "int32_t")});`;
    },
  };
}

/** The smallest K whose c99 GEMM calls take 512-bit vectors (NEONC_WIDE); see scalarGemm. */
const WIDE_MIN_K = 384;
