// Questions passes and code generation ask about ops, answered from the traits on their
// definitions (OpTraits in ir/op.ts), so no pass keeps its own list of op names. An op the
// registry does not know has no traits.
import type { OpDef, OpTraits } from "./op.js";
import { allOps, findOp } from "./registry.js";
import type { UnaryFn } from "./unary.js";

/** The traits of an op (empty for an unknown op). */
export function traitsOf(op: string): OpTraits {
  return findOp(op)?.traits ?? {};
}

/** The definitions of every registered op with trait `t`, in registration order. */
export function opsWith(t: keyof OpTraits): OpDef<any>[] {
  return allOps().filter((d) => d.traits?.[t] !== undefined);
}

/** The names of every registered op with trait `t`. */
export function opNamesWith(t: keyof OpTraits): string[] {
  return opsWith(t).map((d) => d.name);
}

/** The element function of a unary element-wise op, or undefined. */
export function unaryFnOf(op: string): UnaryFn<any> | undefined {
  return traitsOf(op).unary;
}

export const isUnaryElementwise = (op: string): boolean => traitsOf(op).unary !== undefined;
export const isBinaryElementwise = (op: string): boolean => traitsOf(op).binary === true;
export const isView = (op: string): boolean => traitsOf(op).view === true;
export const carriesActivation = (op: string): boolean => traitsOf(op).fusedActivation === true;
export const absorbsBatchNorm = (op: string): boolean => traitsOf(op).absorbsBatchNorm === true;
export const passesInt8Through = (op: string): boolean => traitsOf(op).int8PassThrough === true;
export const movesData = (op: string): boolean => traitsOf(op).movesData === true;
export const has16x8Form = (op: string): boolean => traitsOf(op).int16x8 === true;
export const isIntegerOp = (op: string): boolean => traitsOf(op).integer === true;

/** Element-wise (unary) or per-channel ops, which commute with inserting a unit axis after the channel axis. */
export const isChannelwise = (op: string): boolean => traitsOf(op).channelwise === true || isUnaryElementwise(op);

/** The op an algorithm op of the lower stage implements (OpTraits.implements), or undefined. */
export const implementedOp = (op: string): string | undefined => traitsOf(op).implements;

/** Whether the lower stage rewrites `op` into algorithm ops (some registered op implements it). */
export const isLoweredByTarget = (op: string): boolean => opsWith("implements").some((d) => d.traits!.implements === op);

/** The algorithm ops of the lower stage that implement `op` (empty when it is not lowered). */
export const algorithmsOf = (op: string): string[] => opsWith("implements").filter((d) => d.traits!.implements === op).map((d) => d.name);
