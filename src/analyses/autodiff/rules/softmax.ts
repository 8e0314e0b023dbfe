// Gradients of Softmax and LogSoftmax along one axis of x viewed as [outer, len, inner]:
//   softmax:     dx = y * (dy - sum_k dy*y)
//   log-softmax: dx = dy - exp(y) * sum_k dy
import { normAxis } from "../../../../ir/shape-util.js";
import { numel } from "../../../../ir/types.js";
import { fdata, zerosLike } from "../grad-util.js";
import type { VjpRule } from "../types.js";

function softmaxRule(log: boolean): VjpRule {
  return ({ outputs, attrs, dy }) => {
    if (!dy[0]) return [];
    const y = outputs[0]!;
    const axis = normAxis(attrs.axis as number, y.shape.length);
    const outer = numel(y.shape.slice(0, axis));
    const [len, inner] = attrs.flatten ? [numel(y.shape.slice(axis)), 1] : [y.shape[axis]!, numel(y.shape.slice(axis + 1))];
    const Y = fdata(y), G = fdata(dy[0]);
    const dx = zerosLike(dy[0]);
    const D = fdata(dx);
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * len * inner;
      acc.fill(0);
      for (let k = 0, r = base; k < len; k++, r += inner) {
        for (let j = 0; j < inner; j++) acc[j] += log ? G[r + j]! : G[r + j]! * Y[r + j]!;
      }
      for (let k = 0, r = base; k < len; k++, r += inner) {
        for (let j = 0; j < inner; j++) {
          const i = r + j;
          D[i] = log ? G[i]! - Math.exp(Y[i]!) * acc[j]! : Y[i]! * (G[i]! - acc[j]!);
        }
      }
    }
    return [dx];
  };
}

export const softmaxVjp = softmaxRule(false);
export const logSoftmaxVjp = softmaxRule(true);
