// The activation functions an ONNX RNN, GRU or LSTM may name, with their alpha/beta parameters.
//
// The names are resolved once (import, type rule, kernel set-up) into a numeric kind so the
// kernels can switch outside their element loops. alpha/beta lists are consumed only by the
// functions that take them, in order, as onnxruntime does; a missing value takes the default of
// the ONNX operator of the same name.

export const Act = {
  Sigmoid: 0, Tanh: 1, Relu: 2, HardSigmoid: 3, LeakyRelu: 4, ThresholdedRelu: 5,
  ScaledTanh: 6, Affine: 7, Elu: 8, Softsign: 9, Softplus: 10,
} as const;
export type Act = (typeof Act)[keyof typeof Act];

export interface Activation {
  readonly kind: Act;
  readonly alpha: number;
  readonly beta: number;
}

interface ActInfo {
  readonly kind: Act;
  /** Defaults for alpha and beta; undefined when the function takes no such parameter. */
  readonly alpha?: number;
  readonly beta?: number;
}

const BY_NAME: Readonly<Record<string, ActInfo>> = {
  sigmoid: { kind: Act.Sigmoid },
  tanh: { kind: Act.Tanh },
  relu: { kind: Act.Relu },
  hardsigmoid: { kind: Act.HardSigmoid, alpha: 0.2, beta: 0.5 },
  leakyrelu: { kind: Act.LeakyRelu, alpha: 0.01 },
  thresholdedrelu: { kind: Act.ThresholdedRelu, alpha: 1.0 },
  scaledtanh: { kind: Act.ScaledTanh, alpha: 1.0, beta: 1.0 },
  affine: { kind: Act.Affine, alpha: 1.0, beta: 0.0 },
  elu: { kind: Act.Elu, alpha: 1.0 },
  softsign: { kind: Act.Softsign },
  softplus: { kind: Act.Softplus },
};

export const ACTIVATION_NAMES = [
  "Sigmoid", "Tanh", "Relu", "HardSigmoid", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "Affine", "Elu", "Softsign", "Softplus",
] as const;

/**
 * Resolves the activations of an RNN-family node: `perDirection` functions for each direction.
 * `defaults` are the op's default names for one direction. A list naming only one direction's
 * functions for a bidirectional node is used for both (onnxruntime accepts that too).
 * Throws a readable Error for unknown names or a list of the wrong length.
 */
export function resolveActivations(
  names: readonly string[] | undefined,
  alphas: readonly number[] | undefined,
  betas: readonly number[] | undefined,
  defaults: readonly string[],
  numDirections: number,
): Activation[][] {
  const per = defaults.length;
  let list: readonly string[];
  if (!names || names.length === 0) list = Array.from({ length: numDirections }, () => defaults).flat();
  else if (names.length === per * numDirections) list = names;
  else if (names.length === per && numDirections === 2) list = [...names, ...names];
  else {
    throw new Error(`activations lists ${names.length} functions; expected ${per * numDirections} (${per} per direction)`);
  }
  let ai = 0;
  let bi = 0;
  const acts: Activation[] = list.map((name) => {
    const info = BY_NAME[name.toLowerCase()];
    if (!info) throw new Error(`unknown activation function "${name}" (expected one of ${ACTIVATION_NAMES.join(", ")})`);
    let alpha = 0;
    let beta = 0;
    if (info.alpha !== undefined) alpha = alphas && ai < alphas.length ? alphas[ai++]! : info.alpha;
    if (info.beta !== undefined) beta = betas && bi < betas.length ? betas[bi++]! : info.beta;
    return { kind: info.kind, alpha, beta };
  });
  const out: Activation[][] = [];
  for (let d = 0; d < numDirections; d++) out.push(acts.slice(d * per, (d + 1) * per));
  return out;
}
