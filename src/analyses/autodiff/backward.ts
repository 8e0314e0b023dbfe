// Reverse sweep over a tape: seeds (dLoss/dValue for some values) are pushed back through the
// recorded nodes with the gradient rules, summing where a value feeds several nodes.
//
// A gradient handed on by a rule may share storage with another (a Reshape passes dy through),
// so a sum is only ever written into a buffer this sweep allocated itself.
import type { Tensor } from "../../../ir/types.js";
import { errorMessage, ModelError } from "../../../ir/errors.js";
import { addInPlace, fdata } from "./grad-util.js";
import { vjpRule } from "./rules/index.js";
import type { Tape } from "./tape.js";

interface Grad { t: Tensor; owned: boolean }

/**
 * Gradients of a scalar loss with respect to `wrt` (default: the graph inputs), given
 * `seeds[name]` = dLoss/d(name) for values of the tape. Values the loss does not reach get zeros.
 */
export function backward(tape: Tape, seeds: Readonly<Record<string, Tensor>>, wrt: readonly string[] = tape.graph.inputs): Record<string, Tensor> {
  const grads = new Map<string, Grad>();
  const keep = new Set(wrt);
  const add = (name: string, g: Tensor) => {
    const v = tape.values.get(name);
    if (v && (g.shape.length !== v.shape.length || g.shape.some((d, i) => d !== v.shape[i]))) {
      throw new ModelError(`gradient of "${name}" has shape [${g.shape.join(",")}], the value has [${v.shape.join(",")}]`);
    }
    const prev = grads.get(name);
    if (!prev) {
      grads.set(name, { t: g, owned: false });
      return;
    }
    if (!prev.owned) {
      prev.t = { dtype: prev.t.dtype, shape: prev.t.shape, data: fdata(prev.t).slice() };
      prev.owned = true;
    }
    addInPlace(fdata(prev.t), fdata(g));
  };
  for (const [name, g] of Object.entries(seeds)) {
    if (!tape.values.has(name)) throw new ModelError(`seed for "${name}", which the tape did not compute`);
    if (tape.differentiable.has(name)) add(name, g);
  }
  for (let e = tape.entries.length - 1; e >= 0; e--) {
    const { node, attrs, inputs, outputs } = tape.entries[e]!;
    const dy = node.outputs.map((o) => (o ? grads.get(o)?.t : undefined));
    for (const o of node.outputs) if (!keep.has(o)) grads.delete(o);
    if (!dy.some(Boolean)) continue;
    const wants = node.inputs.map((i) => i !== "" && tape.differentiable.has(i));
    if (!wants.some(Boolean)) continue;
    let dx: (Tensor | undefined)[];
    try {
      dx = vjpRule(node.op)!({ inputs, outputs, attrs, dy, wants });
    } catch (err) {
      throw new ModelError(`gradient of node ${node.name} (${node.op}) failed: ${errorMessage(err)}`);
    }
    node.inputs.forEach((name, i) => {
      const g = dx[i];
      if (wants[i] && g) add(name, g);
    });
  }
  const out: Record<string, Tensor> = {};
  for (const name of wrt) {
    const v = tape.values.get(name);
    if (!v) throw new ModelError(`no value named "${name}" on the tape`);
    out[name] = grads.get(name)?.t ?? { dtype: v.dtype, shape: v.shape, data: new (v.data instanceof Float64Array ? Float64Array : Float32Array)(v.data.length) };
  }
  return out;
}
