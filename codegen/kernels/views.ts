// Ops that only reinterpret their input's bytes with a new shape: no code, the output aliases
// the input's buffer (the memory planner extends the input's lifetime instead).
import { defineKernel } from "../kernel.js";

export const viewKernels = ["Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"].map((op) =>
  defineKernel({ op, view: true, emit: () => "" }),
);
