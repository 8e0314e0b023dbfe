// ConvTranspose: the adjoint of Conv (a "deconvolution"), with output_padding and output_shape.
//
// Output length per spatial dim: stride*(in-1) + output_padding + dil*(k-1)+1 - pads. When
// output_shape is given (or auto_pad is SAME, which asks for in*stride) the total padding is
// derived from it and split as the spec says: SAME_UPPER puts the larger half at the end,
// otherwise at the beginning.
import { addDim, mulDim, type Dim } from "../../dim.js";
import { defineOp, ints } from "../../op.js";
import { withFusedActivation } from "../../activation.js";
import { makeTensor, tensorType } from "../../types.js";
import type { ConvGeometry } from "../../kernels/conv-geometry.js";
import { convTransposeFloat } from "../../kernels/conv-transpose.js";
import {
  checkDim, dimProduct, expectFloat, expectRank, expectSameDtype, floatData, FLOAT_TYPES, need, needTensor, shapeStr, staticDims,
} from "./common.js";
import { convAttrSchema, windowParams, type WindowParams } from "./spatial.js";

interface ConvTransposeAttrs {
  readonly kernel_shape: readonly number[] | undefined;
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
  readonly auto_pad: string;
  readonly output_padding: readonly number[];
  readonly output_shape: readonly number[] | undefined;
}

// withFusedActivation adds the optional `activation` / `activation_params` attributes (ir/activation.ts).
export const ConvTranspose = withFusedActivation(defineOp({
  name: "ConvTranspose",
  traits: { absorbsBatchNorm: true },
  doc: "Transposed N-D convolution with groups, output_padding and output_shape (ONNX ConvTranspose).",
  attrs: {
    ...convAttrSchema,
    output_padding: ints([]),
    /** Spatial output dims; when set, the pads are derived from it. */
    output_shape: ints(),
  },
  inputs: ["x", "w", "b?"],
  outputs: ["y"],
  dtypes: FLOAT_TYPES,
  infer([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    expectFloat(x, "x");
    expectSameDtype(x, w, "x", "w");
    if (x.shape.length < 3 || x.shape.length > 5) throw new Error(`input x must be [N, C, ...spatial] with 1 to 3 spatial dims, got ${shapeStr(x.shape)}`);
    expectRank(w, x.shape.length, "w");
    const kernel = a.kernel_shape ?? staticDims(w.shape.slice(2), "the weight's kernel dims");
    if (a.group < 1 || !Number.isInteger(a.group)) throw new Error(`group must be a positive integer, got ${a.group}`);
    checkDim(x.shape[1]!, w.shape[0]!, "input channels do not match the weight's first dim");
    const cw = w.shape[1]!;
    const M = typeof cw === "number" ? cw * a.group : mulDim(cw, a.group);
    if (bt) {
      expectSameDtype(x, bt, "x", "b");
      expectRank(bt, 1, "b");
      checkDim(bt.shape[0]!, M, "bias length does not match output channels");
    }
    const p = params(kernel, a);
    const out = x.shape.slice(2).map((d, i) => outLength(d, p, a, i));
    return [tensorType(x.dtype, [x.shape[0]!, M, ...out])];
  },
  evaluate([xt, wt, bt], a) {
    const x = needTensor(xt, "x"), w = needTensor(wt, "w");
    const kernel = a.kernel_shape ?? w.shape.slice(2);
    const geometry = transposeGeometry(x.shape.slice(2), params(kernel, a), a);
    const [N, C] = x.shape as [number, number];
    if (C !== w.shape[0]) throw new Error(`input has ${C} channels, weights expect ${w.shape[0]}`);
    if (C % a.group !== 0) throw new Error(`input channels ${C} are not divisible by group ${a.group}`);
    const M = w.shape[1]! * a.group;
    const y = makeTensor(x.dtype, [N, M, ...geometry.inShape]);
    convTransposeFloat(floatData(x), floatData(w), bt ? floatData(bt) : undefined, floatData(y), { N, C, M, group: a.group, geometry });
    return [y];
  },
  fromOnnx(node, ctx) {
    const attrs = { ...node.attrs };
    if (attrs.auto_pad === "NOTSET" || attrs.auto_pad === "") delete attrs.auto_pad;
    if (attrs.auto_pad === "VALID") {
      delete attrs.auto_pad;
      delete attrs.pads;
    }
    // Some exporters write output_shape as the full [N, C, ...spatial] shape.
    const os = attrs.output_shape as readonly number[] | undefined;
    const rank = ctx.type(node.inputs[0]!)?.shape.length;
    if (os && rank !== undefined && os.length === rank) attrs.output_shape = os.slice(2);
    return { inputs: node.inputs, outputs: node.outputs, attrs };
  },
  macs([xt, wt]) {
    // Every input element is multiplied by the whole (M/group x kernel) slice of its channel.
    return mulDim(dimProduct(need(xt, "x").shape), dimProduct(need(wt, "w").shape.slice(1)));
  },
}));

function params(kernel: readonly number[], a: ConvTransposeAttrs): WindowParams {
  const p = windowParams(kernel, a);
  if (a.output_padding.length !== 0 && a.output_padding.length !== kernel.length) {
    throw new Error(`output_padding has ${a.output_padding.length} values, expected ${kernel.length}`);
  }
  if (a.output_shape && a.output_shape.length !== kernel.length) {
    throw new Error(`output_shape has ${a.output_shape.length} values, expected ${kernel.length} spatial dims`);
  }
  return p;
}

/** Full (unpadded) output length: stride*(in-1) + output_padding + dil*(k-1) + 1. */
function fullLength(inp: Dim, p: WindowParams, a: ConvTransposeAttrs, i: number): Dim {
  const eff = p.dilations[i]! * (p.kernel[i]! - 1) + 1;
  return addDim(mulDim(addDim(inp, -1), p.strides[i]!), (a.output_padding[i] ?? 0) + eff);
}

function outLength(inp: Dim, p: WindowParams, a: ConvTransposeAttrs, i: number): Dim {
  if (a.output_shape) return a.output_shape[i]!;
  if (p.autoPad !== "NOTSET") return mulDim(inp, p.strides[i]!);
  return addDim(fullLength(inp, p, a, i), -(p.padBegin[i]! + p.padEnd[i]!));
}

/** The forward-conv geometry this op is the transpose of (inShape = our output dims). */
function transposeGeometry(xSpatial: readonly number[], p: WindowParams, a: ConvTransposeAttrs): ConvGeometry {
  const r = p.kernel.length;
  if (xSpatial.length !== r) throw new Error(`input has ${xSpatial.length} spatial dims, the kernel ${r}`);
  const out: number[] = [], padBegin: number[] = [], padEnd: number[] = [];
  for (let i = 0; i < r; i++) {
    const o = outLength(xSpatial[i]!, p, a, i) as number;
    if (o < 1) throw new Error(`spatial output dim ${i} would be ${o}`);
    out.push(o);
    if (!a.output_shape && p.autoPad === "NOTSET") {
      padBegin.push(p.padBegin[i]!);
      padEnd.push(p.padEnd[i]!);
      continue;
    }
    const total = (fullLength(xSpatial[i]!, p, a, i) as number) - o;
    const half = Math.floor(total / 2);
    if (p.autoPad === "SAME_UPPER") {
      padBegin.push(half);
      padEnd.push(total - half);
    } else {
      padBegin.push(total - half);
      padEnd.push(half);
    }
  }
  return { inShape: out, kernel: p.kernel, strides: p.strides, dilations: p.dilations, padBegin, padEnd, outShape: xSpatial };
}
