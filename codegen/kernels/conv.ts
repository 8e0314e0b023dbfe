// Conv (1-D and 2-D, float): pointwise as a packed GEMM straight on the input, depthwise 1-D
// as a direct kernel, any other 1-D convolution as a GEMM whose X rows are read straight from a
// zero-padded (and, for strides, phase-split) copy of the input through a table of row offsets
// (no im2col matrix: the copy is the input's size, not K times it), and 2-D ones as im2col into
// scratch followed by the same GEMM, per group. Bias and the fused activation are applied in the
// GEMM's epilogue. Weights are packed at compile time in the GEMM's row blocks.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { defineKernel } from "../kernel.js";
import { addDim, mulDim } from "../../ir/dim.js";
import { actArgs } from "./common.js";
import { gemmRowBlock, packRows, padBias, useGemm, useGemmRows } from "./gemm.js";
import { useConv1dRows, useDepthwise1d, useIm2col2d } from "./conv-helpers.js";

interface Geometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
}

function geometry(node: Node, attrs: Attrs, g: Graph): Geometry {
  const w = g.types[node.inputs[1]!]!;
  const r = w.shape.length - 2;
  const kernel = (attrs.kernel_shape as readonly number[] | undefined) ?? (w.shape.slice(2) as number[]);
  const fill = (v: readonly number[] | undefined, def: number, n = r) => (v && v.length > 0 ? v : new Array<number>(n).fill(def));
  const pads = fill(attrs.pads as readonly number[] | undefined, 0, 2 * r);
  return {
    kernel,
    strides: fill(attrs.strides as readonly number[] | undefined, 1),
    dilations: fill(attrs.dilations as readonly number[] | undefined, 1),
    padBegin: pads.slice(0, r),
    padEnd: pads.slice(r),
  };
}

export const convKernel = defineKernel({
  op: "Conv",
  supports(node, attrs, g) {
    const x = g.types[node.inputs[0]!];
    if (!x || x.dtype !== "f32") return "only float32 convolution is generated";
    if (x.shape.length !== 3 && x.shape.length !== 4) return "only 1-D and 2-D convolution is generated";
    if (!(node.inputs[1]! in g.constants)) return "the weights must be constant";
    if (node.inputs[2] && !(node.inputs[2] in g.constants)) return "the bias must be constant";
    const ap = attrs.auto_pad as string | undefined;
    if (ap && ap !== "NOTSET") return `auto_pad ${ap} with symbolic input dims is not supported; export explicit pads`;
    if (typeof g.types[node.inputs[1]!]!.shape[1] !== "number") return "the weight shape must be static";
    return undefined;
  },
  emit(node, attrs, ctx) {
    const [xName, wName, bName] = node.inputs as [string, string, string | undefined];
    const yName = node.outputs[0]!;
    const x = ctx.type(xName), y = ctx.type(yName);
    const w = ctx.constant(wName)!;
    const wd = w.data as Float32Array;
    const bias = bName ? (ctx.constant(bName)!.data as Float32Array) : undefined;
    const geo = geometry(node, attrs, ctx.graph);
    const group = (attrs.group as number | undefined) ?? 1;
    const C = x.shape[1] as number;
    const M = w.shape[0]!;
    const Cg = C / group, Mg = M / group;
    const kprod = geo.kernel.reduce((a, b) => a * b, 1);
    const Kc = Cg * kprod;
    const act = actArgs(attrs);
    const [N, , ...inSp] = ctx.shape(xName);
    const outSp = ctx.shape(yName).slice(2);
    const inSize = inSp.join(" * ");
    const outSize = outSp.join(" * ");
    const xp = ctx.ptr(xName), yp = ctx.ptr(yName);
    const oneD = x.shape.length === 3;

    if (oneD && group === C && M === C && geo.kernel[0]! > 1) {
      useDepthwise1d(ctx);
      const wp = ctx.addWeights(`${wName}`, wd);
      const bp = bias ? ctx.addWeights(bName!, bias) : "0";
      // One zero-padded input row (plus room for the NEON stride-2 loads' extra float).
      const row = ctx.scratch(addDim(x.shape[2]!, geo.padBegin[0]! + geo.padEnd[0]! + 4));
      return [
        `int n;`,
        `for (n = 0; n < ${N}; n++)`,
        `  neonc_dwconv1d_f32(${C}, ${inSp[0]}, ${outSp[0]}, ${geo.kernel[0]}, ${geo.strides[0]}, ${geo.dilations[0]}, ${geo.padBegin[0]},`,
        `                     ${xp} + (size_t)n * ${C} * ${inSp[0]}, ${wp}, ${bp}, ${yp} + (size_t)n * ${C} * ${outSp[0]}, ${act}, ${row});`,
      ].join("\n");
    }

    const R = gemmRowBlock(ctx.target);
    const blocks = Math.ceil(Mg / R) * R;
    const packed = new Float32Array(group * blocks * Kc);
    const bpad = new Float32Array(group * blocks);
    for (let gi = 0; gi < group; gi++) {
      packed.set(packRows(wd, Mg, Kc, R, gi * Mg), gi * blocks * Kc);
      bpad.set(padBias(bias, Mg, R, gi * Mg), gi * blocks);
    }
    const wp = ctx.addWeights(`${wName}_packed${R}`, packed);
    const bp = bias ? ctx.addWeights(`${bName}_padded${R}`, bpad) : "0";
    const wg = `${wp} + (size_t)g * ${blocks * Kc}`, bg = bias ? `${bp} + g * ${blocks}` : "0";
    const yg = `${yp} + ((size_t)n * ${M} + (size_t)g * ${Mg}) * ${outSize}`;
    const pointwise = kprod === 1 && geo.strides.every((s) => s === 1) && geo.padBegin.every((p) => p === 0) && ctx.dim(x.shape[2]!) === ctx.dim(y.shape[2]!) &&
      (oneD || ctx.dim(x.shape[3]!) === ctx.dim(y.shape[3]!));
    if (pointwise) {
      useGemm(ctx);
      return [
        `int n, g;`,
        `for (n = 0; n < ${N}; n++)`,
        `  for (g = 0; g < ${group}; g++)`,
        `    neonc_gemm_f32(${Mg}, ${outSize}, ${Kc}, ${wg}, ${xp} + ((size_t)n * ${C} + (size_t)g * ${Cg}) * ${inSize}, ${inSize}, ${yg}, ${outSize}, ${bg}, ${act});`,
      ].join("\n");
    }
    if (oneD) {
      // X row (c, j) of group g, at column t, is tap j of output t: the padded input of channel
      // c at t*s + j*d, i.e. phase (j*d) % s at (j*d) / s + t of the phase-split copy.
      useConv1dRows(ctx);
      useGemmRows(ctx);
      const [K, s, d] = [geo.kernel[0]!, geo.strides[0]!, geo.dilations[0]!];
      const extra = Math.floor(((K - 1) * d) / s);
      const buf = ctx.scratch(mulDim(s * C, addDim(y.shape[2]!, extra)));
      const off = ctx.scratch(Kc, "int32_t");
      // Locals named by ctx.local: a symbolic dim could be called L.
      const [bufV, offV, lenV] = [ctx.local("buf"), ctx.local("xoff"), ctx.local("L")];
      return [
        `float *const ${bufV} = ${buf};`,
        `int32_t *const ${offV} = ${off};`,
        `const int ${lenV} = ${outSp[0]} + ${extra};`,
        `int n, g;`,
        `for (n = 0; n < ${N}; n++) {`,
        `  neonc_conv1d_rows_f32(${xp} + (size_t)n * ${C} * ${inSize}, ${C}, ${Cg}, ${inSp[0]}, ${K}, ${s}, ${d}, ${geo.padBegin[0]}, ${lenV}, ${bufV}, ${offV});`,
        `  for (g = 0; g < ${group}; g++)`,
        `    neonc_gemm_rows_f32(${Mg}, ${outSize}, ${Kc}, ${wg}, ${bufV} + (size_t)g * ${Cg} * ${lenV}, ${offV}, ${yg}, ${outSize}, ${bg}, ${act});`,
        `}`,
      ].join("\n");
    }
    useGemm(ctx);
    useIm2col2d(ctx);
    const col = ctx.scratch(mulDim(Kc, y.shape.slice(2).reduce((a, b) => mulDim(a, b), 1)));
    const xg = `${xp} + ((size_t)n * ${C} + (size_t)g * ${Cg}) * ${inSize}`;
    const im2col = `neonc_im2col2d_f32(${xg}, ${Cg}, ${inSp[0]}, ${inSp[1]}, ${geo.kernel[0]}, ${geo.kernel[1]}, ${geo.strides[0]}, ${geo.strides[1]}, ` +
      `${geo.dilations[0]}, ${geo.dilations[1]}, ${geo.padBegin[0]}, ${geo.padBegin[1]}, ${outSp[0]}, ${outSp[1]}, col);`;
    return [
      `float *const col = ${col};`,
      `int n, g;`,
      `for (n = 0; n < ${N}; n++)`,
      `  for (g = 0; g < ${group}; g++) {`,
      `    ${im2col}`,
      `    neonc_gemm_f32(${Mg}, ${outSize}, ${Kc}, ${wg}, col, ${outSize}, ${yg}, ${outSize}, ${bg}, ${act});`,
      `  }`,
    ].join("\n");
  },
});

