// Fused activations: the semantics shared by the ops that can carry one (Conv, ConvTranspose,
// Gemm, MatMul, Add) and by the `fuse-activation` pass that puts them there.
//
// A fused activation is two optional attributes on the producing op: `activation` ("Relu",
// "Clip" or "LeakyRelu") and `activation_params` ([min, max] for Clip, [alpha] for LeakyRelu).
// Keeping it on the op lets a quantized kernel apply it as a clamp on the accumulator instead of
// running a separate elementwise pass; the ONNX exporter writes it back as op + activation node.
import { makeTensor, type Tensor, type TensorType } from "./types.js";
import { floats, str, type AttrSchema, type OpDef } from "./op.js";

export const ACTIVATION_KINDS = ["Relu", "Clip", "LeakyRelu"] as const;
export type ActivationKind = (typeof ACTIVATION_KINDS)[number];

export interface Activation {
  readonly kind: ActivationKind;
  readonly params: readonly number[];
}

/** Attribute schema entries to spread into the schema of an op that can fuse an activation. */
export const activationAttrs = {
  activation: str(),
  activation_params: floats(),
};

/** Default LeakyRelu slope, as in ONNX. */
const LEAKY_ALPHA = 0.01;

/** Reads and validates the fused activation of resolved attributes (undefined when none). */
export function activationOf(attrs: { readonly activation?: string; readonly activation_params?: readonly number[] }): Activation | undefined {
  const kind = attrs.activation;
  if (kind === undefined || kind === "") return undefined;
  const params = attrs.activation_params ?? [];
  switch (kind) {
    case "Relu":
      if (params.length !== 0) throw new Error(`fused activation Relu takes no activation_params, got [${params.join(", ")}]`);
      return { kind, params: [] };
    case "Clip": {
      if (params.length !== 2) throw new Error(`fused activation Clip needs activation_params [min, max], got [${params.join(", ")}]`);
      if (!(params[0]! <= params[1]!)) throw new Error(`fused activation Clip has min ${params[0]} above max ${params[1]}`);
      return { kind, params: [params[0]!, params[1]!] };
    }
    case "LeakyRelu":
      if (params.length > 1) throw new Error(`fused activation LeakyRelu takes activation_params [alpha], got [${params.join(", ")}]`);
      return { kind, params: [params[0] ?? LEAKY_ALPHA] };
    default:
      throw new Error(`unknown fused activation "${kind}" (expected one of ${ACTIVATION_KINDS.join(", ")})`);
  }
}

/** For `infer`: throws a readable error when the activation attributes are malformed or the type is not float. */
export function checkActivation(attrs: { readonly activation?: string; readonly activation_params?: readonly number[] }, out: TensorType): void {
  const act = activationOf(attrs);
  if (act && out.dtype !== "f32" && out.dtype !== "f64") {
    throw new Error(`a fused ${act.kind} needs a float output, not ${out.dtype}`);
  }
}

/** Applies an activation to every element of `data`, in place. */
export function applyActivation(data: Float32Array | Float64Array, act: Activation): void {
  const n = data.length;
  switch (act.kind) {
    case "Relu":
      for (let i = 0; i < n; i++) if (data[i]! < 0) data[i] = 0;
      return;
    case "Clip": {
      const lo = act.params[0]!;
      const hi = act.params[1]!;
      for (let i = 0; i < n; i++) {
        const v = data[i]!;
        // NaN stays NaN, as ONNX Clip leaves it.
        if (v < lo) data[i] = lo;
        else if (v > hi) data[i] = hi;
      }
      return;
    }
    case "LeakyRelu": {
      const alpha = act.params[0]!;
      for (let i = 0; i < n; i++) {
        const v = data[i]!;
        if (v < 0) data[i] = v * alpha;
      }
      return;
    }
  }
}

/**
 * For the end of an op's `evaluate`: applies the op's fused activation (if any) to the output the
 * kernel has just allocated, in place, and returns it. The output must be freshly allocated by the
 * kernel, never one of its inputs.
 */
export function applyFusedActivation(out: Tensor, attrs: { readonly activation?: string; readonly activation_params?: readonly number[] }): Tensor {
  const act = activationOf(attrs);
  if (!act) return out;
  if (!(out.data instanceof Float32Array || out.data instanceof Float64Array)) {
    throw new Error(`a fused ${act.kind} needs a float output, not ${out.dtype}`);
  }
  applyActivation(out.data, act);
  return out;
}

/**
 * The op definition `def` with a fused activation: the two attributes added to its schema,
 * checked by its type rule and applied to its first output after its kernel runs. This is how
 * Conv, ConvTranspose, Gemm, MatMul and Add get theirs, so the rule lives in one place.
 */
export function withFusedActivation<S extends AttrSchema>(def: OpDef<S>): OpDef<S & typeof activationAttrs> {
  type A = S & typeof activationAttrs;
  type Fused = Parameters<typeof activationOf>[0];
  return {
    ...def,
    attrs: { ...def.attrs, ...activationAttrs } as A,
    infer(inputs, attrs, ctx) {
      const out = def.infer(inputs, attrs, ctx);
      if (out[0]) checkActivation(attrs as Fused, out[0]);
      return out;
    },
    evaluate(inputs, attrs, ctx) {
      const out = def.evaluate(inputs, attrs, ctx);
      const y = out[0];
      if (!y || !activationOf(attrs as Fused)) return out;
      // Apply in place only on storage the kernel allocated, never on one of its inputs.
      const own = inputs.some((t) => t?.data === y.data) ? makeTensor(y.dtype, y.shape, y.data.slice() as Tensor["data"]) : y;
      return [applyFusedActivation(own, attrs as Fused), ...out.slice(1)];
    },
  } as OpDef<A>;
}
