// What the three hybrid recurrent kernels (hybrid-lstm.ts, hybrid-gru.ts, hybrid-rnn.ts) share:
// the kernel definition with the checks of what the C code handles, the node's sizes and int8
// weights, the C declarations they start with, the biases folded into the input projection of
// every time step (one int8 x float product per direction, before the recurrence) and the loop
// over time steps and batch entries with its state set-up and output copies.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { resolveActivations, type Activation } from "../../ir/kernels/rnn-activation-kinds.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import {
  frameSupports, initState as frameInitState, projectionScratch as frameProjectionScratch, prologue as framePrologue, rnnFrame, saveState as frameSaveState,
  stateScratch, stepLoop as frameStepLoop, type RnnFrame,
} from "./rnn-frame.js";
import { addHybridRows, hybridProduct, hybridTiles, paddedRows, type HybridRows } from "./hybrid-gemv.js";

/** The recurrent op a hybrid kernel computes. */
export interface HybridFamily {
  readonly op: string;
  /** Gate blocks stacked in W and R (RNN 1, GRU 3, LSTM 4). */
  readonly gates: number;
  /** Default activation names for one direction. */
  readonly defaults: readonly string[];
  /** Inputs besides W and R that must be constant (B, and P for the LSTM). */
  readonly constantInputs: readonly number[];
  /**
   * Why the C code cannot apply these activations (one list per direction), or undefined. The
   * LSTM and GRU cells are written for the default functions only.
   */
  acts(acts: readonly (readonly Activation[])[]): string | undefined;
}

/** Activations of a node, resolved (per direction) as the interpreter does. */
export function nodeActivations(fam: HybridFamily, attrs: Attrs): Activation[][] {
  return resolveActivations(
    attrs.activations as readonly string[] | undefined,
    attrs.activation_alpha as readonly number[] | undefined,
    attrs.activation_beta as readonly number[] | undefined,
    fam.defaults,
    attrs.direction === "bidirectional" ? 2 : 1,
  );
}

/** True when every direction uses the family's default functions. */
export function areDefaultActs(fam: HybridFamily, acts: readonly (readonly Activation[])[]): boolean {
  const want = resolveActivations(undefined, undefined, undefined, fam.defaults, 1)[0]!;
  return acts.every((d) => d.every((a, i) => a.kind === want[i]!.kind));
}

/** The `supports` check of a hybrid kernel: every reason is one sentence naming the input or attribute. */
export function hybridSupports(fam: HybridFamily, node: Node, attrs: Attrs, g: Graph): string | undefined {
  const [xN, wN, rN] = node.inputs;
  const x = g.types[xN!];
  if (x?.dtype !== "f32") return `input X must be float32 (it is ${x?.dtype ?? "missing"})`;
  for (const [k, what] of [[1, "W"], [2, "R"]] as const) {
    const v = node.inputs[k];
    if (!v || g.types[v]?.dtype !== "i8") return `input ${what} must be int8 (the hybrid weights)`;
    if (!(v in g.constants)) return `input ${what} must be constant`;
  }
  for (const k of fam.constantInputs) if (node.inputs[k] && !(node.inputs[k]! in g.constants)) return `input ${k} (bias or peepholes) must be constant`;
  const frame = frameSupports(node, attrs, g);
  if (frame) return frame;
  const w = g.types[wN!]!, r = g.types[rN!]!;
  const rows = (t: typeof w) => (typeof t.shape[0] === "number" && typeof t.shape[1] === "number" ? t.shape[0] * t.shape[1] : NaN);
  for (const [name, t] of [["w_scales", w], ["r_scales", r]] as const) {
    const s = attrs[name] as readonly number[] | undefined;
    if (!s || s.length !== rows(t)) return `${name} has ${s?.length ?? 0} values, W and R need one per gate row (${rows(t)})`;
    if (!s.every((v) => Number.isFinite(v))) return `${name} holds a value that is not a finite number`;
  }
  let acts: Activation[][];
  try {
    acts = nodeActivations(fam, attrs);
  } catch (e) {
    return (e as Error).message;
  }
  return fam.acts(acts);
}

/** Sizes, int8 weights and per-row scales of a hybrid node. */
export interface HybridLayer {
  /** Directions, gate rows (gates x H), input size, hidden size. */
  readonly D: number;
  readonly G: number;
  readonly I: number;
  readonly H: number;
  /** Layout, batch, sequence lengths and Y (rnn-frame.ts). */
  readonly frame: RnnFrame;
  /** W [D, G, I] and R [D, G, H] as stored: gate row d * G + j of either is row j of direction d. */
  readonly wq: Int8Array;
  readonly rq: Int8Array;
  readonly wScales: readonly number[];
  readonly rScales: readonly number[];
  /** The 2G bias values of direction d (Wb then Rb), or undefined. */
  bias(d: number): Float32Array | undefined;
}

export function hybridLayer(fam: HybridFamily, node: Node, attrs: Attrs, ctx: KernelContext): HybridLayer {
  const [, wN, rN, bN] = node.inputs;
  const W = ctx.constant(wN!), R = ctx.constant(rN!);
  if (!W || !R || !(W.data instanceof Int8Array) || !(R.data instanceof Int8Array)) return ctx.fail("W and R must be constant int8 tensors");
  const D = W.shape[0]!, G = W.shape[1]!, I = W.shape[2]!, H = G / fam.gates;
  if (!Number.isInteger(H) || R.shape[1] !== G || R.shape[2] !== H) ctx.fail(`W has ${G} gate rows and R is [${R.shape.join(", ")}]: not ${fam.gates} gates of one hidden size`);
  const wq = W.data, rq = R.data;
  const b = bN ? ctx.constant(bN) : undefined;
  if (bN && !(b?.data instanceof Float32Array)) ctx.fail("the bias B must be a constant float32 tensor");
  return {
    D, G, I, H,
    frame: rnnFrame(node, attrs, ctx, D, H),
    wq, rq,
    wScales: attrs.w_scales as readonly number[],
    rScales: attrs.r_scales as readonly number[],
    bias: (d) => (b ? (b.data as Float32Array).subarray(d * 2 * G, (d + 1) * 2 * G) : undefined),
  };
}

/** The kernel of a hybrid family: op `Hybrid<op>`, the family's `supports`, and `emit` given the node read as a layer. */
export function defineHybridKernel(fam: HybridFamily, emit: (node: Node, attrs: Attrs, ctx: KernelContext, layer: HybridLayer) => string): KernelDef {
  return defineKernel({
    op: `Hybrid${fam.op}`,
    supports: (node, attrs, g) => hybridSupports(fam, node, attrs, g),
    emit: (node, attrs, ctx) => emit(node, attrs, ctx, hybridLayer(fam, node, attrs, ctx)),
  });
}

/** The C a hybrid kernel starts with (rnn-frame.ts's prologue). */
export function prologue(ctx: KernelContext, layer: HybridLayer, xN: string, buffers: readonly string[], counters = ""): string[] {
  return framePrologue(ctx, layer.frame, xN, buffers, counters);
}

/**
 * Direction d's bias of the input projection: Wb + Rb for its first `fold` gate rows (all by
 * default), Wb alone for the rest; undefined when the node has no B.
 */
export function foldedBias(layer: HybridLayer, d: number, fold = layer.G): Float32Array | undefined {
  const bd = layer.bias(d);
  if (!bd) return undefined;
  const G = layer.G, out = new Float32Array(G);
  for (let j = 0; j < G; j++) out[j] = j < fold ? bd[j]! + bd[G + j]! : bd[j]!;
  return out;
}

/**
 * Input projection of direction d into `proj` (projectionScratch): every row (t, b) of X times
 * the int8 W rows, plus `bias` (G values; the kernel decides which of Wb and Rb go in). Returns
 * the C statement and the packed rows (whose padded count `n` is the row stride of `proj`).
 */
export function inputProjection(ctx: KernelContext, layer: HybridLayer, d: number, hint: string, bias: Float32Array | undefined): { code: string; rows: HybridRows } {
  const tile = hybridTiles(ctx.target).projection;
  const rows = addHybridRows(ctx, `${hint}_d${d}`, layer.wq, layer.wScales, layer.G, layer.I, tile, d * layer.G, bias);
  return { rows, code: hybridProduct(ctx, tile, rows, "Tn * Bn", layer.I, "X", String(layer.I), "proj") };
}

/** Scratch for the projection of all time steps: T x B rows of the G gate rows padded for the tile. */
export function projectionScratch(ctx: KernelContext, layer: HybridLayer): string {
  return frameProjectionScratch(ctx, layer.frame, paddedRows(layer.G, hybridTiles(ctx.target).projection));
}

/** Scratch for the state of every batch entry. */
export function hybridStateScratch(ctx: KernelContext, layer: HybridLayer): string {
  return stateScratch(ctx, layer.frame);
}

/** Scratch for the output of a recurrent product over n gate rows (padded for the tile). */
export function recurrentScratch(ctx: KernelContext, n: number): string {
  return ctx.scratch(paddedRows(n, hybridTiles(ctx.target).recurrence));
}

/** `n` gate rows of direction d's R from its row j0 (with an optional bias of n values), packed for the recurrence. */
export function recurrentRows(ctx: KernelContext, layer: HybridLayer, d: number, hint: string, n: number, j0: number, bias?: ArrayLike<number>): HybridRows {
  const tile = hybridTiles(ctx.target).recurrence;
  return addHybridRows(ctx, `${hint}_d${d}_${j0}`, layer.rq, layer.rScales, n, layer.H, tile, d * layer.G + j0, bias);
}

/** The C call of a recurrent product for one batch entry. */
export function recurrentProduct(ctx: KernelContext, layer: HybridLayer, rows: HybridRows, x: string, y: string): string {
  return hybridProduct(ctx, hybridTiles(ctx.target).recurrence, rows, "1", layer.H, x, String(layer.H), y);
}

/** A state input (initial_h or initial_c) copied into `dst` for direction d, or zeros. */
export function initState(ctx: KernelContext, src: string | undefined, dst: string, layer: HybridLayer, d: number): string {
  return frameInitState(ctx, layer.frame, src || undefined, dst, d);
}

/**
 * The loop over time steps (in the direction's order) and batch entries, with `g` pointing at
 * the projection row of (t, b) and `hb` at the entry's state; `body` are the statements of one
 * step (rnn-frame.ts's stepLoop, the projection rows padded to `proj.n`).
 */
export function stepLoop(ctx: KernelContext, layer: HybridLayer, d: number, proj: HybridRows, body: readonly string[]): string[] {
  return frameStepLoop(layer.frame, ctx, d, proj.n, body);
}

/** A final state output (Y_h or Y_c) of direction d copied from `src`. */
export function saveState(ctx: KernelContext, dst: string | undefined, src: string, layer: HybridLayer, d: number): string[] {
  return frameSaveState(ctx, layer.frame, dst || undefined, src, d);
}
