// What RNN, GRU and LSTM share: attributes, the type rule, import checks and the MAC count.
//
// The three ops differ only in their number of gates (1, 3, 4), their default activations and
// a few extra inputs/attributes, so one parameterised rule serves all of them. Shapes follow
// the ONNX layouts: layout 0 is time-major (X [T,B,I], Y [T,D,B,H], Y_h [D,B,H]), layout 1 is
// batch-major (X [B,T,I], Y [B,T,D,H], Y_h [B,D,H]); T may be symbolic.
import { addDim, dimEquals, dimToString, mulDim, type Dim } from "../../dim.js";
import type { DType } from "../../dtype.js";
import type { AttrValue } from "../../graph.js";
import { float, floats, int, str, strs, type InferContext, type IrNodeSpec, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { tensorType, type Tensor, type TensorType } from "../../types.js";
import type { RnnOptions } from "../../kernels/rnn-common.js";
import { resolveActivations } from "../../kernels/rnn-activation-kinds.js";

export const RNN_DTYPES: readonly DType[] = ["f32", "f64"];

/** Attributes common to the three ops (each adds its own). */
export const rnnAttrs = {
  hidden_size: int(),
  direction: str("forward"),
  activations: strs(),
  activation_alpha: floats(),
  activation_beta: floats(),
  clip: float(),
  layout: int(0),
};

export interface RnnFamily {
  readonly op: string;
  /** Gate blocks stacked in W and R (RNN 1, GRU 3, LSTM 4). */
  readonly gates: number;
  /** Default activation names for one direction. */
  readonly defaultActivations: readonly string[];
}

export interface RnnAttrs {
  readonly hidden_size: number | undefined;
  readonly direction: string;
  readonly activations: readonly string[] | undefined;
  readonly activation_alpha: readonly number[] | undefined;
  readonly activation_beta: readonly number[] | undefined;
  readonly clip: number | undefined;
  readonly layout: number;
}

export function numDirections(direction: string): number {
  if (direction === "forward" || direction === "reverse") return 1;
  if (direction === "bidirectional") return 2;
  throw new Error(`direction must be forward, reverse or bidirectional, not "${direction}"`);
}

function shapeStr(t: TensorType): string {
  return `[${t.shape.map(dimToString).join(",")}]`;
}

function expectShape(what: string, t: TensorType | undefined, want: readonly Dim[]): void {
  if (!t) return;
  if (t.shape.length !== want.length || !t.shape.every((d, i) => dimEquals(d, want[i]!))) {
    throw new Error(`${what} has shape ${shapeStr(t)}, expected [${want.map(dimToString).join(",")}]`);
  }
}

/**
 * The type rule of the family. `peepholes` is true for LSTM (inputs initial_c and P).
 * Returns one type per output slot in use (Y, Y_h and for LSTM Y_c).
 */
export function inferRnn(
  fam: RnnFamily,
  inputs: readonly (TensorType | undefined)[],
  a: RnnAttrs,
  numOutputs: number,
): TensorType[] {
  const [x, w, r, b, seq, h0] = inputs;
  if (!x || !w || !r) throw new Error(`${fam.op} needs inputs X, W and R`);
  if (!RNN_DTYPES.includes(x.dtype)) throw new Error(`${fam.op} input X has dtype ${x.dtype}; supported: ${RNN_DTYPES.join(", ")}`);
  for (const [n, t] of [["W", w], ["R", r], ["B", b], ["initial_h", h0], ["initial_c", inputs[6]], ["P", inputs[7]]] as const) {
    if (t && t.dtype !== x.dtype) throw new Error(`${fam.op} input ${n} has dtype ${t.dtype}, X has ${x.dtype}`);
  }
  if (x.shape.length !== 3) throw new Error(`${fam.op} input X must have rank 3, got ${shapeStr(x)}`);
  if (w.shape.length !== 3 || r.shape.length !== 3) throw new Error(`${fam.op} inputs W and R must have rank 3, got ${shapeStr(w)} and ${shapeStr(r)}`);
  const nd = numDirections(a.direction);
  const batchMajor = a.layout === 1;
  if (a.layout !== 0 && a.layout !== 1) throw new Error(`layout must be 0 or 1, not ${a.layout}`);
  const T = batchMajor ? x.shape[1]! : x.shape[0]!;
  const B = batchMajor ? x.shape[0]! : x.shape[1]!;
  const I = x.shape[2]!;
  const H: Dim = a.hidden_size ?? r.shape[2]!;
  const G = fam.gates;
  expectShape(`${fam.op} input W`, w, [nd, mulDim(H, G), I]);
  expectShape(`${fam.op} input R`, r, [nd, mulDim(H, G), H]);
  expectShape(`${fam.op} input B`, b, [nd, mulDim(H, 2 * G)]);
  if (seq) {
    if (seq.dtype !== "i32") throw new Error(`${fam.op} input sequence_lens must be i32, got ${seq.dtype}`);
    expectShape(`${fam.op} input sequence_lens`, seq, [B]);
  }
  const state: Dim[] = batchMajor ? [B, nd, H] : [nd, B, H];
  expectShape(`${fam.op} input initial_h`, h0, state);
  if (G === 4) {
    expectShape(`${fam.op} input initial_c`, inputs[6], state);
    expectShape(`${fam.op} input P`, inputs[7], [nd, mulDim(H, 3)]);
  }
  resolveActivations(a.activations, a.activation_alpha, a.activation_beta, fam.defaultActivations, nd);
  const y = tensorType(x.dtype, batchMajor ? [B, T, nd, H] : [T, nd, B, H]);
  const out = [y, tensorType(x.dtype, state), tensorType(x.dtype, state)];
  return out.slice(0, numOutputs);
}

/** Multiply-accumulates: the input and recurrent products of every step and direction. */
export function rnnMacs(fam: RnnFamily, inputs: readonly (TensorType | undefined)[], a: RnnAttrs): Dim {
  const x = inputs[0]!;
  const r = inputs[2]!;
  const nd = numDirections(a.direction);
  const H = a.hidden_size ?? r.shape[2]!;
  if (typeof H !== "number") throw new Error(`${fam.op} hidden size ${dimToString(H)} is not a constant`);
  const T = a.layout === 1 ? x.shape[1]! : x.shape[0]!;
  const B = a.layout === 1 ? x.shape[0]! : x.shape[1]!;
  const perStep = mulDim(addDim(x.shape[2]!, H), nd * fam.gates * H);
  return mulDim(mulDim(perStep, B), T);
}

/**
 * Import: refuses unknown attributes, checks direction and activation names up front (so a
 * bad node is reported at import, not at run time) and records hidden_size from R when absent.
 */
export function rnnFromOnnx(fam: RnnFamily, names: readonly string[], node: OnnxNodeIn, ctx: OnnxImportContext): IrNodeSpec {
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(node.attrs)) {
    if (!names.includes(k)) return ctx.fail(`attribute "${k}" is not supported`);
    attrs[k] = v;
  }
  const direction = (attrs.direction as string | undefined) ?? "forward";
  let nd: number;
  try {
    nd = numDirections(direction);
    resolveActivations(
      attrs.activations as readonly string[] | undefined,
      attrs.activation_alpha as readonly number[] | undefined,
      attrs.activation_beta as readonly number[] | undefined,
      fam.defaultActivations,
      nd,
    );
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  if (attrs.hidden_size === undefined) {
    const r = node.inputs[2] ? ctx.type(node.inputs[2]) : undefined;
    const h = r?.shape[2];
    if (typeof h === "number") attrs.hidden_size = h;
  }
  return { inputs: node.inputs, outputs: node.outputs, attrs };
}

/**
 * The parts of an op definition that are the same for every member of the family (dtypes, type
 * rule, import, MACs), to spread into its defineOp. `attrNames` are the member's attributes.
 */
export function rnnOpParts(fam: RnnFamily, attrNames: readonly string[]) {
  return {
    dtypes: RNN_DTYPES,
    infer: (inputs: readonly (TensorType | undefined)[], a: RnnAttrs, ctx: InferContext) => inferRnn(fam, inputs, a, ctx.numOutputs),
    fromOnnx: (node: OnnxNodeIn, ctx: OnnxImportContext) => rnnFromOnnx(fam, attrNames, node, ctx),
    macs: (inputs: readonly (TensorType | undefined)[], _outputs: readonly TensorType[], a: RnnAttrs) => rnnMacs(fam, inputs, a),
  };
}

/** Kernel options every member's kernel takes (each adds its own flags). H defaults to R's shape. */
export function rnnRunOptions(fam: RnnFamily, inputs: readonly (Tensor | undefined)[], a: RnnAttrs, numOutputs: number): RnnOptions {
  const nd = numDirections(a.direction);
  return {
    hidden: a.hidden_size ?? inputs[2]!.shape[2]!,
    direction: a.direction,
    acts: resolveActivations(a.activations, a.activation_alpha, a.activation_beta, fam.defaultActivations, nd),
    clip: a.clip,
    layout: a.layout,
    numOutputs,
  };
}
