// Ops that only reinterpret their input's bytes with a new shape (the `view` trait: Reshape,
// Squeeze, Unsqueeze, Flatten, Identity): no code, the output aliases the input's buffer (the
// memory planner extends the input's lifetime instead).
import { isView } from "../../ir/traits.js";
import { defineKernel, type KernelDef } from "../kernel.js";

/** The kernel of `op` when it is a view (a kernel provider, codegen/kernel.ts). */
export function viewKernelFor(op: string): KernelDef | undefined {
  return isView(op) ? defineKernel({ op, view: true, emit: () => "" }) : undefined;
}

/**
 * Dropout in inference mode is a view too (canonicalize removes it; with -O0 it is still there),
 * as long as its mask is not read and its training mode is not given at run time.
 */
export const dropoutKernel = defineKernel({
  op: "Dropout",
  view: true,
  supports(node, attrs, g) {
    const mask = node.outputs[1];
    if (mask && (g.outputs.includes(mask) || g.nodes.some((n) => n.inputs.includes(mask)))) return "the mask output is not generated";
    const mode = node.inputs[2] ? g.constants[node.inputs[2]] : undefined;
    if (node.inputs[2] && !mode) return "a training_mode given at run time is not generated";
    const training = mode ? Number(mode.data[0]) !== 0 : attrs.training_mode !== 0;
    return training ? "training mode (random masks) is not generated" : undefined;
  },
  emit: () => "",
});
