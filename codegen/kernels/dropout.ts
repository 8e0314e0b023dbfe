// Dropout in C: the identity of inference, with its mask output (all ones: bool, or the input's
// dtype for the opset 7-9 mask) and a ratio and training_mode that may be graph inputs. A training
// mode with a ratio above 0 draws a random mask, which generated C does not do: known at compile
// time it is refused with a sentence, given at run time the run returns 5 (model.h). Training
// mode with ratio 0 is the identity, as ONNX defines it.
// canonicalize removes an inference Dropout before code generation (its read mask becomes a
// constant); this kernel serves -O0 and the run-time training_mode.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { readNumber } from "../../ir/types.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";

const RATIO_TYPES = ["f32", "f64"];

/** The training_mode and ratio when known at compile time (undefined: read at run time). */
function modeOf(node: Node, attrs: Attrs, g: Pick<Graph, "constants">): { training?: boolean; ratio?: number } {
  const known = (k: number, attr: number) => {
    const v = node.inputs[k];
    if (!v) return attr;
    const t = g.constants[v];
    return t ? readNumber(t, 0) : undefined;
  };
  const t = known(2, attrs.training_mode as number);
  return { training: t === undefined ? undefined : t !== 0, ratio: known(1, attrs.ratio as number) };
}

export const dropoutKernel = defineKernel({
  op: "Dropout",
  inPlace: 0,
  supports(node, attrs, g) {
    const r = node.inputs[1];
    if (r && !g.constants[r] && !RATIO_TYPES.includes(g.types[r]?.dtype ?? "")) return `a ratio of type ${g.types[r]?.dtype} read at run time is not generated (float32 or float64 is)`;
    const { training, ratio } = modeOf(node, attrs, g);
    if (training === true && ratio !== undefined && ratio !== 0) {
      return `training_mode=1 with ratio ${ratio} draws a random mask, which generated C does not do; export the model in inference mode`;
    }
    return undefined;
  },
  emit(node, attrs, ctx: KernelContext) {
    const xN = node.inputs[0]!, yN = node.outputs[0]!, mN = node.outputs[1];
    const { training, ratio } = modeOf(node, attrs, { constants: Object.fromEntries(node.inputs.flatMap((v) => (v && ctx.constant(v) ? [[v, ctx.constant(v)!]] : []))) });
    const lines: string[] = [];
    if (training !== false) {
      const t = training === undefined ? `${ctx.ptr(node.inputs[2]!)}[0] != 0` : "1";
      const r = ratio === undefined ? `${ctx.ptr(node.inputs[1]!)}[0] != 0` : ratio !== 0 ? "1" : "0";
      lines.push(`if ((${t}) && (${r})) return 5; /* training mode with ratio > 0: a random mask */`);
    }
    const size = `(size_t)${ctx.numel(xN)} * sizeof(${ctype(ctx.type(xN).dtype)})`;
    // The same pointer expression (the memory plan gave y x's place) needs no copy, and gcc rejects
    // memcpy on two arguments it can see are equal (-Werror=restrict).
    if (ctx.ptr(yN) !== ctx.ptr(xN)) {
      lines.push(`if ((const void *)${ctx.ptr(yN)} != (const void *)${ctx.ptr(xN)}) memcpy(${ctx.ptr(yN)}, ${ctx.ptr(xN)}, ${size});`);
    }
    if (mN) {
      const mt = ctype(ctx.type(mN).dtype);
      lines.push(`{ size_t i; ${mt} *m = ${ctx.ptr(mN)}; for (i = 0; i < (size_t)${ctx.numel(mN)}; i++) m[i] = (${mt})1; }`);
    }
    return lines.join("\n");
  },
});
