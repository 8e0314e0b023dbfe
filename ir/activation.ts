// Fused activations: the one table of the activations an op can carry (Conv, ConvTranspose,
// Gemm, MatMul and Add, the ops with the `fusedActivation` trait) and its semantics.
//
// A fused activation is two optional attributes on the op: `activation`, the name of a unary
// op whose description (ir/unary.ts) has a `fusion` form, and `activation_params`, that op's
// numeric attributes in the order the form lists ([min, max] for Clip, [alpha] for LeakyRelu,
// none for Relu or Sigmoid). The table is read off the registered op definitions, so each kind
// brings everything with it:
//   - reference semantics: the unary op's function, applied to the op's output;
//   - C: the unary op's C form (scalar and NEON), applied in the conv/GEMM epilogue where the
//     kind has an epilogue form (Relu, Clip, LeakyRelu), else by an in-place sweep after the
//     kernel (codegen/kernels/fused-activation.ts);
//   - int8: a clamp on the accumulator where the kind is one (Relu, Clip: clampOf), else the op
//     and a 256-entry table of the activation (ir/unfuse-activations.ts writes it as its own node
//     for calibration and the quantize pass);
//   - gradient: the unary op's derivative (from the output where it determines it);
//   - ONNX: the op followed by the activation as its own node (activationNode).
import { makeTensor, type Tensor, type TensorType } from "./types.js";
import { floats, resolveAttrs, str, type AttrSchema, type OpDef } from "./op.js";
import type { AttrValue, Attrs } from "./graph.js";
import { allOps, opCount } from "./registry.js";
import type { Epilogue, UnaryFn } from "./unary.js";
import { mapUnary } from "./kernels/elementwise-unary.js";

export interface Activation {
  /** The unary op applied (Relu, Clip, LeakyRelu, Sigmoid...). */
  readonly kind: string;
  /** Its fusion params in order, defaults filled in. */
  readonly params: readonly number[];
}

/** One row of the table: a unary op that can be fused. */
export interface FusedKind {
  readonly kind: string;
  readonly def: OpDef<any>;
  readonly fn: UnaryFn<any>;
  /** The op's attributes carried as activation_params, in order. */
  readonly params: readonly string[];
  /** How many params every fused use must give. */
  readonly required: number;
}

let table: Map<string, FusedKind> | undefined;
let tableOps = -1;

/** The table of fusable activations, from the registered op definitions (rebuilt when ops are added). */
function fusedTable(): Map<string, FusedKind> {
  if (!table || tableOps !== opCount()) {
    table = new Map();
    tableOps = opCount();
    for (const def of allOps()) {
      const fn = def.traits?.unary;
      if (!fn?.fusion) continue;
      table.set(def.name, { kind: def.name, def, fn, params: fn.fusion.params, required: fn.fusion.required ?? 0 });
    }
  }
  return table;
}

/** Every kind of fused activation, in registration order. */
export function fusedKinds(): FusedKind[] {
  return [...fusedTable().values()];
}

/** The row of a kind, or undefined when `kind` is no fusable activation. */
export function fusedKind(kind: string): FusedKind | undefined {
  return fusedTable().get(kind);
}

/** Attribute schema entries to spread into the schema of an op that can fuse an activation. */
export const activationAttrs = {
  activation: str(),
  activation_params: floats(),
};

type FusedAttrs = { readonly activation?: string; readonly activation_params?: readonly number[] };

/** The activation's own attributes (its op's schema, defaults filled in) from its params. */
export function activationAttrsOf(act: Activation): Readonly<Record<string, any>> {
  const row = fusedKind(act.kind)!;
  const given: Record<string, AttrValue> = {};
  row.params.forEach((p, i) => {
    const v = act.params[i];
    if (v !== undefined) given[p] = v;
  });
  return resolveAttrs(row.def, given);
}

/** Reads and validates the fused activation of resolved attributes (undefined when none). */
export function activationOf(attrs: FusedAttrs): Activation | undefined {
  const kind = attrs.activation;
  if (kind === undefined || kind === "") return undefined;
  const row = fusedKind(kind);
  if (!row) throw new Error(`unknown fused activation "${kind}" (expected one of ${fusedKinds().map((k) => k.kind).join(", ")})`);
  const given = attrs.activation_params ?? [];
  const list = `[${given.join(", ")}]`;
  const names = row.params.length === 0 ? "no activation_params" : `activation_params [${row.params.join(", ")}]`;
  if (given.length > row.params.length) throw new Error(`fused activation ${kind} takes ${names}, got ${list}`);
  if (given.length < row.required) throw new Error(`fused activation ${kind} needs ${names}, got ${list}`);
  const defaults = resolveAttrs(row.def, {}) as Record<string, unknown>;
  const absent = row.fn.fusion!.absent ?? [];
  const params = row.params.map((p, i) => given[i] ?? (defaults[p] as number | undefined) ?? absent[i] ?? NaN);
  const act = { kind, params };
  const why = row.fn.fusion!.check?.(activationAttrsOf(act));
  if (why) throw new Error(`fused activation ${kind}: ${why}`);
  return act;
}

/**
 * The activation a standalone node computes, in fused form, or why it has none: its op is no
 * fusable kind, or it has attributes the fused form cannot carry (Gelu's tanh form). `attrs`
 * are the node's resolved attributes with its constant operands folded in (UnaryFn.operands).
 */
export function activationOfNode(op: string, attrs: Readonly<Record<string, any>>): Activation | string {
  const row = fusedKind(op);
  if (!row) return `${op} has no fused form`;
  const defaults = resolveAttrs(row.def, {}) as Record<string, unknown>;
  for (const k of Object.keys(row.def.attrs)) {
    if (!row.params.includes(k) && attrs[k] !== defaults[k]) return `its ${k} (${String(attrs[k])}) cannot be carried by a fused ${op}`;
  }
  const absent = row.fn.fusion!.absent ?? [];
  const params = row.params.map((p, i) => (attrs[p] as number | undefined) ?? (defaults[p] as number | undefined) ?? absent[i] ?? NaN);
  const act = { kind: op, params };
  const why = row.fn.fusion!.check?.(activationAttrsOf(act));
  return why ?? act;
}

/** The activation as a node of its own: op and attributes (for export and unfusing). */
export function activationNode(act: Activation): { readonly op: string; readonly attrs: Attrs } {
  const row = fusedKind(act.kind)!;
  const attrs: Record<string, AttrValue> = {};
  const absent = row.fn.fusion!.absent ?? [];
  row.params.forEach((p, i) => {
    const v = act.params[i]!;
    // A param standing for an absent attribute (an open Clip bound) is left out.
    if (v !== absent[i]) attrs[p] = v;
  });
  return { op: act.kind, attrs };
}

/** How the conv / GEMM epilogue applies the activation, or undefined (an in-place sweep then). */
export function epilogueOf(act: Activation): Epilogue | undefined {
  return fusedKind(act.kind)!.fn.fusion!.epilogue?.(activationAttrsOf(act));
}

/**
 * The activation as a clamp [lo, hi] of real values, when it is one (Relu, Clip): in int8 it is
 * then a clamp of the requantized accumulator. Other kinds need a table.
 */
export function clampOf(act: Activation): { readonly lo: number; readonly hi: number } | undefined {
  const e = epilogueOf(act);
  if (e?.form === "relu") return { lo: 0, hi: Infinity };
  if (e?.form === "clamp") return { lo: e.lo, hi: e.hi };
  return undefined;
}

/** For `infer`: throws a readable error when the activation attributes are malformed or the type is not float. */
export function checkActivation(attrs: FusedAttrs, out: TensorType): void {
  const act = activationOf(attrs);
  if (act && out.dtype !== "f32" && out.dtype !== "f64") {
    throw new Error(`a fused ${act.kind} needs a float output, not ${out.dtype}`);
  }
}

/** Applies an activation to every element of `data`, in place (the reference semantics). */
export function applyActivation(data: Float32Array | Float64Array, act: Activation): void {
  mapUnary(fusedKind(act.kind)!.fn.f, activationAttrsOf(act), data, data);
}

/**
 * For the end of an op's `evaluate`: applies the op's fused activation (if any) to the output the
 * kernel has just allocated, in place, and returns it. The output must be freshly allocated by the
 * kernel, never one of its inputs.
 */
export function applyFusedActivation(out: Tensor, attrs: FusedAttrs): Tensor {
  const act = activationOf(attrs);
  if (!act) return out;
  if (!(out.data instanceof Float32Array || out.data instanceof Float64Array)) {
    throw new Error(`a fused ${act.kind} needs a float output, not ${out.dtype}`);
  }
  applyActivation(out.data, act);
  return out;
}

/** The attributes without the fused activation: what the op computes before it. */
export function withoutActivation<A extends Readonly<Record<string, any>>>(attrs: A): A {
  const { activation: _a, activation_params: _p, ...rest } = attrs;
  return rest as unknown as A;
}

/**
 * The op definition `def` with a fused activation: the two attributes added to its schema, the
 * `fusedActivation` trait, checked by its type rule and applied to its first output after its
 * kernel runs. This is how Conv, ConvTranspose, Gemm, MatMul and Add get theirs, so the rule
 * lives in one place.
 */
export function withFusedActivation<S extends AttrSchema>(def: OpDef<S>): OpDef<S & typeof activationAttrs> {
  type A = S & typeof activationAttrs;
  return {
    ...def,
    attrs: { ...def.attrs, ...activationAttrs } as A,
    traits: { ...def.traits, fusedActivation: true },
    infer(inputs, attrs, ctx) {
      const out = def.infer(inputs, attrs, ctx);
      if (out[0]) checkActivation(attrs as FusedAttrs, out[0]);
      return out;
    },
    evaluate(inputs, attrs, ctx) {
      const out = def.evaluate(inputs, attrs, ctx);
      const y = out[0];
      if (!y || !activationOf(attrs as FusedAttrs)) return out;
      // Apply in place only on storage the kernel allocated, never on one of its inputs.
      const own = inputs.some((t) => t?.data === y.data) ? makeTensor(y.dtype, y.shape, y.data.slice() as Tensor["data"]) : y;
      return [applyFusedActivation(own, attrs as FusedAttrs), ...out.slice(1)];
    },
  } as OpDef<A>;
}
