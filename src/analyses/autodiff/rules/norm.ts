// Gradient of inference-mode BatchNormalization: an affine map per channel,
// y = (x - mean) * a + bias with a = scale / sqrt(var + eps).
import { makeTensor, numel, type Tensor } from "../../../../ir/types.js";
import { fdata } from "../grad-util.js";
import type { VjpRule } from "../types.js";

export const batchNormVjp: VjpRule = ({ inputs, attrs, dy, wants }) => {
  if (attrs.training_mode) throw new Error("BatchNormalization: gradients of training_mode=1 are not supported");
  const g0 = dy[0];
  if (!g0) return [];
  const [x, s, b, m, v] = inputs as Tensor[];
  const N = x!.shape[0]!, C = x!.shape[1]!, plane = numel(x!.shape.slice(2));
  const L = s!.data.length;
  // The old spatial=0 form has one parameter per channel and position.
  const perElement = L !== C;
  const S = fdata(s!), V = fdata(v!), Mn = fdata(m!), X = fdata(x!), G = fdata(g0);
  const eps = attrs.epsilon as number;
  const inv = new Float64Array(L);
  for (let i = 0; i < L; i++) inv[i] = 1 / Math.sqrt(V[i]! + eps);
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  if (wants[0]) {
    const dx = makeTensor(x!.dtype, x!.shape);
    const D = fdata(dx);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const o = (n * C + c) * plane;
        for (let i = 0; i < plane; i++) {
          const p = perElement ? c * plane + i : c;
          D[o + i] = G[o + i]! * S[p]! * inv[p]!;
        }
      }
    }
    out[0] = dx;
  }
  if (wants.slice(1).some(Boolean)) {
    // Per parameter: sum of dy, and of dy * (x - mean) over the positions it applies to.
    const sumG = new Float64Array(L), sumGX = new Float64Array(L);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const o = (n * C + c) * plane;
        for (let i = 0; i < plane; i++) {
          const p = perElement ? c * plane + i : c;
          sumG[p] += G[o + i]!;
          sumGX[p] += G[o + i]! * (X[o + i]! - Mn[p]!);
        }
      }
    }
    const param = (k: number, f: (p: number) => number) => {
      if (!wants[k]) return;
      const t = makeTensor(inputs[k]!.dtype, inputs[k]!.shape);
      const d = fdata(t);
      for (let p = 0; p < L; p++) d[p] = f(p);
      out[k] = t;
    };
    param(1, (p) => sumGX[p]! * inv[p]!);
    param(2, (p) => sumG[p]!);
    param(3, (p) => -sumG[p]! * S[p]! * inv[p]!);
    param(4, (p) => -0.5 * sumGX[p]! * S[p]! * inv[p]! ** 3);
  }
  return out;
};
