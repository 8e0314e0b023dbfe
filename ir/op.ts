// Op definitions: one value per op family holding everything the compiler knows about it.
//
// An OpDef gives the attribute schema (with defaults), the input and output slots, the type
// rule (including symbolic dims), the reference kernel used by the interpreter, and optional
// hooks: `fromOnnx` turns a node of any supported opset into the IR form (e.g. constant
// inputs that became inputs in later opsets are read into attributes), and `foldDims` evaluates
// shape computations (Shape -> Gather -> Concat ...) on symbolic dims at import.
// `traits` say what the passes and the code generator need to know about the op (ir/traits.ts
// answers questions about them), so a new op gets its passes' behaviour from its definition.
// Adding an op means adding one definition and listing it in ir/ops/index.ts.
import type { DType } from "./dtype.js";
import type { Dim } from "./dim.js";
import type { AttrValue, Attrs, Graph } from "./graph.js";
import type { Tensor, TensorType } from "./types.js";
import type { UnaryFn } from "./unary.js";

export type AttrKind = "int" | "float" | "ints" | "floats" | "string" | "strings" | "tensor" | "dims" | "graph";

export interface AttrSpec<T = AttrValue | undefined> {
  readonly kind: AttrKind;
  /** Default value; undefined means the attribute is optional with no default. */
  readonly default?: T;
  readonly required?: boolean;
  /** Phantom field carrying the TypeScript type of the value. */
  readonly __type?: T;
}

export const int = (def?: number): AttrSpec<number> => ({ kind: "int", default: def });
export const float = (def?: number): AttrSpec<number> => ({ kind: "float", default: def });
export const ints = (def?: number[]): AttrSpec<readonly number[]> => ({ kind: "ints", default: def });
export const floats = (def?: number[]): AttrSpec<readonly number[]> => ({ kind: "floats", default: def });
export const str = (def?: string): AttrSpec<string> => ({ kind: "string", default: def });
export const strs = (def?: string[]): AttrSpec<readonly string[]> => ({ kind: "strings", default: def });
export const tensorAttr = (): AttrSpec<Tensor> => ({ kind: "tensor" });
export const dims = (def?: Dim[]): AttrSpec<readonly Dim[]> => ({ kind: "dims", default: def });
/** A nested graph (If's branches): its inputs are bound to values of the outer graph by the node. */
export const graphAttr = (): AttrSpec<Graph> => ({ kind: "graph" });
/** Marks an attribute as required. */
export function required<T>(s: AttrSpec<T>): AttrSpec<T> {
  return { ...s, required: true };
}

export type AttrSchema = Readonly<Record<string, AttrSpec<any>>>;
/** Attribute record as seen by infer/evaluate: defaults filled in, optional ones may be undefined. */
export type AttrsOf<S extends AttrSchema> = {
  readonly [K in keyof S]: S[K] extends AttrSpec<infer T> ? (S[K]["default"] extends undefined ? T | undefined : T) : never;
};

export interface InferContext {
  /** Number of outputs the node has (for variadic outputs such as Split). */
  readonly numOutputs: number;
  /** Constant value of input i when it is a known constant. */
  constant(i: number): Tensor | undefined;
}

export interface EvalContext {
  readonly numOutputs: number;
  /**
   * Runs a nested graph (an If branch) on its inputs by name; the interpreter provides it, with
   * the symbolic dims of the running graph. Absent where no interpreter runs (import folding).
   */
  readonly runSubgraph?: (g: Graph, inputs: Readonly<Record<string, Tensor>>) => Record<string, Tensor>;
}

/** An ONNX node as the frontend hands it to `fromOnnx`: attributes already decoded. */
export interface OnnxNodeIn {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

/** What an import hook returns: one IR node (op defaults to the def's name). */
export interface IrNodeSpec {
  readonly op?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface OnnxImportContext {
  /** Opset version of the default ONNX domain of the model. */
  readonly opset: number;
  /** Constant value of a value name, when known at import (initializer or folded). */
  constant(name: string): Tensor | undefined;
  /** Known element values of a small integer tensor, possibly symbolic (folded shape math). */
  dimsValue(name: string): readonly Dim[] | undefined;
  type(name: string): TensorType | undefined;
  /** Throws an import error naming the node. */
  fail(message: string): never;
  /**
   * Throws the import error for an operand needed at import (the node's `what` input, value
   * `name`) that is computed at run time; `fail` stands in where it is not given.
   */
  runTimeOperand?(name: string, what: string, message: string): never;
}

/** What an export hook emits: one ONNX node of the exporter's opset. */
export interface OnnxNodeOut {
  readonly opType: string;
  readonly domain?: string;
  readonly name?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attributes; numbers are written as INT unless listed in `floatAttrs`. */
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly floatAttrs?: readonly string[];
}

export interface OnnxExportContext {
  /** ONNX opset the exporter writes. */
  readonly opset: number;
  /** Adds a constant (initializer) and returns its name; `hint` seeds the name. */
  constant(t: Tensor, hint: string): string;
  /** A fresh value name for an intermediate result. */
  fresh(hint: string): string;
  type(name: string): TensorType;
  /**
   * A graph input and axis whose dim is exactly the symbol `name` (e.g. T), so a hook can
   * compute a symbolic dim at run time (Shape of that input); undefined when no input has it.
   */
  symbolSource?(name: string): { readonly value: string; readonly axis: number } | undefined;
}

/** The node handed to `toOnnx`: `attrs` are the attributes as written in the IR (no defaults). */
export interface OnnxExportNode {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

/**
 * What passes and code generation need to know about an op, declared on its definition. Each
 * trait carries an obligation (a C kernel, an int8 form, a gradient...) that
 * test/ir/op-traits.test.ts checks for every op declaring it.
 */
export interface OpTraits {
  /**
   * A real function of each element, y[i] = f(x[i]), same type and shape (extra inputs are
   * constants folded into the attributes, like Clip's bounds). Its C kernel, int8 table,
   * gradient rule and place in the random graphs all come from this description (ir/unary.ts).
   */
  readonly unary?: UnaryFn<any>;
  /** A broadcasting element-wise op of two inputs: inserting the same unit axis into both operands commutes with it. */
  readonly binary?: true;
  /** The output is input 0's bytes under another shape: no code in C (its buffer aliases the input's); view chains collapse. */
  readonly view?: true;
  /** Carries a fused activation (`activation` / `activation_params`, ir/activation.ts); set by withFusedActivation. */
  readonly fusedActivation?: true;
  /** Linear in input 0 with constant weights in input 1: a BatchNormalization right after it folds into it (fold-batchnorm). */
  readonly absorbsBatchNorm?: true;
  /** Moves 8-bit data without arithmetic: on int8 its output keeps the input's scale and zero point. */
  readonly int8PassThrough?: true;
  /**
   * Every output element is an input element (a new order, shape or selection; no arithmetic), so
   * the op commutes with any element-wise op: f(move(x)) = move(f(x)).
   */
  readonly movesData?: true;
  /** Has a 16x8 integer form (int16 activations, int8 weights): the quantize option int16. */
  readonly int16x8?: true;
  /** An integer op made by quantize or import-qdq: a graph holding one is quantized already. */
  readonly integer?: true;
  /**
   * Acts per channel (axis 1) or per element, so it commutes with inserting a unit axis after the
   * channel axis (conv2d-to-1d moves Unsqueezes below it). Unary ops have it without saying.
   */
  readonly channelwise?: true;
  /**
   * An algorithm op of the lower stage (passes/lower): computes what op `implements` computes, by
   * the algorithm its own name says (im2col + GEMM, direct depthwise...). Made only by `lower`
   * rules, run by the interpreter with that algorithm's reference kernel and by its own C
   * emitter; written to ONNX as the op it implements. The op it implements has no C kernel of
   * its own: code generation always lowers first.
   */
  readonly implements?: string;
}

export interface OpDef<S extends AttrSchema = AttrSchema> {
  readonly name: string;
  /** One line describing the op (shown by `neonc inspect` and docs). */
  readonly doc: string;
  readonly attrs: S;
  /** Input slots: "x" required, "b?" optional, "xs*" variadic (last only, one or more), "xs?*" variadic that may be empty. */
  readonly inputs: readonly string[];
  /** Output slots, same notation. */
  readonly outputs: readonly string[];
  /** ONNX op types this definition imports (default: [name]). */
  readonly onnxOps?: readonly string[];
  /** Type rule. Throws (any Error) with a readable message on inconsistent inputs. */
  infer(inputs: readonly (TensorType | undefined)[], attrs: AttrsOf<S>, ctx: InferContext): TensorType[];
  /** Reference semantics: the interpreter's kernel. Never mutates its inputs. */
  evaluate(inputs: readonly (Tensor | undefined)[], attrs: AttrsOf<S>, ctx: EvalContext): Tensor[];
  /** Normalises an ONNX node of any opset into this op's IR form. Default: attributes copied. */
  fromOnnx?(node: OnnxNodeIn, ctx: OnnxImportContext): IrNodeSpec;
  /**
   * Writes the node as ONNX nodes of ctx.opset (default: the same op with its attributes, typed
   * by the schema). Needed where the IR form differs: attributes that are inputs in ONNX, fused
   * activations, IR-only ops.
   */
  toOnnx?(node: OnnxExportNode, attrs: AttrsOf<S>, ctx: OnnxExportContext): OnnxNodeOut[];
  /** Symbolic evaluation over small integer vectors whose elements may be symbolic dims. */
  foldDims?(inputs: readonly (readonly Dim[] | undefined)[], attrs: AttrsOf<S>, inputTypes: readonly (TensorType | undefined)[]): (readonly Dim[] | undefined)[] | undefined;
  /** Data types this op accepts on input 0 (checked at import; default: any). */
  readonly dtypes?: readonly DType[];
  /** Multiply-accumulates of one run (for `neonc inspect`); omit for ops without MACs. */
  macs?(inputs: readonly (TensorType | undefined)[], outputs: readonly TensorType[], attrs: AttrsOf<S>): Dim;
  /** What passes and code generation need to know about the op (see OpTraits). */
  readonly traits?: OpTraits;
}

export function defineOp<S extends AttrSchema>(def: OpDef<S>): OpDef<S> {
  return def;
}

/** Fills defaults into a node's attributes according to the op's schema. */
export function resolveAttrs<S extends AttrSchema>(def: OpDef<S>, attrs: Attrs): AttrsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(def.attrs)) {
    out[k] = attrs[k] !== undefined ? attrs[k] : spec.default;
  }
  return out as AttrsOf<S>;
}
