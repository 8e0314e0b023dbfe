// The "plan" of a random speech graph: the input's channel count, the time axis, and a list of
// layer choices, each a small record of integers and flags. fast-check shrinks the plan (fewer
// layers, smaller kernels, stride 1, no groups...), and speech-layers.ts turns any plan into a
// well-typed graph, so a failing graph shrinks to a small one.
import fc from "fast-check";
import "../../ir/ops/index.js";
import { fusedKinds } from "../../ir/activation.js";
import { findOp } from "../../ir/registry.js";
import { opNamesWith } from "../../ir/traits.js";

/** The layer kinds that shape the graph (convolutions, products, layout, residuals...). */
export const STRUCTURE_OPS = [
  "Conv", "BatchNormalization", "Add", "Mul", "MatMul", "Gemm", "Transpose", "Reshape", "Concat", "Identity", "Dropout",
  "Softmax", "LogSoftmax",
] as const;

/**
 * The ops random speech graphs are drawn from (IR op names, which are the ONNX op types): the
 * structure ops and every unary element-wise op the IR defines (the `unary` trait), each with the
 * attributes and input range its definition gives for tests.
 */
export function speechOps(): string[] {
  return [...STRUCTURE_OPS, ...opNamesWith("unary")];
}

/** speechOps() when this module loaded (ops defined later are drawn too: arbPlan asks speechOps()). */
export const SPEECH_OPS: readonly string[] = speechOps();
export type SpeechOp = string;

/** The activations a Conv layer may be followed by: every kind of fused activation (ir/activation.ts). */
export function activationOps(): string[] {
  return fusedKinds().map((k) => k.kind);
}

export type Grouping = "dense" | "depthwise" | "grouped";
export type Padding = "same" | "valid" | "extra" | "auto";

export type Layer =
  | {
    readonly kind: "Conv"; readonly out: number; readonly kernel: number; readonly stride: number; readonly dilation: number;
    readonly padding: Padding; readonly padShift: number; readonly grouping: Grouping; readonly groupPick: number;
    readonly bias: boolean; readonly kernelAttr: boolean; readonly explicitDefaults: boolean; readonly bn: boolean; readonly act: number; readonly seed: number;
  }
  | { readonly kind: "BatchNormalization"; readonly epsilon: number; readonly seed: number }
  | { readonly kind: "Identity" | "Transpose" }
  /** A unary element-wise op with the `sample`-th attribute set of its definition (UnaryFn.samples). */
  | { readonly kind: "Unary"; readonly op: string; readonly sample: number }
  | { readonly kind: "Add"; readonly residual: boolean; readonly back: number; readonly operand: "channel" | "scalar"; readonly swap: boolean; readonly seed: number }
  | { readonly kind: "Mul"; readonly operand: "channel" | "scalar"; readonly swap: boolean; readonly seed: number }
  | { readonly kind: "MatMul"; readonly out: number; readonly side: "left" | "right"; readonly seed: number }
  | {
    readonly kind: "Gemm"; readonly out: number; readonly transB: boolean; readonly bias: "none" | "vector" | "row";
    readonly alpha: number; readonly beta: number; readonly seed: number;
  }
  | { readonly kind: "Reshape"; readonly mode: "zeros" | "split" | "flatten"; readonly explicit: boolean }
  | { readonly kind: "Concat"; readonly back: number; readonly negativeAxis: boolean }
  | { readonly kind: "Dropout"; readonly ratio: number; readonly mask: boolean }
  | { readonly kind: "Softmax" | "LogSoftmax"; readonly axis: "channel" | "time"; readonly negativeAxis: boolean };

export interface SpeechPlan {
  /** Channels of the input f32[1,C,T]. */
  readonly channels: number;
  /** Whether T is the symbol T (else the number fixedT). */
  readonly symbolicT: boolean;
  readonly fixedT: number;
  readonly layers: readonly Layer[];
  /** When set, an intermediate value (picked by this number) is a second graph output. */
  readonly extraOutput: number | null;
}

export interface PlanOptions {
  /** Layer kinds to draw (default: all of speechOps()). */
  readonly ops?: readonly SpeechOp[];
  /** Relative frequency of each layer kind (default 1, and 3 for Conv). */
  readonly weights?: Partial<Record<SpeechOp, number>>;
  readonly minLayers?: number;
  /** Most layers (default 8); Gemm and layout changes may add a node or two each. */
  readonly maxLayers?: number;
  /** Most channels of any activation (default 16). */
  readonly maxChannels?: number;
  /** true: T is always symbolic; false: always a number; default: mostly symbolic. */
  readonly symbolicT?: boolean;
  /** Largest fixed T (default 40). */
  readonly maxT?: number;
  /** Whether a graph may have an intermediate value as a second output (default true). */
  readonly extraOutputs?: boolean;
}

const seed = fc.integer();
const bool = fc.boolean();

/** The arbitrary of one layer of the given kind; `has` says which ops the graph may use. */
function layerArb(kind: SpeechOp, has: (op: SpeechOp) => boolean, maxChannels: number): fc.Arbitrary<Layer> {
  const out = fc.integer({ min: 1, max: maxChannels });
  const operand = fc.constantFrom<"channel" | "scalar">("channel", "scalar");
  switch (kind) {
    case "Conv":
      return fc.record({
        kind: fc.constant(kind), out, kernel: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 3 }),
        dilation: fc.integer({ min: 1, max: 3 }), padding: fc.constantFrom<Padding>("same", "valid", "extra", "auto"),
        padShift: fc.nat(4), grouping: fc.constantFrom<Grouping>("dense", "depthwise", "grouped"), groupPick: fc.nat(7),
        bias: bool, kernelAttr: bool, explicitDefaults: bool, bn: has("BatchNormalization") ? bool : fc.constant(false),
        act: activationOps().some(has) ? fc.integer({ min: -1, max: 2 * activationOps().length }) : fc.constant(-1), seed,
      });
    case "BatchNormalization":
      return fc.record({ kind: fc.constant(kind), epsilon: fc.constantFrom(1e-5, 1e-3, 0.1), seed });
    case "Identity": case "Transpose":
      return fc.constant({ kind });
    case "Add":
      return fc.record({ kind: fc.constant(kind), residual: bool, back: fc.nat(7), operand, swap: bool, seed });
    case "Mul":
      return fc.record({ kind: fc.constant(kind), operand, swap: bool, seed });
    case "MatMul":
      return fc.record({ kind: fc.constant(kind), out, side: fc.constantFrom<"left" | "right">("left", "right"), seed });
    case "Gemm":
      return fc.record({
        kind: fc.constant(kind), out, transB: bool, bias: fc.constantFrom<"none" | "vector" | "row">("vector", "none", "row"),
        alpha: fc.constantFrom(1, 0.5, 2), beta: fc.constantFrom(1, 0.5), seed,
      });
    case "Reshape":
      return fc.record({ kind: fc.constant(kind), mode: fc.constantFrom<"zeros" | "split" | "flatten">("zeros", "split", "flatten"), explicit: bool });
    case "Concat":
      return fc.record({ kind: fc.constant(kind), back: fc.nat(7), negativeAxis: bool });
    case "Dropout":
      return fc.record({ kind: fc.constant(kind), ratio: fc.constantFrom(0.5, 0.1, 0), mask: bool });
    case "Softmax": case "LogSoftmax":
      return fc.record({ kind: fc.constant(kind), axis: fc.constantFrom<"channel" | "time">("channel", "time"), negativeAxis: bool });
    default: {
      const samples = unarySamples(kind);
      return fc.record({ kind: fc.constant("Unary" as const), op: fc.constant(kind), sample: fc.nat(samples.length - 1) });
    }
  }
}

/** The attribute sets a unary op's definition gives for tests (at least the defaults). */
export function unarySamples(op: string): readonly Readonly<Record<string, unknown>>[] {
  const fn = findOp(op)?.traits?.unary;
  if (!fn) throw new Error(`arbSpeechGraph: ${op} is not one of ${speechOps().join(", ")}`);
  return fn.samples && fn.samples.length > 0 ? fn.samples : [{}];
}

/** The arbitrary of whole plans. */
export function arbPlan(options: PlanOptions = {}): fc.Arbitrary<SpeechPlan> {
  const all = speechOps();
  const ops = options.ops ?? all;
  for (const op of ops) {
    if (!all.includes(op)) throw new Error(`arbSpeechGraph: ${op} is not one of ${all.join(", ")}`);
  }
  const maxChannels = options.maxChannels ?? 16;
  if (!(maxChannels >= 1)) throw new Error(`arbSpeechGraph: maxChannels must be at least 1, got ${maxChannels}`);
  const has = (op: SpeechOp) => ops.includes(op);
  const kinds = ops.map((op) => ({ arbitrary: layerArb(op, has, maxChannels), weight: options.weights?.[op] ?? (op === "Conv" ? 3 : 1) }))
    .filter((k) => k.weight > 0);
  const layer = kinds.length > 0 ? fc.oneof(...kinds) : undefined;
  const maxT = options.maxT ?? 40;
  const symbolic = options.symbolicT === undefined
    ? fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 })
    : fc.constant(options.symbolicT);
  return fc.record({
    channels: fc.integer({ min: 1, max: maxChannels }),
    symbolicT: symbolic,
    fixedT: fc.integer({ min: 1, max: maxT }),
    layers: layer
      ? fc.array(layer, { minLength: options.minLayers ?? 1, maxLength: Math.max(options.maxLayers ?? 8, options.minLayers ?? 1) })
      : fc.constant([]),
    extraOutput: options.extraOutputs === false ? fc.constant(null) : fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(15), weight: 1 }),
  });
}
