// Fused activations without an epilogue form (Sigmoid, Swish, Mish... fused into a Conv, Gemm,
// MatMul or Add: ir/activation.ts): the kernel computes the op as if it had none (actArgs
// passes 0) and this wrapper appends an in-place sweep of the activation's own C form over the
// output, while it is still hot in cache. Kinds with an epilogue form (Relu, Clip, LeakyRelu)
// are applied by the kernels themselves and pass through untouched.
import { activationAttrsOf, activationOf, epilogueOf, fusedKind } from "../../ir/activation.js";
import type { KernelDef } from "../kernel.js";
import { unaryLoop } from "./c-math.js";

/** `kernel`, with the sweep after it for fused activations it does not apply itself. */
export function withActivationSweep(kernel: KernelDef): KernelDef {
  return {
    ...kernel,
    emit(node, attrs, ctx) {
      const code = kernel.emit(node, attrs, ctx);
      const act = activationOf(attrs as { activation?: string; activation_params?: readonly number[] });
      if (!act || epilogueOf(act)) return code;
      const y = node.outputs[0]!;
      const sweep = unaryLoop(ctx, fusedKind(act.kind)!.fn, activationAttrsOf(act), ctx.ptr(y), ctx.ptr(y), ctx.numel(y));
      return `${code}\n/* fused ${act.kind} */\n{\n${sweep.split("\n").map((l) => `  ${l}`).join("\n")}\n}`;
    },
  };
}
