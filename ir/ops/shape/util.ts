// Helpers shared by the shape op definitions: reading constant inputs at import, symbolic
// products, and carrying a quantization annotation through ops that only move data.
import { DimError, dimToString, isSymbolic, mulDim, type Dim } from "../../dim.js";
import type { OnnxImportContext, OnnxNodeIn } from "../../op.js";
import type { Quant, Tensor, TensorType } from "../../types.js";

/**
 * An ONNX int64 value as a safe JS integer. Values beyond 2^53 only ever mean "past the end"
 * (INT64_MAX / INT64_MIN in Slice), so they are clamped without changing any result.
 */
export function safeInt(v: number | bigint): number {
  const n = Number(v);
  if (n > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (n < -Number.MAX_SAFE_INTEGER) return -Number.MAX_SAFE_INTEGER;
  return Math.trunc(n);
}

/** Elements of a small constant integer tensor as safe integers. */
export function tensorInts(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = safeInt(t.data[i] as number | bigint);
  return out;
}

/**
 * Values of constant input i of an ONNX node (axes, pads, repeats...), or undefined when the
 * optional input is absent. Fails the import when the input is computed at run time.
 */
export function constantInts(node: OnnxNodeIn, i: number, ctx: OnnxImportContext, what: string): number[] | undefined {
  const name = node.inputs[i];
  if (!name) return undefined;
  const t = ctx.constant(name);
  if (!t) return needAtImport(ctx, name, what, `its ${what} input "${name}" is computed at run time; neonc needs it to be a constant`);
  return tensorInts(t);
}

/**
 * Elements of a shape-like input i: a constant, or a vector folded from shape arithmetic whose
 * elements may be symbolic (e.g. [T, 1, 64] from Shape -> Gather -> Concat).
 */
export function constantDims(node: OnnxNodeIn, i: number, ctx: OnnxImportContext, what: string): Dim[] | undefined {
  const name = node.inputs[i];
  if (!name) return undefined;
  const t = ctx.constant(name);
  if (t) return tensorInts(t);
  const dims = ctx.dimsValue(name);
  if (dims) return dims.map((d) => (typeof d === "number" ? safeInt(d) : d));
  return needAtImport(ctx, name, what, `its ${what} input "${name}" is computed at run time and does not fold to known (possibly symbolic) values; neonc needs it at import`);
}

/** Fails the import for operand `what` (value `name`), which neonc needs at import but is computed at run time. */
export function needAtImport(ctx: OnnxImportContext, name: string, what: string, message: string): never {
  return ctx.runTimeOperand ? ctx.runTimeOperand(name, what, message) : ctx.fail(message);
}

/** Attributes of an ONNX node without the named ones (inputs that became attributes, etc.). */
export function withoutAttrs(attrs: OnnxNodeIn["attrs"], ...names: string[]): Record<string, OnnxNodeIn["attrs"][string]> {
  const out: Record<string, OnnxNodeIn["attrs"][string]> = {};
  for (const [k, v] of Object.entries(attrs)) if (!names.includes(k)) out[k] = v;
  return out;
}

/** Product of dims; at most one may be symbolic. */
export function productDims(ds: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of ds) {
    try {
      p = mulDim(p, d);
    } catch (e) {
      if (e instanceof DimError) {
        throw new Error(`the product of dims ${ds.map(dimToString).join("*")} has more than one symbolic factor, which neonc cannot represent`);
      }
      throw e;
    }
  }
  return p;
}

/** Non-null input i of an op's type rule, with a readable error for a missing one. */
export function input<T>(xs: readonly (T | undefined)[], i: number, name: string): T {
  const v = xs[i];
  if (v === undefined) throw new Error(`input ${name} is missing`);
  return v;
}

/**
 * The quantization annotation of an output whose elements are input elements moved around.
 * Per-tensor and fixed-point formats carry over; a per-channel one follows its axis through
 * `axisMap` (input axis -> output axis, or undefined when the channel axis does not survive).
 */
export function quantThrough(q: Quant | undefined, axisMap?: (axis: number) => number | undefined): Quant | undefined {
  if (!q) return undefined;
  if (q.kind !== "affine" || q.axis === undefined) return q;
  const a = axisMap?.(q.axis);
  return a === undefined ? undefined : { ...q, axis: a };
}

/** A type with an optional quantization annotation. */
export function typeWith(dtype: TensorType["dtype"], shape: readonly Dim[], quant?: Quant): TensorType {
  return quant ? { dtype, shape, quant } : { dtype, shape };
}

/** True when every dim is a plain number. */
export function allStatic(ds: readonly Dim[]): ds is readonly number[] {
  return !ds.some(isSymbolic);
}
