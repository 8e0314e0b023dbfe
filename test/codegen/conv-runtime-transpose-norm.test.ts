// The kernels of the convolution-family ops that have no packed-at-compile-time form, against
// the interpreter on every rig, over random shapes drawn by fast-check (one graph per rig, one
// output per drawn case, two lengths T): Conv with run-time weights or bias (ConvIm2colMatMul;
// 1-D and 2-D, groups, strides, dilations, pads, a fused Relu), Gemm with a run-time B
// (GemmMatMul; transA, transB, alpha, beta, every broadcast form of C), ConvTranspose
// (ConvTransposeCol2im; 1-D and 2-D, groups, strides, dilations, pads, output_padding,
// output_shape, auto_pad, constant and run-time weights, bias) and InstanceNormalization /
// GroupNormalization (per-channel and per-group parameters, constant and run-time).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { runPass } from "../../passes/pass.js";
import { lower } from "../../passes/lower/index.js";
import { getTarget } from "../../ir/target.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(47);
const rand = (shape: readonly number[]): Tensor => seededTensor(rng, "f32", [...shape], { values: { min: -1, max: 1 } });
const list = (v: readonly number[]) => `[${v.join(", ")}]`;

interface Built { inputs: string[]; lines: string[]; outputs: string[]; shapes: Record<string, (T: number) => number[]>; ops: Record<string, string> }
const built: Built = { inputs: [], lines: [], outputs: [], shapes: {}, ops: {} };
/** A graph input of the shape `shape(T)` (its text form given with the symbolic T). */
function input(name: string, text: string, shape: (T: number) => number[]): string {
  built.inputs.push(`%${name}: f32${text}`);
  built.shapes[name] = shape;
  return `%${name}`;
}

const convCase = fc.record({
  rank: fc.constantFrom(1, 2), Cg: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 2 }), Mg: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }),
  p0: fc.integer({ min: 0, max: 2 }), p1: fc.integer({ min: 0, max: 2 }), bias: fc.constantFrom("none", "runtime", "const"),
  wConst: fc.boolean(), relu: fc.boolean(),
});
fc.sample(convCase, { seed: 11, numRuns: 8 }).forEach((c, i) => {
  const C = c.Cg * c.group, M = c.Mg * c.group;
  const wConst = c.wConst && c.bias === "runtime";
  const spatialText = c.rank === 1 ? "[1," + C + ",T]" : `[1,${C},5,T]`;
  const x = input(`cx${i}`, spatialText, (T) => (c.rank === 1 ? [1, C, T] : [1, C, 5, T]));
  const kern = c.rank === 1 ? [c.k] : [2, c.k];
  const wShape = [M, c.Cg, ...kern];
  let w: string;
  if (wConst) { built.lines.push(constLine(`cw${i}`, rand(wShape))); w = `%cw${i}`; } else w = input(`cw${i}`, list(wShape), () => wShape);
  let b = "";
  if (c.bias === "runtime") b = `, ${input(`cb${i}`, `[${M}]`, () => [M])}`;
  if (c.bias === "const") { built.lines.push(constLine(`cb${i}`, rand([M]))); b = `, %cb${i}`; }
  const r = kern.length;
  const attrs = [`group=${c.group}`, `strides=${list(new Array(r).fill(c.s))}`, `dilations=${list(new Array(r).fill(c.d))}`,
    `pads=${list([...new Array(r).fill(c.p0), ...new Array(r).fill(c.p1)])}`, ...(c.relu ? [`activation="Relu"`] : [])];
  built.lines.push(`  %conv${i} = Conv(${x}, ${w}${b}) {${attrs.join(", ")}}`);
  built.outputs.push(`conv${i}`);
  built.ops[`conv${i}`] = "ConvIm2colMatMul";
});

const gemmCase = fc.record({
  K: fc.integer({ min: 1, max: 20 }), N: fc.integer({ min: 1, max: 19 }), transA: fc.boolean(), transB: fc.boolean(),
  alpha: fc.constantFrom(1, 0.5, -2), beta: fc.constantFrom(1, 0.25), c: fc.constantFrom("none", "scalar", "row", "col", "full"),
});
fc.sample(gemmCase, { seed: 12, numRuns: 8 }).forEach((c, i) => {
  // A is [T, K] (or [K, T] transposed): the rows come from the symbolic length.
  const a = c.transA ? input(`ga${i}`, `[${c.K},T]`, (T) => [c.K, T]) : input(`ga${i}`, `[T,${c.K}]`, (T) => [T, c.K]);
  const bShape = c.transB ? [c.N, c.K] : [c.K, c.N];
  const b = input(`gb${i}`, list(bShape), () => bShape);
  const cShape: Record<string, [string, (T: number) => number[]]> = {
    scalar: ["[1]", () => [1]], row: [`[${c.N}]`, () => [c.N]], col: ["[T,1]", (T) => [T, 1]], full: [`[T,${c.N}]`, (T) => [T, c.N]],
  };
  const cIn = c.c === "none" ? "" : `, ${input(`gc${i}`, cShape[c.c]![0], cShape[c.c]![1])}`;
  built.lines.push(`  %gemm${i} = Gemm(${a}, ${b}${cIn}) {alpha=${c.alpha}, beta=${c.beta}, transA=${c.transA ? 1 : 0}, transB=${c.transB ? 1 : 0}}`);
  built.outputs.push(`gemm${i}`);
  built.ops[`gemm${i}`] = "GemmMatMul";
});

const transposeCase = fc.record({
  rank: fc.constantFrom(1, 2), Cg: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 2 }), Mg: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }),
  p0: fc.integer({ min: 0, max: 2 }), p1: fc.integer({ min: 0, max: 2 }), outPad: fc.integer({ min: 0, max: 2 }),
  form: fc.constantFrom("pads", "same_upper", "same_lower", "output_shape"), wConst: fc.boolean(), bias: fc.boolean(), leaky: fc.boolean(),
});
fc.sample(transposeCase, { seed: 13, numRuns: 10 }).forEach((c, i) => {
  const C = c.Cg * c.group, M = c.Mg * c.group;
  const kern = c.rank === 1 ? [c.k] : [2, c.k];
  const r = kern.length;
  // output_shape needs a static input length; the others take the symbolic T.
  const staticLen = c.form === "output_shape";
  const len = staticLen ? "6" : "T";
  const x = input(`tx${i}`, c.rank === 1 ? `[1,${C},${len}]` : `[1,${C},3,${len}]`, (T) => {
    const L = staticLen ? 6 : T;
    return c.rank === 1 ? [1, C, L] : [1, C, 3, L];
  });
  const wShape = [C, c.Mg, ...kern];
  let w: string;
  if (c.wConst) { built.lines.push(constLine(`tw${i}`, rand(wShape))); w = `%tw${i}`; } else w = input(`tw${i}`, list(wShape), () => wShape);
  let b = "";
  if (c.bias) { built.lines.push(constLine(`tb${i}`, rand([M]))); b = `, %tb${i}`; }
  // output_padding must be below the stride or the dilation.
  const op = Math.min(c.outPad, Math.max(c.s, c.d) - 1);
  const attrs = [`group=${c.group}`, `strides=${list(new Array(r).fill(c.s))}`, `dilations=${list(new Array(r).fill(c.d))}`, `output_padding=${list(new Array(r).fill(op))}`];
  if (c.form === "pads") attrs.push(`pads=${list([...new Array(r).fill(c.p0), ...new Array(r).fill(c.p1)])}`);
  if (c.form === "same_upper") attrs.push(`auto_pad="SAME_UPPER"`);
  if (c.form === "same_lower") attrs.push(`auto_pad="SAME_LOWER"`);
  if (c.form === "output_shape") {
    const full = (inp: number, k: number) => c.s * (inp - 1) + op + c.d * (k - 1) + 1;
    const want = (inp: number, k: number) => Math.max(1, full(inp, k) - c.p0 - c.p1);
    attrs.push(`output_shape=${list(c.rank === 1 ? [want(6, c.k)] : [want(3, 2), want(6, c.k)])}`);
  }
  if (c.leaky) attrs.push(`activation="LeakyRelu"`, `activation_params=[0.1]`);
  built.lines.push(`  %ct${i} = ConvTranspose(${x}, ${w}${b}) {${attrs.join(", ")}}`);
  built.outputs.push(`ct${i}`);
  built.ops[`ct${i}`] = "ConvTransposeCol2im";
});

const normCase = fc.record({
  op: fc.constantFrom("InstanceNormalization", "GroupNormalization"), G: fc.integer({ min: 1, max: 3 }), Cg: fc.integer({ min: 1, max: 3 }),
  rank: fc.constantFrom(1, 2), perChannel: fc.boolean(), runtime: fc.boolean(), eps: fc.constantFrom(1e-5, 0.01),
});
fc.sample(normCase, { seed: 14, numRuns: 6 }).forEach((c, i) => {
  const C = c.G * c.Cg;
  const x = input(`nx${i}`, c.rank === 1 ? `[2,${C},T]` : `[1,${C},3,T]`, (T) => (c.rank === 1 ? [2, C, T] : [1, C, 3, T]));
  const pLen = c.op === "GroupNormalization" && !c.perChannel ? c.G : C;
  const param = (n: string) => {
    if (c.runtime) return input(n, `[${pLen}]`, () => [pLen]);
    built.lines.push(constLine(n, rand([pLen])));
    return `%${n}`;
  };
  const [s, b] = [param(`ns${i}`), param(`nb${i}`)];
  const attrs = c.op === "GroupNormalization" ? `{num_groups=${c.G}, epsilon=${c.eps}, per_channel=${c.perChannel ? 1 : 0}}` : `{epsilon=${c.eps}}`;
  built.lines.push(`  %norm${i} = ${c.op}(${x}, ${s}, ${b}) ${attrs}`);
  built.outputs.push(`norm${i}`);
  built.ops[`norm${i}`] = c.op;
});

const g = parseGraph(`graph @g(${built.inputs.join(", ")}) -> (${built.outputs.map((o) => `%${o}`).join(", ")}) {\n${built.lines.join("\n")}\n}`);

describe("run-time-weight Conv and Gemm, ConvTranspose, Instance/GroupNormalization in C", () => {
  it("lower gives each node the algorithm meant for it", () => {
    const out = runPass(g, lower, {}, { target: getTarget("aarch64") });
    const ops = Object.fromEntries(out.nodes.filter((n) => built.outputs.includes(n.outputs[0]!)).map((n) => [n.outputs[0], n.op]));
    expect(ops).toEqual(built.ops);
  });

  itOnRigs(ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod"), (target, rig) => {
    const sets = [7, 12].map((T) => Object.fromEntries(Object.entries(built.shapes).map(([name, shape]) => [name, rand(shape(T))])));
    checkGraph(g, target, rig, sets, { maxDims: { T: 12 }, tol: 1e-5 });
  });
});
