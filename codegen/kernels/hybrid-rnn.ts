// HybridLSTM and HybridGRU (ir/ops/qint/hybrid.ts): an LSTM / GRU whose W and R are int8 with
// one scale per gate row, computed in float. The float kernels (lstm.ts, gru.ts) run unchanged;
// what changes is where their weights come from. weights.c keeps the int8 bytes (a quarter of the
// float size) in exactly the order the float kernel packs them, plus one scale per packed column,
// and every run first dequantizes them into arena scratch, which the float code then reads.
//
// The order is learned, not restated: the float kernels only move W and R values at compile time
// (transpose, block packing, zero padding), so the float kernel is handed W and R whose values
// each encode (row, int8 value) exactly, and the arrays it stores are decoded back. A kernel that
// did arithmetic on W or R would produce undecodable arrays and a compile error, never wrong code.
//
// Dequantizing q * s in float gives exactly the interpreter's weights (an int8 times a float is
// exact in double, so both round once to the same float); it is one pass over the weights per
// run against T passes for the recurrence.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { defineKernel, type KernelContext, type KernelDef, type WeightData } from "../kernel.js";
import { gruKernel } from "./gru.js";
import { lstmKernel } from "./lstm.js";

/** Encodings 1 + row * 256 + (q + 128) stay exact float integers up to this many rows. */
const MAX_ROWS = (1 << 24) / 256 - 1;

/**
 * `neonc_dequant_cols_i8(nblk, rows, cols, q, s, out)`: out = q * s where the scale depends on
 * the block and the column, s[b * cols + c] (a transposed matrix is one block of rows; a packing
 * of 4 or nb weight rows per block is a block per group).
 */
function useDequant(ctx: KernelContext): void {
  ctx.helper("dequant_cols_i8", `
static void neonc_dequant_cols_i8(int nblk, int rows, int cols, const int8_t *restrict q, const float *restrict s, float *restrict out) {
  int b, r, c;
  for (b = 0; b < nblk; b++) {
    const float *restrict sb = s + (size_t)b * cols;
    for (r = 0; r < rows; r++) {
      const int8_t *restrict qr = q + ((size_t)b * rows + r) * cols;
      float *restrict o = out + ((size_t)b * rows + r) * cols;
      for (c = 0; c < cols; c++) o[c] = (float)qr[c] * sb[c];
    }
  }
}`);
}

/** W (rows from 0) or R (rows after all of W's) of shape [D, G, K] as encoded float values. */
function encode(q: Tensor, rowBase: number): Tensor {
  const [, , K] = q.shape as [number, number, number];
  const qd = q.data as Int8Array;
  const out = makeTensor("f32", q.shape);
  const od = out.data as Float32Array;
  for (let j = 0; j < qd.length; j++) od[j] = 1 + (rowBase + Math.floor(j / K)) * 256 + (qd[j]! + 128);
  return out;
}

interface Decoded {
  readonly q: Int8Array;
  /** Scale per (block, column): s[b * cols + c]. */
  readonly s: Float32Array;
  readonly nblk: number;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Splits a packed array of encodings (0 = padding) into int8 values and per-(block, column)
 * scales: the row of element j must depend only on j / (rows * cols) and j % cols, which holds
 * for a row-major, transposed or row-block-packed matrix. undefined when it does not decode.
 */
function decode(data: Float32Array, scales: readonly number[]): Decoded | undefined {
  const n = data.length;
  const q = new Int8Array(n), row = new Int32Array(n).fill(-1);
  for (let j = 0; j < n; j++) {
    const v = data[j]!;
    if (v === 0) continue;
    if (!Number.isInteger(v) || v < 1 || v > MAX_ROWS * 256 + 256) return undefined;
    const e = v - 1;
    row[j] = Math.floor(e / 256);
    q[j] = (e % 256) - 128;
    if (row[j]! >= scales.length) return undefined;
  }
  if (n === 0 || row[0] === -1) return undefined;
  // cols: where row 0's run of columns repeats; a block ends where a column's row changes.
  let cols = n;
  for (let j = 1; j < n; j++) if (row[j] === row[0]) { cols = j; break; }
  let blockLen = n;
  for (let j = cols; j < n; j++) {
    const r0 = row[j % cols]!;
    if (row[j] !== -1 && r0 !== -1 && row[j] !== r0) { blockLen = j - (j % cols); break; }
  }
  if (blockLen % cols !== 0 || n % blockLen !== 0) return undefined;
  const nblk = n / blockLen, rows = blockLen / cols;
  const s = new Float32Array(nblk * cols);
  const seen = new Int32Array(nblk * cols).fill(-1);
  for (let j = 0; j < n; j++) {
    if (row[j] === -1) continue;
    const k = Math.floor(j / blockLen) * cols + (j % cols);
    if (seen[k] === -1) {
      seen[k] = row[j]!;
      s[k] = scales[row[j]!]!;
    } else if (seen[k] !== row[j]) {
      return undefined;
    }
  }
  return { q, s, nblk, rows, cols };
}

/**
 * The hybrid form of a float recurrent kernel: same `supports` (plus int8 weights), and its emit
 * run on a context where W and R are encoded and their packed arrays become dequantized scratch.
 */
function hybridOf(float: KernelDef): KernelDef {
  return defineKernel({
    op: `Hybrid${float.op}`,
    supports(node: Node, attrs: Attrs, g: Graph) {
      for (const k of [1, 2]) if (g.types[node.inputs[k]!]?.dtype !== "i8") return `input ${k} must be int8`;
      return float.supports?.(node, attrs, g);
    },
    emit(node, attrs, ctx) {
      const [, wN, rN, bN] = node.inputs as [string, string, string, string | undefined];
      const W = ctx.constant(wN), R = ctx.constant(rN);
      if (!W || !R) return ctx.fail("W and R must be constant");
      const ws = attrs.w_scales as readonly number[], rs = attrs.r_scales as readonly number[];
      const wRows = W.shape[0]! * W.shape[1]!, rRows = R.shape[0]! * R.shape[1]!;
      if (ws.length !== wRows || rs.length !== rRows) ctx.fail(`w_scales and r_scales need ${wRows} and ${rRows} values (one per gate row)`);
      if (wRows + rRows > MAX_ROWS) ctx.fail(`W and R have ${wRows + rRows} rows, more than the ${MAX_ROWS} this kernel encodes`);
      const scales = [...ws, ...rs];
      const encoded: Record<string, Tensor> = { [wN]: encode(W, 0), [rN]: encode(R, wRows) };
      useDequant(ctx);
      const pre: string[] = [];
      const inner: KernelContext = {
        target: ctx.target,
        graph: ctx.graph,
        node: ctx.node,
        type: (v) => ctx.type(v),
        ptr: (v) => (v in encoded ? ctx.fail(`the ${float.op} kernel reads ${v} directly, which is int8 here`) : ctx.ptr(v)),
        dim: (d) => ctx.dim(d),
        shape: (v) => ctx.shape(v),
        numel: (v) => ctx.numel(v),
        maxDim: (d) => ctx.maxDim(d),
        constant: (v) => encoded[v] ?? ctx.constant(v),
        addWeights: (hint: string, data: WeightData) => {
          if (!(hint.startsWith(`${wN}_`) || hint.startsWith(`${rN}_`))) return ctx.addWeights(hint, data);
          const d = data instanceof Float32Array ? decode(data, scales) : undefined;
          // A bias whose name happens to extend W's or R's is stored as it is.
          if (!d && bN && hint.startsWith(`${bN}_`)) return ctx.addWeights(hint, data);
          if (!d) return ctx.fail(`the ${float.op} kernel stored ${hint} in an order the hybrid kernel cannot dequantize`);
          const q = ctx.addWeights(`${hint}_i8`, d.q), s = ctx.addWeights(`${hint}_scales`, d.s);
          const out = ctx.scratch(d.q.length);
          pre.push(`neonc_dequant_cols_i8(${d.nblk}, ${d.rows}, ${d.cols}, ${q}, ${s}, ${out});`);
          return out;
        },
        helper: (k, c) => ctx.helper(k, c),
        scratch: (c, t) => ctx.scratch(c, t),
        local: (h) => ctx.local(h),
        fail: (m) => ctx.fail(m),
      };
      const body = float.emit(node, attrs, inner);
      return [`/* dequantize the int8 weights */`, ...pre, `{`, body, `}`].join("\n");
    },
  });
}

export const hybridLstmKernel = hybridOf(lstmKernel);
export const hybridGruKernel = hybridOf(gruKernel);
