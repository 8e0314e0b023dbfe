// If: runs one of two nested graphs (then_branch, else_branch) chosen by a run-time condition.
//
// The IR form binds what the branches read explicitly: the node's inputs are the condition and
// then the outer values the branches capture, and both branches take those values as their graph
// inputs, in the same order. Passes therefore see every captured value as an ordinary input of
// the If (dead-code elimination, renaming, liveness), and each branch is a self-contained graph
// that passes and code generation handle like any other. Both branches must give outputs of the
// same static type, because the code generator gives each output one buffer.
import type { Graph } from "../../graph.js";
import { defineOp, graphAttr, required } from "../../op.js";
import { typeToString, type Tensor, type TensorType } from "../../types.js";
import { dimEquals } from "../../dim.js";

const sameType = (a: TensorType, b: TensorType) =>
  a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => dimEquals(d, b.shape[i]!));

/** The branch a condition value selects (ONNX: a one-element tensor, true when non-zero). */
export function takenBranch(cond: Tensor): "then_branch" | "else_branch" {
  if (cond.data.length !== 1) throw new Error(`the condition holds ${cond.data.length} elements, If needs exactly one`);
  return Number(cond.data[0]) !== 0 ? "then_branch" : "else_branch";
}

function checkBranch(which: string, g: Graph | undefined, captures: readonly (TensorType | undefined)[], numOutputs: number): readonly TensorType[] {
  if (!g) throw new Error(`${which} is missing`);
  if (g.inputs.length !== captures.length) throw new Error(`${which} takes ${g.inputs.length} inputs, the node binds ${captures.length} captured values`);
  g.inputs.forEach((name, k) => {
    const want = g.types[name];
    const have = captures[k];
    if (!want || !have || !sameType(want, have)) {
      throw new Error(`${which} input ${k} (%${name}) is ${want ? typeToString(want) : "untyped"}, the node binds ${have ? typeToString(have) : "nothing"}`);
    }
  });
  if (g.outputs.length !== numOutputs) throw new Error(`${which} has ${g.outputs.length} outputs, the node ${numOutputs}`);
  return g.outputs.map((o) => {
    const t = g.types[o];
    if (!t) throw new Error(`${which} output %${o} has no type`);
    return t;
  });
}

export const If = defineOp({
  name: "If",
  doc: "Runs then_branch when the condition is true, else else_branch; the branches read the captured inputs.",
  attrs: { then_branch: required(graphAttr()), else_branch: required(graphAttr()) },
  inputs: ["cond", "captures?*"],
  outputs: ["outputs*"],
  infer: (xs, a, ctx) => {
    const cond = xs[0];
    if (!cond) throw new Error("If needs a condition");
    if (cond.dtype !== "bool") throw new Error(`the condition is ${typeToString(cond)}, If needs a bool`);
    if (cond.shape.length > 0 && cond.shape.every((d) => typeof d === "number") && cond.shape.reduce<number>((n, d) => n * (d as number), 1) !== 1) {
      throw new Error(`the condition is ${typeToString(cond)}, If needs a single element`);
    }
    const captures = xs.slice(1);
    const thenTypes = checkBranch("then_branch", a.then_branch, captures, ctx.numOutputs);
    const elseTypes = checkBranch("else_branch", a.else_branch, captures, ctx.numOutputs);
    thenTypes.forEach((t, k) => {
      const e = elseTypes[k]!;
      if (!sameType(t, e)) {
        throw new Error(`its branches give output ${k} different types (then ${typeToString(t)}, else ${typeToString(e)}); neonc needs both branches to give the same type, so that the output has one buffer`);
      }
    });
    return [...thenTypes];
  },
  evaluate: (xs, a, ctx) => {
    if (!ctx.runSubgraph) throw new Error("If runs its branches in the interpreter only (no graph runner here)");
    const g = a[takenBranch(xs[0]!)];
    const inputs: Record<string, Tensor> = {};
    g.inputs.forEach((name, k) => {
      inputs[name] = xs[k + 1]!;
    });
    const out = ctx.runSubgraph(g, inputs);
    return g.outputs.map((o) => out[o]!);
  },
});

export const controlOps = [If];
