// HybridLSTM, HybridGRU and HybridRNN in C (codegen/kernels/hybrid-*.ts) against the interpreter.
// The C multiplies int8 weights by float activations and scales each gate row after the sum,
// where the interpreter dequantizes the weights first: not bit-exact, so outputs are compared
// within the float tolerance of the code generator (max |C - ref| <= 1e-4 * max |ref|) on c99
// (native), aarch64 (SIMDe and qemu) and armv7 (qemu).
//
// lstm_encoder from ../shared after -O1 + calibration + quantization (both LSTMs become
// HybridLSTM) on test_data_set_1 (T = 192): besides the numbers, weights.c must hold W and R as
// int8 (about a quarter of the float model's weight bytes) and the code must not dequantize them
// into the arena (its arena is no larger than the float model's). Small graphs cover every
// direction and attribute form of the three ops, and `supports` says why a form is refused.
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { readTensorFile } from "../../src/adapters/onnx/tensor.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import { calibrate } from "../../src/analyses/calibration/calibrate.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { compareTensors, buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph, type CompiledModel } from "../../codegen/emit-model.js";
import { findKernel } from "../../codegen/kernel.js";
import "../../codegen/kernels/index.js";
import { getTarget } from "../../ir/target.js";
import { sharedPath } from "../helpers/shared.js";
import { ALL_RIGS, checkGraph, itOnRigs, rigOrSkip } from "./helpers.js";
import { parseGraph, formatTensor } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { getOp } from "../../ir/registry.js";
import { resolveAttrs } from "../../ir/op.js";
import { Rng } from "../../src/testing/rng.js";

/** Float kernels: dot products do not apply, so every rig but aarch64+dotprod. */
const RIGS = ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod");

/** Bytes of the weights.c arrays of each C element type (from the declarations in weights.h). */
function weightBytesByType(m: CompiledModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, bytes, type] of m.files["weights.h"]!.matchAll(/unsigned char bytes\[(\d+)\]; (\w+) v\[/g)) {
    out[type!] = (out[type!] ?? 0) + Number(bytes);
  }
  return out;
}

const dir = sharedPath("models/lstm_encoder");

/** lstm_encoder after -O1 and int8 (HybridLSTM) with its reference on test_data_set_1, made once for the tests below. */
interface Encoder {
  readonly g: Graph;
  readonly q0: Graph;
  readonly q: Graph;
  readonly hybrids: readonly Node[];
  readonly ys: readonly string[];
  readonly set: Record<string, Tensor>;
  readonly ref: Record<string, Tensor>;
  readonly maxDims: Record<string, number>;
}
let encoder: Encoder | undefined;
function loadEncoder(D: string): Encoder {
  if (encoder) return encoder;
  const g = runPipeline(importOnnxFile(path.join(D, "model.onnx")), "-O1");
  const input = (set: string) => ({ [g.inputs[0]!]: readTensorFile(path.join(D, set, "input_0.pb")).tensor });
  const q0 = quantizeGraph(g, calibrate(g, [input("test_data_set_0")]).ranges);
  const hybrids = q0.nodes.filter((n) => n.op === "HybridLSTM");
  expect(hybrids.length).toBe(2);
  // Every HybridLSTM's Y is checked directly, besides the graph output that follows it.
  const ys = hybrids.map((n) => n.outputs[0]!).filter((y) => !q0.outputs.includes(y));
  const q = { ...q0, outputs: [...q0.outputs, ...ys] };
  const set = input("test_data_set_1");
  const T = set[g.inputs[0]!]!.shape[0]!;
  expect(T).toBe(192);
  const sym = q.types[q.inputs[0]!]!.shape[0]!;
  expect(typeof sym).not.toBe("number");
  const name = (sym as unknown as { terms: { atom: { name: string } }[] }).terms[0]!.atom.name;
  encoder = { g, q0, q, hybrids, ys, set, ref: runGraph(q, set), maxDims: { [name]: T } };
  return encoder;
}

describe.runIf(dir !== undefined)("HybridLSTM in C matches the interpreter (lstm_encoder, int8 weights)", () => {
  itOnRigs(RIGS, (target, rig) => {
    const { g, q0, q, hybrids, ys, set, ref, maxDims } = loadEncoder(dir!);
    const mode = rig.mode;
    // The float LSTM outputs feed a Quantize: a difference of 1e-7 can move a value across a
    // rounding boundary, so the int8 tail may differ by a step; the graph output gets 2 steps.
    const step = (o: string) => {
      const dq = q.nodes.find((n) => n.outputs[0] === o && n.op === "Dequantize");
      return dq ? (dq.attrs.scale as number) : 0;
    };

    // Weights: W and R as int8 bytes, about a quarter of the float model's weights.
    const wrBytes = hybrids.reduce((s, n) => s + q.constants[n.inputs[1]!]!.data.length + q.constants[n.inputs[2]!]!.data.length, 0);
    const floatModel = compileGraph(g, { target: getTarget("c99"), maxDims });
    const model = compileGraph(q, { target: getTarget(target), maxDims });
    const src = model.files["model.c"]!;
    expect(src).toMatch(/neonc_hgemm_i8f32_\d+x\d+\(/);
    // No dequantization pass over the weights (the former kernel's helper) in the code.
    expect(src).not.toMatch(/neonc_dequant/);
    const bytes = weightBytesByType(model);
    expect(bytes.int8_t ?? 0, `${target}: int8 weight bytes`).toBeGreaterThanOrEqual(wrBytes);
    // Float arrays are only scales, biases and the like: a few percent of the int8 weights.
    expect(bytes.float ?? 0, `${target}: float weight bytes`).toBeLessThan(0.05 * wrBytes);
    expect(model.weightBytes / floatModel.weightBytes).toBeLessThan(0.27);
    // No dequantized copy of W or R in the arena: the float model needs at least as much.
    if (target === "c99") expect(model.arenaBytes).toBeLessThanOrEqual(floatModel.arenaBytes);

    const build = buildModel(model, rig);
    const got = runBuild(model, build, set).outputs;
    let worst = 0;
    for (const o of ys) {
      const c = compareTensors(got[o]!, ref[o]!);
      worst = Math.max(worst, c.rel);
      expect(c.rel, `${target}/${mode} ${o}: max abs error ${c.maxAbs} vs max |ref| ${c.maxRef}`).toBeLessThanOrEqual(1e-4);
    }
    for (const o of q0.outputs) {
      const c = compareTensors(got[o]!, ref[o]!);
      expect(c.maxAbs, `${target}/${mode} ${o}: max abs error ${c.maxAbs}, quantization step ${step(o)}`).toBeLessThanOrEqual(2 * step(o) * (1 + 1e-6));
    }
    console.log(`HybridLSTM ${target}/${mode}: Y error ${worst.toExponential(2)} of max |ref|; weights ${model.weightBytes} bytes (float model ${floatModel.weightBytes}, ratio ${(model.weightBytes / floatModel.weightBytes).toFixed(3)}); arena ${model.arenaBytes} (float ${floatModel.arenaBytes})`);
  }, "test_data_set_1, int8 weights.c and no dequantization, on");
});

// Small hybrid layers in every form: GRU forward / bidirectional with linear_before_reset and
// initial_h / reverse with clip; LSTM bidirectional with peepholes and initial states, reverse
// with clip and input_forget; RNN forward (Tanh), reverse (Relu, clip), bidirectional (Sigmoid
// one way, HardSigmoid the other) and LeakyRelu / Softsign forms. Hidden sizes 5, 6 and 8 exercise
// the vector tails and blocks with padded rows; batch 2 with T = 7 and 3 makes 14 and 6
// projection rows, a whole 4-row tile and a remainder.
const rng = new Rng(77);
const q8 = (shape: number[]): Tensor => {
  const t = makeTensor("i8", shape);
  const d = t.data as Int8Array;
  for (let i = 0; i < d.length; i++) d[i] = Math.round(rng.uniform(-127, 127));
  return t;
};
const f32 = (shape: number[], lo: number, hi: number): Tensor => {
  const t = makeTensor("f32", shape);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(lo, hi);
  return t;
};
const scales = (n: number) => `[${Array.from({ length: n }, () => (rng.uniform(0.5, 1.5) / 127 * 0.6).toPrecision(6)).join(", ")}]`;
const K = (name: string, t: Tensor) => `  %${name} = const ${formatTensor(t)}`;
const SMALL = `graph @hybrid_small(%x: f32[T,2,5]) -> (%gy, %gh, %gy2, %gh2, %gy3, %ly, %lh, %lc, %ly2, %ry, %rh, %ry2, %ry3, %rh3, %ry4) {
${K("W", q8([1, 18, 5]))}
${K("R", q8([1, 18, 6]))}
${K("B", f32([1, 36], -0.3, 0.3))}
${K("W2", q8([2, 24, 5]))}
${K("R2", q8([2, 24, 8]))}
${K("B2", f32([2, 48], -0.3, 0.3))}
${K("h0", f32([2, 2, 8], -1, 1))}
${K("LW", q8([2, 24, 5]))}
${K("LR", q8([2, 24, 6]))}
${K("LB", f32([2, 48], -0.3, 0.3))}
${K("LP", f32([2, 18], -0.5, 0.5))}
${K("lh0", f32([2, 2, 6], -1, 1))}
${K("lc0", f32([2, 2, 6], -1, 1))}
${K("LW1", q8([1, 24, 5]))}
${K("LR1", q8([1, 24, 6]))}
${K("RW", q8([2, 5, 5]))}
${K("RR", q8([2, 5, 5]))}
${K("RB", f32([2, 10], -0.3, 0.3))}
${K("rh0", f32([2, 2, 5], -1, 1))}
${K("RW1", q8([1, 5, 5]))}
${K("RR1", q8([1, 5, 5]))}
${K("RB1", f32([1, 10], -0.3, 0.3))}
${K("RW8", q8([1, 8, 5]))}
${K("RR8", q8([1, 8, 8]))}
  %gy, %gh = HybridGRU(%x, %W, %R, %B) {hidden_size=6, w_scales=${scales(18)}, r_scales=${scales(18)}}
  %gy2, %gh2 = HybridGRU(%x, %W2, %R2, %B2, _, %h0) {hidden_size=8, direction="bidirectional", linear_before_reset=1, w_scales=${scales(48)}, r_scales=${scales(48)}}
  %gy3, _ = HybridGRU(%x, %W, %R) {hidden_size=6, direction="reverse", clip=0.8, w_scales=${scales(18)}, r_scales=${scales(18)}}
  %ly, %lh, %lc = HybridLSTM(%x, %LW, %LR, %LB, _, %lh0, %lc0, %LP) {hidden_size=6, direction="bidirectional", w_scales=${scales(48)}, r_scales=${scales(48)}}
  %ly2, _, _ = HybridLSTM(%x, %LW1, %LR1) {hidden_size=6, direction="reverse", clip=0.7, input_forget=1, w_scales=${scales(24)}, r_scales=${scales(24)}}
  %ry, %rh = HybridRNN(%x, %RW8, %RR8) {hidden_size=8, w_scales=${scales(8)}, r_scales=${scales(8)}}
  %ry2, _ = HybridRNN(%x, %RW1, %RR1, %RB1) {hidden_size=5, direction="reverse", activations=["Relu"], clip=0.9, w_scales=${scales(5)}, r_scales=${scales(5)}}
  %ry3, %rh3 = HybridRNN(%x, %RW, %RR, %RB, _, %rh0) {hidden_size=5, direction="bidirectional", activations=["Sigmoid", "HardSigmoid"], activation_alpha=[0.3], activation_beta=[0.4], w_scales=${scales(10)}, r_scales=${scales(10)}}
  %ry4, _ = HybridRNN(%x, %RW, %RR, %RB) {hidden_size=5, direction="bidirectional", activations=["LeakyRelu", "Softsign"], activation_alpha=[0.1], w_scales=${scales(10)}, r_scales=${scales(10)}}
}`;

describe("HybridGRU, HybridLSTM and HybridRNN in C on small graphs, T = 7 and 3", () => {
  const g = parseGraph(SMALL);
  const sets = [7, 3].map((T) => ({ x: f32([T, 2, 5], -1.5, 1.5) }));
  const refs = sets.map((set) => runGraph(g, set));
  itOnRigs(RIGS, (target, rig) => {
    const { worst } = checkGraph(g, target, rig, sets, { expected: refs, maxDims: { T: 7 } });
    console.log(`small hybrid graphs ${target}/${rig.mode}: worst error ${worst.toExponential(2)} of max |ref|`);
  });
});

// Random sizes: every tile remainder (rows of X not a multiple of 4, gate rows not a multiple of
// the block, H below one vector) for the three ops in one graph, on c99 (one build per case).
describe("hybrid recurrent layers of random sizes (fast-check)", () => {
  it("c99 native matches the interpreter within the float tolerance", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const sizes = fc.record({
      I: fc.integer({ min: 1, max: 37 }), H: fc.integer({ min: 1, max: 21 }), B: fc.integer({ min: 1, max: 3 }),
      T: fc.integer({ min: 1, max: 6 }), dir: fc.constantFrom("forward", "reverse", "bidirectional"), seed: fc.integer(),
    });
    fc.assert(fc.property(sizes, ({ I, H, B, T, dir, seed }) => {
      const r = new Rng(seed);
      const D = dir === "bidirectional" ? 2 : 1;
      const q = (shape: number[]) => { const t = makeTensor("i8", shape); (t.data as Int8Array).forEach((_, i, d) => { d[i] = r.int(-127, 127); }); return t; };
      const f = (shape: number[]) => { const t = makeTensor("f32", shape); (t.data as Float32Array).forEach((_, i, d) => { d[i] = r.uniform(-0.5, 0.5); }); return t; };
      const sc = (n: number) => `[${Array.from({ length: n }, () => (r.uniform(0.2, 1) / 127).toPrecision(6)).join(", ")}]`;
      const layer = (op: string, gates: number, out: string) => {
        const G = gates * H;
        return [`  %${out}W = const ${formatTensor(q([D, G, I]))}`, `  %${out}R = const ${formatTensor(q([D, G, H]))}`,
          `  %${out}B = const ${formatTensor(f([D, 2 * G]))}`,
          `  %${out}, _ = ${op}(%x, %${out}W, %${out}R, %${out}B) {hidden_size=${H}, direction="${dir}", w_scales=${sc(D * G)}, r_scales=${sc(D * G)}}`];
      };
      const g = parseGraph(`graph @random(%x: f32[T,${B},${I}]) -> (%l, %g, %r) {
${[...layer("HybridLSTM", 4, "l"), ...layer("HybridGRU", 3, "g"), ...layer("HybridRNN", 1, "r")].join("\n")}
}`);
      checkGraph(g, "c99", rig, [{ x: f([T, B, I]) }], { maxDims: { T }, label: `(I=${I} H=${H} B=${B} T=${T} ${dir})` });
    }), { numRuns: 5 });
  }, 60_000);
});

describe("hybrid recurrent kernels refuse what the C code does not handle, saying why", () => {
  const GATES = { HybridLSTM: 4, HybridGRU: 3, HybridRNN: 1 } as const;
  type HybridOp = keyof typeof GATES;
  const graph = (op: HybridOp, extra = "", o: { inputs?: string; wScales?: number } = {}): Graph => {
    const G = 6 * GATES[op];
    return parseGraph(`graph @g(%x: f32[T,2,5], %s: i32[2], %Wi: i8[1,${G},5]) -> (%y) {
${K("W", q8([1, G, 5]))}
${K("R", q8([1, G, 6]))}
  %y = ${op}(${o.inputs ?? "%x, %W, %R"}) {hidden_size=6, w_scales=${scales(o.wScales ?? G)}, r_scales=${scales(G)}${extra}}
}`);
  };
  const why = (g: Graph): string | undefined => {
    const n = g.nodes[0]!;
    return findKernel(n.op)!.supports!(n, resolveAttrs(getOp(n.op), n.attrs) as Attrs, g);
  };
  it("accepts the supported forms", () => {
    for (const op of Object.keys(GATES) as HybridOp[]) {
      expect(why(graph(op)), op).toBeUndefined();
      expect(why(graph(op, `, direction="reverse", clip=1.5`)), op).toBeUndefined();
    }
    expect(why(graph("HybridRNN", `, activations=["Elu"], activation_alpha=[0.5]`))).toBeUndefined();
    // The shared frame (rnn-frame.ts) handles lengths and layout 1; test/codegen/rnn.test.ts runs them.
    expect(why(graph("HybridRNN", "", { inputs: "%x, %W, %R, _, %s" }))).toBeUndefined();
    expect(why(graph("HybridGRU", ", layout=1"))).toBeUndefined();
  });
  it("gives one reason naming the attribute or input", () => {
    expect(why(graph("HybridLSTM", `, activations=["Relu", "Tanh", "Tanh"]`))).toBe("only the default activations (Sigmoid, Tanh, Tanh) are generated");
    expect(why(graph("HybridGRU", `, activations=["Sigmoid", "Relu"]`))).toBe("only the default activations (Sigmoid, Tanh) are generated");
    expect(why(graph("HybridLSTM", "", { wScales: 3 }))).toBe("w_scales has 3 values, W and R need one per gate row (24)");
    expect(why(graph("HybridRNN", "", { inputs: "%x, %Wi, %R" }))).toBe("input W must be constant");
    expect(() => compileGraph(graph("HybridGRU", `, activations=["Sigmoid", "Relu"]`), { target: getTarget("c99"), maxDims: { T: 4 } }))
      .toThrow(/HybridGRU \(node \w+\): only the default activations \(Sigmoid, Tanh\) are generated/);
  });
});
