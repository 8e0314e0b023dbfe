// Ops that only reinterpret their input's bytes with a new shape (the `view` trait: Reshape,
// Squeeze, Unsqueeze, Flatten, Identity): no code, the output aliases the input's buffer (the
// memory planner extends the input's lifetime instead).
import "../../ir/ops/index.js";
import { opNamesWith } from "../../ir/traits.js";
import { defineKernel, type KernelDef } from "../kernel.js";

export function viewKernels(): KernelDef[] {
  return opNamesWith("view").map((op) => defineKernel({ op, view: true, emit: () => "" }));
}
