// The weights of the float recurrent kernels (lstm.ts, gru.ts, rnn.ts) in the order they read
// them: W_d transposed for the input projection, rows of R_d packed for the matrix-vector product
// (lstm.ts's neonc_gemv_f32), and the folded bias. A constant weight is repacked at compile time
// into weights.c; a weight that is a graph input (or computed) is repacked at run time into
// scratch, into the same layout, so the rest of the kernel is the same either way. The scratch
// of one use is shared by the directions (each direction repacks before it runs).
import type { KernelContext } from "../kernel.js";
import { addGemvWeights, gemvBlock, GEMV_PAD, transpose } from "./lstm.js";

/** A packed operand: the statements that fill it (empty when it is in weights.c) and its C pointer. */
export interface Packed {
  readonly code: readonly string[];
  readonly ptr: string;
}

/** Where the run-time packs of one kernel go: one scratch buffer per use, shared by the directions. */
export class RnnWeights {
  private readonly slots = new Map<string, string>();
  constructor(private readonly ctx: KernelContext) {}

  private slot(key: string, count: number): string {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = this.ctx.scratch(count)));
    return s;
  }

  /** W_d ([G, I] of W [D, G, I]) transposed to [I][G], the k-major B of neonc_matmul_f32. */
  projection(wN: string, d: number, G: number, I: number): Packed {
    const ctx = this.ctx, W = ctx.constant(wN);
    if (W) return { code: [], ptr: ctx.addWeights(`${wN}_d${d}_t`, transpose((W.data as Float32Array).subarray(d * G * I, (d + 1) * G * I), G, I)) };
    useRunTimePacks(ctx);
    const dst = this.slot("W", G * I);
    return { code: [`neonc_rnn_transpose_f32(${G}, ${I}, ${ctx.ptr(wN)} + (size_t)${d * G * I}, ${dst});`], ptr: dst };
  }

  /** Rows row0 .. row0 + n of R_d ([G, H] of R [D, G, H]) packed for neonc_gemv_f32. */
  recurrent(rN: string, d: number, G: number, H: number, row0: number, n: number): Packed {
    const ctx = this.ctx, R = ctx.constant(rN);
    const from = (d * G + row0) * H;
    if (R) return { code: [], ptr: addGemvWeights(ctx, `${rN}_d${d}_${row0}`, (R.data as Float32Array).subarray(from, from + n * H), n, H) };
    useRunTimePacks(ctx);
    const nb = gemvBlock(ctx), pad = ctx.target.neon ? 0 : GEMV_PAD;
    const dst = this.slot(`R${row0}`, Math.ceil(n / nb) * nb * H + 2 * pad);
    return { code: [`neonc_rnn_pack_gemv_f32(${n}, ${H}, ${nb}, ${pad}, ${ctx.ptr(rN)} + (size_t)${from}, ${dst});`], ptr: pad ? `(${dst} + ${pad})` : dst };
  }

  /**
   * Direction d's bias of the input projection from B [D, 2G]: Wb + Rb for the first `fold`
   * gate rows, Wb alone for the rest; "0" without B.
   */
  bias(bN: string | undefined, d: number, G: number, fold = G): Packed {
    if (!bN) return { code: [], ptr: "0" };
    const ctx = this.ctx, Bc = ctx.constant(bN);
    if (Bc) {
      const bd = (Bc.data as Float32Array).subarray(d * 2 * G, (d + 1) * 2 * G);
      const sum = new Float32Array(G);
      for (let j = 0; j < G; j++) sum[j] = j < fold ? bd[j]! + bd[G + j]! : bd[j]!;
      return { code: [], ptr: ctx.addWeights(`${bN}_d${d}_fold${fold}`, sum) };
    }
    useRunTimePacks(ctx);
    const dst = this.slot("B", G);
    return { code: [`neonc_rnn_fold_bias_f32(${G}, ${fold}, ${ctx.ptr(bN)} + (size_t)${d * 2 * G}, ${dst});`], ptr: dst };
  }

  /** n values of Rb of direction d from gate row j0 (the GRU's Rbh), read in place or stored. */
  recurrentBias(bN: string, d: number, G: number, j0: number, n: number): string {
    const ctx = this.ctx, Bc = ctx.constant(bN), from = d * 2 * G + G + j0;
    return Bc ? ctx.addWeights(`${bN}_d${d}_rb${j0}`, (Bc.data as Float32Array).slice(from, from + n)) : `(${ctx.ptr(bN)} + ${from})`;
  }
}

/** The C helpers that repack weights at run time. */
function useRunTimePacks(ctx: KernelContext): void {
  ctx.helper("rnn_run_time_packs", `
/* src [rows][cols] -> dst [cols][rows]. */
static void neonc_rnn_transpose_f32(int rows, int cols, const float *restrict src, float *restrict dst) {
  int r, c;
  for (r = 0; r < rows; r++) for (c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

/* src [n][K] -> dst [pad zeros][ceil(n/nb)][K][nb][pad zeros], the layout of neonc_gemv_f32 (rows past n zero). */
static void neonc_rnn_pack_gemv_f32(int n, int K, int nb, int pad, const float *restrict src, float *restrict dst) {
  const int blocks = (n + nb - 1) / nb;
  int r, k;
  memset(dst, 0, ((size_t)blocks * nb * K + 2 * (size_t)pad) * sizeof(float));
  dst += pad;
  for (r = 0; r < n; r++) {
    float *o = dst + (size_t)(r / nb) * nb * K + r % nb;
    for (k = 0; k < K; k++) o[(size_t)k * nb] = src[(size_t)r * K + k];
  }
}

/* dst[j] = Wb[j] + Rb[j] for j < fold, Wb[j] after: src is one direction's [Wb (G), Rb (G)]. */
static void neonc_rnn_fold_bias_f32(int G, int fold, const float *restrict src, float *restrict dst) {
  int j;
  for (j = 0; j < G; j++) dst[j] = j < fold ? src[j] + src[G + j] : src[j];
}`);
}
