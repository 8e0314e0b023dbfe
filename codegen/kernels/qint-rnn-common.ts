// What the QLSTM and QGRU C kernels share (codegen/kernels/qint-lstm.ts, qint-gru.ts): the
// checks of `supports`, the node's sizes and parameters, compile-time packing of each direction's
// gate rows for the int8 GEMM of qint-gemm.ts (zero points folded into the biases), the C of the
// GEMM's activations, of each direction's start and of the loop over steps and batch entries,
// and the C helpers of the gate arithmetic:
//   neonc_qrnn_lut(t, v)         the interpolated Q0.15 table value of ir/kernels/integer-rnn.ts
//   neonc_qrnn_half_<r>(a, n, m, s)  in place: a[i] = M_i(a[i]), one multiplier per gate row
//   neonc_qrnn_add16(a, b)       clamp16(a + b) without int32 overflow
// Every value follows the interpreter's definitions exactly; the fixed-point multiplies are the
// helpers of codegen/fixed-point-c.ts (scalar and NEON, proven equal by their own tests).
import type { Dim } from "../../ir/dim.js";
import type { Rounding } from "../../ir/fixed-point.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { checkRounding } from "../../ir/ops/integer/common.js";
import { numDirections } from "../../ir/ops/recurrent/common.js";
import type { RequantParams } from "../../ir/kernels/integer-requant.js";
import { roundingSuffix, useFixedPoint } from "../fixed-point-c.js";
import type { KernelContext } from "../kernel.js";
import { requantOf } from "./qint-common.js";
import { packRowsInt8, useQGemm, type QGemm } from "./qint-gemm.js";
import { scratchCount } from "./rnn-frame.js";

/** Why a QLSTM/QGRU node cannot be generated (checked before anything is emitted). */
export function qrnnUnsupported(node: Node, g: Graph): string | undefined {
  const t = (k: number) => (node.inputs[k] ? g.types[node.inputs[k]!] : undefined);
  if (t(0)?.dtype !== "i8") return "X must be int8";
  for (const [k, name] of [[1, "W"], [2, "R"], [3, "B"]] as const) {
    if (node.inputs[k] && !g.constants[node.inputs[k]!]) return `${name} must be constant (it is packed at compile time)`;
  }
  if (t(0)!.shape.length !== 3) return "X must have rank 3";
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

/** C statements: `lens[b]` for every batch entry (Bn of them), from sequence_lens (clamped to [0, T]) or T. */
export function lensCode(ctx: KernelContext, seq: string | undefined, B: Dim, T: string): string[] {
  const lens = ctx.scratch(B, "int32_t");
  return [
    `int32_t *lens = ${lens};`,
    seq
      ? `for (b = 0; b < Bn; b++) { const int32_t v = ${ctx.ptr(seq)}[b]; lens[b] = v < 0 ? 0 : (v > ${T} ? ${T} : v); }`
      : `for (b = 0; b < Bn; b++) lens[b] = ${T};`,
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

/** A QLSTM/QGRU node read for its kernel: sizes, int8 weights, parameters and the shared C helpers. */
export interface QRnnLayer {
  /** W [D, G, I] and R [D, G, H] as stored. */
  readonly wq: Int8Array;
  readonly rq: Int8Array;
  /** Directions, gate rows (gates x H), input size, hidden size, batch (may be symbolic). */
  readonly D: number;
  readonly G: number;
  readonly I: number;
  readonly H: number;
  readonly B: Dim;
  /** X's time dim as a C expression. */
  readonly T: string;
  /** `const int Tn = ..., Bn = ...;`: the C starts with it, the rest of the C reads Tn and Bn. */
  readonly sizes: string;
  readonly bias: Int32Array | undefined;
  readonly zpx: number;
  readonly zph: number;
  readonly c: QRnnC;
  /** M_out: the cell's Q0.30 product to h's int8 grid. */
  readonly out: RequantParams;
  /** c99: the GEMM reads int16 activations, so X and h are copied to int16 (`xg`, `hg`). */
  readonly scalar: boolean;
  /** The int16 gate table attribute `k` as weights (named `${tag}_${k}`). */
  table(k: string): string;
}

/** Reads a QLSTM (gates 4) or QGRU (gates 3) node and adds the helpers its C uses; `tag` names its weights. */
export function qrnnLayer(node: Node, attrs: Attrs, ctx: KernelContext, gates: number, tag: string): QRnnLayer {
  const [xN, wN, rN, bN] = node.inputs;
  const W = ctx.constant(wN!)!, R = ctx.constant(rN!)!;
  const wq = W.data as Int8Array, rq = R.data as Int8Array;
  const G = W.shape[1]!;
  const xt = ctx.type(xN!);
  const T = ctx.dim(xt.shape[0]!), B = xt.shape[1]!;
  const bias = bN ? (ctx.constant(bN)!.data as Int32Array) : undefined;
  const zph = attrs.h_zero_point as number;
  const c = useQRnnC(ctx, attrs.rounding as string, !wq.some((v) => v === -128) && !rq.some((v) => v === -128));
  const out = requantOf({ multiplier: [attrs.out_multiplier as number], shift: [attrs.out_shift as number], rounding: attrs.rounding, y_zero_point: zph, out_dtype: "i8" }, 1, ctx);
  return {
    wq, rq, D: numDirections(attrs.direction as string), G, I: W.shape[2]!, H: G / gates, B, T, sizes: `const int Tn = ${T}, Bn = ${ctx.dim(B)};`, bias,
    zpx: attrs.x_zero_point as number, zph, c, out, scalar: c.gemm.xType === "int16_t",
    table: (k) => ctx.addWeights(`${tag}_${k}`, Int16Array.from(attrs[k] as readonly number[])),
  };
}

/**
 * C declaring `xg`, the GEMM's view of X [T, B, I] (an int16 copy with an int16 `hg` for h on
 * c99, X itself elsewhere); `extra(type)` adds declarations of the activation type between.
 */
export function gemmInputCode(ctx: KernelContext, layer: QRnnLayer, xN: string, extra: (type: "int8_t" | "int16_t") => string[] = () => []): string[] {
  const { B, I, H } = layer;
  if (!layer.scalar) return [`const int8_t *xg = ${ctx.ptr(xN)};`, ...extra("int8_t")];
  return [
    `int16_t *xg = ${ctx.scratch(scratchCount(ctx, ctx.type(xN).shape[0]!, B, I), "int16_t")}, *hg = ${ctx.scratch(H, "int16_t")};`,
    ...extra("int16_t"),
    `{ const int8_t *X = ${ctx.ptr(xN)}; for (r = 0; r < Tn * Bn * ${I}; r++) xg[r] = X[r]; }`,
  ];
}

/** The start of direction d: its comment, the input halves of all steps, and h from initial_h (or the zero point). */
export function directionStart(ctx: KernelContext, layer: QRnnLayer, d: number, reverse: boolean, pw: PackedRows, xs: { m: string; s: string }, h0N: string | undefined): string[] {
  const { G, I, H } = layer;
  return [
    `/* direction ${d}${reverse ? " (reverse)" : ""} */`,
    ...inputHalfCode(layer.c, `Tn * Bn`, G, I, pw, xs),
    h0N ? `memcpy(h, ${ctx.ptr(h0N)} + (size_t)${d} * Bn * ${H}, (size_t)Bn * ${H});` : `memset(h, ${layer.zph}, (size_t)Bn * ${H});`,
  ];
}

/**
 * The loop over steps s and batch entries b of direction d, skipping entries past their length:
 * `hb` points at the entry's h, `xb` at the input halves of its time t; `decls` declare more per
 * entry, `body` is the step. Y[t, d, b, :] receives hb after the step when Y is used.
 */
export function stepLoop(ctx: KernelContext, layer: QRnnLayer, d: number, reverse: boolean, yN: string | undefined, decls: readonly string[], body: readonly string[]): string[] {
  const { D, G, H } = layer;
  return [
    `for (s = 0; s < Tn; s++) {`,
    `  for (b = 0; b < Bn; b++) {`,
    `    const int t = ${reverse ? "lens[b] - 1 - s" : "s"};`,
    `    int8_t *hb = h + b * ${H};`,
    ...decls.map((l) => `    ${l}`),
    `    const int32_t *xb;`,
    `    if (s >= lens[b]) continue;`,
    `    xb = xin + ((size_t)t * Bn + b) * ${G};`,
    ...body,
    ...(yN ? [`    memcpy(${ctx.ptr(yN)} + (((size_t)t * ${D} + ${d}) * Bn + b) * ${H}, hb, ${H});`] : []),
    `  }`,
    `}`,
  ];
}
