// THE KERNEL CONTRACT: how an IR op becomes C. One `defineKernel` per op (codegen/kernels/),
// registered by op name. The model emitter calls `emit` once per node, in graph order, and
// pastes the returned statements into the body of `<prefix>_run` inside their own block.
//
// Everything a kernel needs comes through the KernelContext: C pointer expressions for values
// (arena slots, const weight arrays, the caller's input/output buffers), C expressions for
// dims (symbolic dims such as T are runtime `int` variables), constant data, weight arrays it
// wants to add (possibly repacked), shared static helpers, scratch arena space, and the target.
// A kernel branches on `ctx.target.neon` to emit NEON intrinsics or scalar C; it never forks
// the generator. See docs/codegen.md.
import type { Dim } from "../ir/dim.js";
import type { Attrs, Graph, Node } from "../ir/graph.js";
import type { Tensor, TensorType } from "../ir/types.js";
import type { Target } from "../ir/target.js";
import { carriesActivation } from "../ir/traits.js";
import { withActivationSweep } from "./kernels/fused-activation.js";

/** Typed arrays that can become weight arrays. */
export type WeightData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** C element types of scratch space. */
export type ScratchType =
  | "float" | "double" | "int64_t" | "uint64_t" | "int32_t" | "uint32_t" | "int16_t" | "uint16_t" | "int8_t" | "uint8_t";

export interface KernelContext {
  readonly target: Target;
  readonly graph: Graph;
  readonly node: Node;
  /** Static type of a value (dims may be symbolic). */
  type(value: string): TensorType;
  /** C pointer expression to the first element, typed `T*` (or `const T*` for inputs and weights). */
  ptr(value: string): string;
  /** C `int` expression of a dim; symbols are runtime variables named after them. */
  dim(d: Dim): string;
  /** C expressions of every dim of a value's shape. */
  shape(value: string): string[];
  /** C expression of the element count of a value. */
  numel(value: string): string;
  /** Largest value a dim takes for the compile-time maximum of every symbol. */
  maxDim(d: Dim): number;
  /** Constant data of a value (initializer or folded constant), if it is one. */
  constant(value: string): Tensor | undefined;
  /**
   * Adds a const weight array (16-byte aligned) to weights.c and returns a C expression of type
   * `const T*` to it. Identical data added twice is stored once.
   */
  addWeights(hint: string, data: WeightData): string;
  /** Adds a static helper (functions, macros) to model.c once per key; returns nothing. */
  helper(key: string, code: string): void;
  /**
   * Temporary arena space for `count` elements of C type `ctype` (default float), live only
   * during this node, 16-byte aligned. Returns a `ctype *` C expression. `count` may be
   * symbolic; the plan reserves its maximum.
   */
  scratch(count: Dim, ctype?: ScratchType): string;
  /** A fresh local C identifier. */
  local(hint: string): string;
  /** Throws a compile error naming the node. */
  fail(message: string): never;
}

export interface KernelDef {
  /** IR op name. */
  readonly op: string;
  /**
   * C statements computing the node's outputs from its inputs. `attrs` are the node's attributes
   * with the op schema's defaults filled in. Not called for views.
   */
  emit(node: Node, attrs: Attrs, ctx: KernelContext): string;
  /**
   * The output is the input 0 buffer reinterpreted (same bytes, new shape): Reshape, Squeeze,
   * Unsqueeze, Flatten, Identity. The planner aliases it; no code runs.
   */
  readonly view?: true;
  /**
   * The kernel may write its output over this input when the input is dead afterwards and has
   * the same size (an elementwise kernel reading element i before writing element i).
   */
  readonly inPlace?: number;
  /** Returns why the kernel cannot handle this node (checked before anything is emitted). */
  supports?(node: Node, attrs: Attrs, graph: Graph): string | undefined;
}

const kernels = new Map<string, KernelDef>();
const providers: ((op: string) => KernelDef | undefined)[] = [];

export function defineKernel(def: KernelDef): KernelDef {
  return def;
}

/**
 * Registers the kernel of `def.op`. The kernel of an op that carries fused activations gets the
 * in-place sweep for the kinds it does not apply in its epilogue (kernels/fused-activation.ts).
 */
export function registerKernel(def: KernelDef): void {
  if (kernels.has(def.op)) throw new Error(`a C kernel for ${def.op} is registered twice`);
  kernels.set(def.op, carriesActivation(def.op) ? withActivationSweep(def) : def);
}

/**
 * Adds a source of kernels made from op definitions (the unary element-wise ops' kernels from
 * their C forms, the views'): asked for an op with no registered kernel, so an op defined at any
 * time — after this module loaded too — gets its kernel from its definition.
 */
export function registerKernelProvider(provide: (op: string) => KernelDef | undefined): void {
  providers.push(provide);
}

export function findKernel(op: string): KernelDef | undefined {
  const known = kernels.get(op);
  if (known) return known;
  for (const provide of providers) {
    const k = provide(op);
    if (k) {
      kernels.set(op, k);
      return k;
    }
  }
  return undefined;
}

/** The ops with a registered kernel (kernels that providers make are listed once asked for). */
export function kernelOps(): string[] {
  return [...kernels.keys()].sort();
}
