// What the QLSTM and QGRU C kernels share (codegen/kernels/qint-lstm.ts, qint-gru.ts): the
// checks of `supports`, compile-time packing of each direction's gate rows for the int8 GEMM of
// qint-gemm.ts (zero points folded into the biases), and the C helpers of the gate arithmetic:
//   neonc_qrnn_lut(t, v)         the interpolated Q0.15 table value of src/runtime/kernels/qint-rnn.ts
//   neonc_qrnn_half_<r>(a, n, m, s)  in place: a[i] = M_i(a[i]), one multiplier per gate row
//   neonc_qrnn_add16(a, b)       clamp16(a + b) without int32 overflow
// Every value follows the interpreter's definitions exactly; the fixed-point multiplies are the
// helpers of codegen/fixed-point-c.ts (scalar and NEON, proven equal by their own tests).
import type { Rounding } from "../../ir/fixed-point.js";
import type { Graph, Node } from "../../ir/graph.js";
import { checkRounding } from "../../ir/ops/qint/common.js";
import { roundingSuffix, useFixedPoint } from "../fixed-point-c.js";
import type { KernelContext } from "../kernel.js";
import { packRowsInt8, useQGemm, type QGemm } from "./qint-gemm.js";

/** Why a QLSTM/QGRU node cannot be generated (checked before anything is emitted). */
export function qrnnUnsupported(node: Node, g: Graph): string | undefined {
  const t = (k: number) => (node.inputs[k] ? g.types[node.inputs[k]!] : undefined);
  if (t(0)?.dtype !== "i8") return "X must be int8";
  for (const [k, name] of [[1, "W"], [2, "R"], [3, "B"]] as const) {
    if (node.inputs[k] && !g.constants[node.inputs[k]!]) return `${name} must be constant (it is packed at compile time)`;
  }
  if (typeof t(0)!.shape[1] !== "number") return "the batch dim must be static";
  return undefined;
}

/** Rows [j0, j0 + n) of direction d's [D, G, K] weights packed for the GEMM, and their biases with the zero point folded in. */
export interface PackedRows {
  readonly w: string;
  readonly bias: string;
}

/**
 * Packs rows [j0, j0+n) of direction d of a [D, G, K] int8 weight tensor; the bias is
 * b[boff + j] - zp * sum_k w[j, k] (exact in int32 for any realistic K), so the GEMM can read the
 * raw int8 activations.
 */
export function packRows(
  ctx: KernelContext, hint: string, w: Int8Array, G: number, K: number, d: number, j0: number, n: number,
  bias: Int32Array | undefined, bOff: number, zp: number,
): PackedRows {
  const rows = w.subarray((d * G + j0) * K, (d * G + j0 + n) * K);
  const b = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += rows[j * K + k]!;
    b[j] = ((bias ? bias[bOff + j]! : 0) - zp * s) | 0;
  }
  return { w: ctx.addWeights(`${hint}_d${d}_r${j0}`, packRowsInt8(rows, n, K)), bias: ctx.addWeights(`${hint}_bias_d${d}_r${j0}`, b) };
}

/** Row multipliers/shifts of direction d, rows [j0, j0+n), as weight arrays. */
export function rowScales(ctx: KernelContext, hint: string, m: readonly number[], s: readonly number[], G: number, d: number, j0: number, n: number): { m: string; s: string } {
  const a = d * G + j0;
  return {
    m: ctx.addWeights(`${hint}_mult_d${d}_r${j0}`, Int32Array.from(m.slice(a, a + n))),
    s: ctx.addWeights(`${hint}_shift_d${d}_r${j0}`, Int32Array.from(s.slice(a, a + n))),
  };
}

export interface QRnnC {
  readonly gemm: QGemm;
  /** `neonc_qrnn_half_<rounding>`: in-place per-row requantization of an int32 run. */
  readonly half: string;
  /** The scalar fixed-point multiply of the rounding. */
  readonly fp: string;
}

/** Adds the shared helpers; `pairSafe`: no weight is -128 (see useQGemm). */
export function useQRnnC(ctx: KernelContext, roundingAttr: string, pairSafe: boolean): QRnnC {
  const rounding: Rounding = (() => {
    try {
      return checkRounding(roundingAttr);
    } catch (e) {
      return ctx.fail((e as Error).message);
    }
  })();
  const fp = useFixedPoint(ctx, rounding);
  ctx.helper("qrnn_common", `
/* Q0.15 table of 513 entries over the int16 input: segment u >> 7, fraction u & 127, linear
   interpolation rounded (ties up). */
static inline int32_t neonc_qrnn_lut(const int16_t *t, int32_t v) {
  const int32_t u = v + 32768, k = u >> 7, a = t[k];
  return a + (((t[k + 1] - a) * (u & 127) + 64) >> 7);
}
static inline int32_t neonc_qrnn_add16(int32_t a, int32_t b) {
  const int64_t v = (int64_t)a + b;
  return v < -32768 ? -32768 : (v > 32767 ? 32767 : (int32_t)v);
}
static inline int32_t neonc_qrnn_clamp16(int32_t v) {
  return v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
}`);
  const half = `neonc_qrnn_half_${roundingSuffix(rounding)}`;
  ctx.helper(`qrnn_half_${rounding}`, `
static void ${half}(int32_t *a, int n, const int32_t *m, const int32_t *s) {
  int i;${fp.vector ? `
  /* The tail starts at an explicit nv: after \`for (; i + 4 <= n; ...)\` GCC for armv7 cannot bound it (-Werror=aggressive-loop-optimizations). */
  const int nv = n - n % 4;
  for (i = 0; i < nv; i += 4) vst1q_s32(a + i, ${fp.vector}(vld1q_s32(a + i), vld1q_s32(m + i), vld1q_s32(s + i)));
  for (i = nv; i < n; i++) a[i] = ${fp.scalar}(a[i], m[i], s[i]);` : `
  for (i = 0; i < n; i++) a[i] = ${fp.scalar}(a[i], m[i], s[i]);`}
}`);
  return { gemm: useQGemm(ctx, pairSafe), half, fp: fp.scalar };
}

/** C statements: `lens[b]` for every batch entry, from sequence_lens (clamped to [0, T]) or T. */
export function lensCode(ctx: KernelContext, seq: string | undefined, B: number, T: string): string[] {
  const lens = ctx.scratch(B, "int32_t");
  return [
    `int32_t *lens = ${lens};`,
    seq
      ? `for (b = 0; b < ${B}; b++) { const int32_t v = ${ctx.ptr(seq)}[b]; lens[b] = v < 0 ? 0 : (v > ${T} ? ${T} : v); }`
      : `for (b = 0; b < ${B}; b++) lens[b] = ${T};`,
  ];
}

/**
 * C statements computing the input half of direction d for all rows: xin[r*G + j] =
 * M_j(bias_j + sum_k W[j,k] x[r,k]); `x` is the GEMM's activation pointer (int16 copy on c99).
 */
export function inputHalfCode(c: QRnnC, rows: string, G: number, I: number, packed: PackedRows, scales: { m: string; s: string }): string[] {
  return [
    c.gemm.call(G, rows, I, packed.w, "xg", I, packed.bias, "xin", 1, G),
    `for (r = 0; r < ${rows}; r++) ${c.half}(xin + (size_t)r * ${G}, ${G}, ${scales.m}, ${scales.s});`,
  ];
}
