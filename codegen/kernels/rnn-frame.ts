// The frame every recurrent C kernel shares (LSTM, GRU, RNN and their hybrid forms): the sizes of
// the node, both ONNX layouts (0: X [T,B,I], Y [T,D,B,H], states [D,B,H]; 1: X [B,T,I],
// Y [B,T,D,H], states [B,D,H]), a batch dim that may be symbolic, sequence_lens, the initial and
// final states and the loop over time steps and batch entries. Only the cell differs per op.
//
// Semantics are those of the interpreter (ir/kernels/rnn-common.ts): entry b takes lens[b] steps,
// a reverse direction starts at its own last valid time lens[b] - 1, Y is zero past an entry's
// length and the final state of an entry with an empty sequence is zero. A length outside
// [0, T] (which the interpreter refuses) is clamped so that the C never reads past X.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { DimError, mulDim, type Dim } from "../../ir/dim.js";
import type { KernelContext } from "../kernel.js";

export interface RnnFrame {
  /** Directions, hidden size, input size. */
  readonly D: number;
  readonly H: number;
  readonly I: number;
  /** Time and batch dims (either may be symbolic). */
  readonly T: Dim;
  readonly B: Dim;
  readonly batchMajor: boolean;
  /** The sequence_lens value, when the node has one. */
  readonly lens: string | undefined;
  /** The Y output, when used. */
  readonly y: string | undefined;
  reverse(d: number): boolean;
}

/** Why the frame cannot be generated for a node, or undefined (the checks every recurrent kernel shares). */
export function frameSupports(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const x = g.types[node.inputs[0]!];
  if (!x || x.shape.length !== 3) return "X must have rank 3";
  const layout = (attrs.layout as number | undefined) ?? 0;
  if (layout !== 0 && layout !== 1) return `layout must be 0 or 1, not ${layout}`;
  const seq = node.inputs[4];
  if (seq && g.types[seq]?.dtype !== "i32") return "sequence_lens must be int32";
  return undefined;
}

/** The frame of a recurrent node with hidden size H and D directions. */
export function rnnFrame(node: Node, attrs: Attrs, ctx: KernelContext, D: number, H: number): RnnFrame {
  const x = ctx.type(node.inputs[0]!);
  const batchMajor = ((attrs.layout as number | undefined) ?? 0) === 1;
  return {
    D, H,
    I: x.shape[2] as number,
    T: x.shape[batchMajor ? 1 : 0]!,
    B: x.shape[batchMajor ? 0 : 1]!,
    batchMajor,
    lens: node.inputs[4] || undefined,
    y: node.outputs[0] || undefined,
    reverse: (d) => attrs.direction === "reverse" || d === 1,
  };
}

/**
 * The product of dims as a scratch count: exact when at most one is symbolic, else the product
 * of their largest values (a time axis and a symbolic batch; the plan reserves the maximum anyway).
 */
export function scratchCount(ctx: KernelContext, ...dims: Dim[]): Dim {
  try {
    return dims.reduce<Dim>((acc, d) => mulDim(acc, d), 1);
  } catch (e) {
    if (!(e instanceof DimError)) throw e;
    return dims.reduce<number>((acc, d) => acc * ctx.maxDim(d), 1);
  }
}

/** Scratch for the state of every batch entry (B x H floats). */
export function stateScratch(ctx: KernelContext, f: RnnFrame): string {
  return ctx.scratch(scratchCount(ctx, f.B, f.H));
}

/** Scratch for the input projection of every (t, b) row, `stride` floats a row. */
export function projectionScratch(ctx: KernelContext, f: RnnFrame, stride: number): string {
  return ctx.scratch(scratchCount(ctx, f.T, f.B, stride));
}

/**
 * The C a recurrent kernel starts with: X, the sizes Tn and Bn, its float buffers (each
 * "name = pointer"), the loop counters step and b (plus `counters`), the sequence lengths, and
 * Y zeroed when lengths may leave part of it unwritten.
 */
export function prologue(ctx: KernelContext, f: RnnFrame, xN: string, buffers: readonly string[], counters = ""): string[] {
  const lines = [
    `const float *X = ${ctx.ptr(xN)};`,
    `const int Tn = ${ctx.dim(f.T)}, Bn = ${ctx.dim(f.B)};`,
    ...(buffers.length ? [`float *${buffers.join(", *")};`] : []),
    `int step, b${counters ? `, ${counters}` : ""};`,
  ];
  if (f.lens) {
    ctx.helper("rnn_len", `
/* Valid steps of a batch entry: sequence_lens[b], clamped to [0, T] so that X is never read past its end. */
static inline int neonc_rnn_len(int32_t v, int T) { return v < 0 ? 0 : (v > T ? T : (int)v); }`);
    lines.push(`const int32_t *lens = ${ctx.ptr(f.lens)};`);
    if (f.y) lines.push(`memset(${ctx.ptr(f.y)}, 0, (size_t)${ctx.numel(f.y)} * sizeof(float));`);
  }
  return lines;
}

/** C offset of state (d, b) in an initial or final state tensor. */
function stateOffset(f: RnnFrame, d: number, b: string): string {
  return f.batchMajor ? `((size_t)${b} * ${f.D} + ${d}) * ${f.H}` : `((size_t)${d} * Bn + ${b}) * ${f.H}`;
}

/** A state input (initial_h or initial_c) of direction d copied into `dst` ([Bn][H]), or zeros. */
export function initState(ctx: KernelContext, f: RnnFrame, src: string | undefined, dst: string, d: number): string {
  const n = `(size_t)Bn * ${f.H} * sizeof(float)`;
  if (!src) return `memset(${dst}, 0, ${n});`;
  if (!f.batchMajor) return `memcpy(${dst}, ${ctx.ptr(src)} + (size_t)${d} * Bn * ${f.H}, ${n});`;
  return `for (b = 0; b < Bn; b++) memcpy(${dst} + (size_t)b * ${f.H}, ${ctx.ptr(src)} + ${stateOffset(f, d, "b")}, ${f.H} * sizeof(float));`;
}

/** A final state output (Y_h or Y_c) of direction d copied from `src` ([Bn][H]); zero for an empty sequence. */
export function saveState(ctx: KernelContext, f: RnnFrame, dst: string | undefined, src: string, d: number): string[] {
  if (!dst) return [];
  if (!f.lens && !f.batchMajor) return [`memcpy(${ctx.ptr(dst)} + (size_t)${d} * Bn * ${f.H}, ${src}, (size_t)Bn * ${f.H} * sizeof(float));`];
  const at = `${ctx.ptr(dst)} + ${stateOffset(f, d, "b")}`;
  const copy = `memcpy(${at}, ${src} + (size_t)b * ${f.H}, ${f.H} * sizeof(float));`;
  return [
    `for (b = 0; b < Bn; b++) {`,
    f.lens ? `  if (neonc_rnn_len(lens[b], Tn) == 0) memset(${at}, 0, ${f.H} * sizeof(float)); else ${copy}` : `  ${copy}`,
    `}`,
  ];
}

/**
 * The loop over time steps (in direction d's order) and batch entries: `g` points at the
 * projection row of (t, b) in `proj` (rows in X's order, `stride` floats apart) and `hb` at the
 * entry's state in `h`; `body` are the statements of one step. Y at (t, d, b) receives hb after
 * the step when Y is used.
 */
export function stepLoop(f: RnnFrame, ctx: KernelContext, d: number, stride: number, body: readonly string[]): string[] {
  const H = f.H;
  const time = f.lens
    ? [`    const int len = neonc_rnn_len(lens[b], Tn), t = ${f.reverse(d) ? "len - 1 - step" : "step"};`, `    if (step >= len) continue;`]
    : [`    const int t = ${f.reverse(d) ? "Tn - 1 - step" : "step"};`];
  const row = f.batchMajor ? "(size_t)b * Tn + t" : "(size_t)t * Bn + b";
  const yOff = f.batchMajor ? `(((size_t)b * Tn + t) * ${f.D} + ${d}) * ${H}` : `(((size_t)t * ${f.D} + ${d}) * Bn + b) * ${H}`;
  return [
    `for (step = 0; step < Tn; step++) {`,
    `  for (b = 0; b < Bn; b++) {`,
    ...time,
    `    {`,
    `      float *g = proj + (${row}) * ${stride}, *hb = h + (size_t)b * ${H};`,
    ...body.map((l) => `      ${l}`),
    ...(f.y ? [`      memcpy(${ctx.ptr(f.y)} + ${yOff}, hb, ${H} * sizeof(float));`] : []),
    `    }`,
    `  }`,
    `}`,
  ];
}
