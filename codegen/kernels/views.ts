// Ops that only reinterpret their input's bytes with a new shape (the `view` trait: Reshape,
// Squeeze, Unsqueeze, Flatten, Identity): no code, the output aliases the input's buffer (the
// memory planner extends the input's lifetime instead).
import { isView } from "../../ir/traits.js";
import { defineKernel, type KernelDef } from "../kernel.js";

/** The kernel of `op` when it is a view (a kernel provider, codegen/kernel.ts). */
export function viewKernelFor(op: string): KernelDef | undefined {
  return isView(op) ? defineKernel({ op, view: true, emit: () => "" }) : undefined;
}
