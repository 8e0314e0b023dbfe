// The C kernels on small graphs that cover their variants (conv strides, dilations, pads,
// groups, depthwise, pointwise with odd channel counts, 2-D; broadcasting; softmax axes; MatMul
// and Gemm; bidirectional LSTM with states, peepholes and clip; views as graph outputs), each
// compared with the interpreter on c99 (native), aarch64 (SIMDe) and armv7 (qemu). Also: the
// generated files are deterministic, and a sanitizer build runs clean.
import { describe, expect, it } from "vitest";
import type { Graph } from "../../ir/graph.js";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import "../../ir/ops/index.js";
import { inputSymbols, randomInputs, Rng } from "../../src/testing/index.js";
import { checkGraph, itOnRigs, rigOrSkip } from "./helpers.js";

/** `%name = const f32[shape] [...]` with seeded values. */
function c(name: string, shape: number[], seed: number, scale = 0.5): string {
  const vals = new Rng(seed).uniforms(shape.reduce((a, b) => a * b, 1), -scale, scale).map((v) => v.toFixed(4));
  return `  %${name} = const f32[${shape.join(",")}] [${vals.join(", ")}]`;
}

function inputsFor(g: Graph, T: number, seed: number): Record<string, Tensor> {
  const dims = Object.fromEntries(inputSymbols(g).map((s) => [s, T]));
  return randomInputs(g, new Rng(seed), dims, { values: { min: -1, max: 1 } });
}

const GRAPHS: Record<string, string> = {
  "grouped strided dilated conv, bias, Relu, broadcast Add, LogSoftmax": `
graph @g(%x: f32[1,6,T]) -> (%y) {
${c("w", [8, 3, 5], 1)}
${c("b", [8], 2)}
${c("k", [8, 1], 3)}
  %a = Conv(%x, %w, %b) {kernel_shape=[5], strides=[2], dilations=[2], pads=[3, 1], group=2, activation="Relu"}
  %s = Add(%a, %k)
  %y = LogSoftmax(%s) {axis=1}
}`,
  "depthwise stride 1 and 2, Clip, Softmax on the last axis": `
graph @g(%x: f32[1,8,T]) -> (%y) {
${c("w1", [8, 1, 7], 4)}
${c("b1", [8], 5)}
${c("w2", [8, 1, 5], 6)}
  %a = Conv(%x, %w1, %b1) {kernel_shape=[7], pads=[3, 3], group=8, activation="Clip", activation_params=[-0.5, 0.75]}
  %d = Conv(%a, %w2) {kernel_shape=[5], strides=[2], pads=[2, 2], group=8}
  %y = Softmax(%d) {axis=-1}
}`,
  "pointwise with 10 outputs, LeakyRelu, Mul, Sub of a scalar, Sigmoid, Tanh, Exp, Erf": `
graph @g(%x: f32[1,12,T]) -> (%y, %z, %e, %f) {
${c("w", [10, 12, 1], 7)}
${c("one", [1], 8)}
  %p = Conv(%x, %w) {kernel_shape=[1], activation="LeakyRelu", activation_params=[0.1]}
  %m = Mul(%p, %p)
  %s = Sub(%m, %one)
  %y = Sigmoid(%s)
  %z = Tanh(%s)
  %n = Neg(%m)
  %e = Exp(%n)
  %f = Erf(%s)
}`,
  "2-D conv with strides and pads, then Relu": `
graph @g(%x: f32[1,3,6,T]) -> (%y) {
${c("w", [5, 3, 3, 3], 9)}
${c("b", [5], 10)}
  %a = Conv(%x, %w, %b) {kernel_shape=[3, 3], strides=[1, 2], pads=[1, 1, 1, 1]}
  %y = Relu(%a)
}`,
  "bidirectional LSTM with states, peepholes and clip, then MatMul with a fused Relu": `
graph @g(%x: f32[T,2,3]) -> (%out, %yh, %yc) {
${c("w", [2, 20, 3], 11)}
${c("r", [2, 20, 5], 12)}
${c("b", [2, 40], 13)}
${c("h0", [2, 2, 5], 14)}
${c("c0", [2, 2, 5], 15)}
${c("p", [2, 15], 16)}
${c("fc", [5, 3], 17)}
  %y, %yh, %yc = LSTM(%x, %w, %r, %b, _, %h0, %c0, %p) {hidden_size=5, direction="bidirectional", clip=2.5}
  %out = MatMul(%y, %fc) {activation="Relu"}
}`,
  "Gemm with transB, alpha, beta and a row bias; views as outputs": `
graph @g(%x: f32[4,6]) -> (%y, %v, %x2) {
${c("w", [5, 6], 18)}
${c("cb", [5], 19)}
  %y = Gemm(%x, %w, %cb) {transB=1, alpha=0.5, beta=2.0}
  %v = Reshape(%y) {shape=[20]}
  %x2 = Identity(%x)
}`,
};

const RIGS: [string, "native" | "simde" | "qemu"][] = [["c99", "native"], ["aarch64", "simde"], ["armv7", "qemu"]];

describe("C kernels against the interpreter", () => {
  for (const [title, text] of Object.entries(GRAPHS)) {
    describe(title, () => {
      const g = parseGraph(text);
      const sets = [inputsFor(g, 13, 1), inputsFor(g, 6, 2)];
      itOnRigs(RIGS, (target, rig) => checkGraph(g, target, rig, sets, { maxDims: { T: 16 } }));
    });
  }

  it("refuses lengths above the compile-time maximum", (ctx) => {
    const g = parseGraph(GRAPHS["depthwise stride 1 and 2, Clip, Softmax on the last axis"]!);
    const rig = rigOrSkip(ctx, "c99", "native");
    expect(() => checkGraph(g, "c99", rig, [inputsFor(g, 17, 1)], { maxDims: { T: 16 } })).toThrow(/failed with code 1/);
  });
});

describe("generated files", () => {
  it("are byte-identical for the same model and options", () => {
    const text = GRAPHS["bidirectional LSTM with states, peepholes and clip, then MatMul with a fused Relu"]!;
    const a = compileGraph(parseGraph(text), { target: getTarget("aarch64"), maxDims: { T: 50 } });
    const b = compileGraph(parseGraph(text), { target: getTarget("aarch64"), maxDims: { T: 50 } });
    expect(b.files).toEqual(a.files);
  });

  it("need --max-dim for symbolic dims", () => {
    expect(() => compileGraph(parseGraph(GRAPHS["2-D conv with strides and pads, then Relu"]!), { target: getTarget("c99") })).toThrow(/--max-dim T=N/);
  });
});

describe("sanitizers", () => {
  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => {
    const flags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"];
    for (const key of ["grouped strided dilated conv, bias, Relu, broadcast Add, LogSoftmax", "depthwise stride 1 and 2, Clip, Softmax on the last axis", "bidirectional LSTM with states, peepholes and clip, then MatMul with a fused Relu"]) {
      const g = parseGraph(GRAPHS[key]!);
      checkGraph(g, target, rig, [inputsFor(g, 16, 3), inputsFor(g, 5, 4)], { maxDims: { T: 16 }, build: { extraFlags: flags } });
    }
  }, "run the kernel graphs clean under -fsanitize=address,undefined on");
});
