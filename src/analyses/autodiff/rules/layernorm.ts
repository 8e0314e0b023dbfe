// Gradient of LayerNormalization, y = xhat * scale + bias with xhat = (x - mean) * r and
// r = 1 / sqrt(var + eps) over each row of the trailing axes from `axis` (L elements). With
// g = dy * scale, the input gradient is the standard one,
//   dx = r * (g - mean(g) - xhat * mean(g * xhat)),
// plus the terms of the optional Mean and InvStdDev outputs when something reads them:
// dmean/dx_i = 1/L and dr/dx_i = -r^2 * xhat_i / L. scale and bias get the row sums of
// dy * xhat and dy, summed down to their own (broadcast) shapes.
import { normAxis } from "../../../../ir/shape-util.js";
import { makeTensor, numel, type Tensor } from "../../../../ir/types.js";
import { expandTo } from "../../../../ir/ops/nn/layernorm.js";
import { fdata, sumToShape } from "../grad-util.js";
import type { VjpRule } from "../types.js";

export const layerNormVjp: VjpRule = ({ inputs, attrs, dy, wants }) => {
  const [x, s, b] = inputs as [Tensor, Tensor, Tensor | undefined];
  const [gy, gMean, gInv] = dy;
  if (!gy && !gMean && !gInv) return [];
  const axis = normAxis(attrs.axis as number, x.shape.length);
  const normShape = x.shape.slice(axis);
  const rows = numel(x.shape.slice(0, axis)), L = numel(normShape);
  const eps = attrs.epsilon as number;
  const X = fdata(x), S = expandTo(s, normShape);
  const G = gy ? fdata(gy) : undefined, GM = gMean ? fdata(gMean) : undefined, GI = gInv ? fdata(gInv) : undefined;
  const dx = wants[0] ? makeTensor(x.dtype, x.shape) : undefined;
  const D = dx ? fdata(dx) : undefined;
  const dScale = new Float64Array(L), dBias = new Float64Array(L);
  const xhat = new Float64Array(L);
  for (let row = 0; row < rows; row++) {
    const o = row * L;
    let mean = 0;
    for (let i = 0; i < L; i++) mean += X[o + i]!;
    mean /= L;
    let v = 0;
    for (let i = 0; i < L; i++) v += (X[o + i]! - mean) ** 2;
    const r = 1 / Math.sqrt(v / L + eps);
    let sumG = 0, sumGX = 0;
    for (let i = 0; i < L; i++) {
      xhat[i] = (X[o + i]! - mean) * r;
      const gi = G ? G[o + i]! : 0;
      dScale[i] += gi * xhat[i]!;
      dBias[i] += gi;
      sumG += gi * S[i]!;
      sumGX += gi * S[i]! * xhat[i]!;
    }
    if (!D) continue;
    const gm = GM ? GM[row]! : 0, gr = GI ? GI[row]! : 0;
    for (let i = 0; i < L; i++) {
      const gi = G ? G[o + i]! * S[i]! : 0;
      D[o + i] = r * (gi - sumG / L - xhat[i]! * (sumGX / L)) + gm / L - gr * r * r * xhat[i]! / L;
    }
  }
  const param = (k: number, acc: Float64Array): Tensor | undefined => {
    if (!wants[k] || !inputs[k]) return undefined;
    const full = makeTensor(inputs[k]!.dtype, normShape);
    fdata(full).set(acc);
    return sumToShape(full, inputs[k]!.shape);
  };
  return [dx, param(1, dScale), b ? param(2, dBias) : undefined];
};
