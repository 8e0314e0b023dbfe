// Applies an RNN activation function in place over a run of a Float64Array (one gate block).
//
// The switch on the function kind sits outside the element loops so each loop stays a tight,
// monomorphic pass over the buffer. The optional clip bounds the activation's input, as the
// ONNX `clip` attribute specifies.
import { Act, type Activation } from "./rnn-activation-kinds.js";

export function applyActivation(act: Activation, buf: Float64Array, off: number, n: number, clip: number | undefined): void {
  const end = off + n;
  if (clip !== undefined) {
    const lo = -clip;
    for (let i = off; i < end; i++) {
      const v = buf[i]!;
      buf[i] = v > clip ? clip : v < lo ? lo : v;
    }
  }
  const alpha = act.alpha;
  const beta = act.beta;
  switch (act.kind) {
    case Act.Sigmoid:
      for (let i = off; i < end; i++) buf[i] = 1 / (1 + Math.exp(-buf[i]!));
      return;
    case Act.Tanh:
      for (let i = off; i < end; i++) buf[i] = Math.tanh(buf[i]!);
      return;
    case Act.Relu:
      for (let i = off; i < end; i++) if (!(buf[i]! > 0)) buf[i] = 0;
      return;
    case Act.HardSigmoid:
      for (let i = off; i < end; i++) {
        const v = alpha * buf[i]! + beta;
        buf[i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
      return;
    case Act.LeakyRelu:
      for (let i = off; i < end; i++) if (buf[i]! < 0) buf[i] = alpha * buf[i]!;
      return;
    case Act.ThresholdedRelu:
      for (let i = off; i < end; i++) if (!(buf[i]! > alpha)) buf[i] = 0;
      return;
    case Act.ScaledTanh:
      for (let i = off; i < end; i++) buf[i] = alpha * Math.tanh(beta * buf[i]!);
      return;
    case Act.Affine:
      for (let i = off; i < end; i++) buf[i] = alpha * buf[i]! + beta;
      return;
    case Act.Elu:
      for (let i = off; i < end; i++) if (buf[i]! < 0) buf[i] = alpha * Math.expm1(buf[i]!);
      return;
    case Act.Softsign:
      for (let i = off; i < end; i++) buf[i] = buf[i]! / (1 + Math.abs(buf[i]!));
      return;
    case Act.Softplus:
      // log(1 + e^x) without overflow for large x.
      for (let i = off; i < end; i++) {
        const v = buf[i]!;
        buf[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      return;
  }
}
