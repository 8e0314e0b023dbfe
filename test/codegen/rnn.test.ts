// The recurrent kernels in C against the interpreter: the float RNN (rnn.ts) in every activation
// and direction, and the frame all recurrent kernels share (rnn-frame.ts, rnn-weights.ts): layout
// 1, sequence_lens (empty sequences included), initial states, weights, biases and peepholes that
// are graph inputs (packed at run time), and a symbolic batch N, for RNN, GRU, LSTM and their
// hybrid forms. Fixed small layers on c99, aarch64 (SIMDe, qemu) and armv7 (qemu); random sizes
// and forms (fast-check) on c99. Outputs within 1e-4 of the reference's largest magnitude.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../codegen/emit-model.js";
import "../../codegen/kernels/index.js";
import { getTarget } from "../../ir/target.js";
import { ALL_RIGS, checkGraph, itOnRigs, rigOrSkip } from "./helpers.js";
import { recurrentGraph, type LayerSpec, type RecurrentOp } from "./recurrent-layers.js";

/** Float kernels: dot products do not apply, so every rig but aarch64+dotprod. */
const RIGS = ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod");

const base = { B: 2, dir: "forward", layout: 0, lens: false, initial: false, runtime: false, hybrid: false } as const;

// H = 5 and 9 leave vector tails; 40 fills more than one NEON block of the recurrent product.
const FLOAT_RNNS: LayerSpec[] = [
  { ...base, op: "RNN", I: 4, H: 9, initial: true },
  { ...base, op: "RNN", I: 3, H: 5, dir: "reverse", attrs: `activations=["Relu"], clip=0.9` },
  { ...base, op: "RNN", I: 6, H: 40, dir: "bidirectional", attrs: `activations=["Sigmoid", "HardSigmoid"], activation_alpha=[0.3], activation_beta=[0.4]` },
  { ...base, op: "RNN", I: 5, H: 8, dir: "bidirectional", attrs: `activations=["LeakyRelu", "Softsign"], activation_alpha=[0.1]` },
  { ...base, op: "RNN", I: 5, H: 7, attrs: `activations=["Elu"], activation_alpha=[0.5]` },
  { ...base, op: "RNN", I: 2, H: 6, dir: "reverse", attrs: `activations=["ScaledTanh"], activation_alpha=[0.7], activation_beta=[1.3]` },
  { ...base, op: "RNN", I: 2, H: 4, attrs: `activations=["Affine"], activation_alpha=[0.5], activation_beta=[0.1]` },
  { ...base, op: "RNN", I: 2, H: 4, attrs: `activations=["ThresholdedRelu"], activation_alpha=[0.2]` },
  { ...base, op: "RNN", I: 2, H: 4, attrs: `activations=["Softplus"]` },
];

// The frame: layout 1, lengths, states, run-time weights, on each op.
const FRAME: LayerSpec[] = [
  { ...base, op: "RNN", I: 4, H: 6, B: 3, dir: "bidirectional", layout: 1, lens: true, initial: true, runtime: true },
  { ...base, op: "GRU", I: 5, H: 6, B: 3, dir: "bidirectional", layout: 1, lens: true, initial: true, runtime: true },
  { ...base, op: "GRU", I: 3, H: 5, B: 2, dir: "reverse", lens: true, runtime: true, attrs: "linear_before_reset=1" },
  { ...base, op: "LSTM", I: 5, H: 6, B: 3, dir: "bidirectional", layout: 1, lens: true, initial: true, runtime: true, peepholes: true },
  { ...base, op: "LSTM", I: 4, H: 5, B: 2, dir: "reverse", layout: 1, initial: true },
  { ...base, op: "RNN", I: 4, H: 6, B: 3, dir: "bidirectional", layout: 1, lens: true, initial: true, hybrid: true },
  { ...base, op: "GRU", I: 5, H: 6, B: 3, dir: "reverse", layout: 1, lens: true, initial: true, hybrid: true },
  { ...base, op: "LSTM", I: 5, H: 6, B: 3, dir: "bidirectional", lens: true, initial: true, hybrid: true },
];

// A symbolic batch: every op, float and hybrid.
const SYMBOLIC: LayerSpec[] = (["RNN", "GRU", "LSTM"] as RecurrentOp[]).flatMap((op) => [
  { ...base, op, I: 4, H: 5, B: "N" as const, dir: "bidirectional" as const, initial: true },
  { ...base, op, I: 3, H: 6, B: "N" as const, layout: 1 as const, lens: true, hybrid: true },
]);

describe("the float RNN in C: every activation and direction, T = 7 and 3", () => {
  const { g, sets } = recurrentGraph(FLOAT_RNNS, 11);
  const inputs = sets([{ T: 7 }, { T: 3 }]);
  itOnRigs(RIGS, (target, rig) => {
    const { worst, model } = checkGraph(g, target, rig, inputs, { maxDims: { T: 7 } });
    expect(model.files["model.c"]).toMatch(/neonc_gemv_f32\(/);
    console.log(`float RNN layers ${target}/${rig.mode}: worst error ${worst.toExponential(2)} of max |ref|`);
  });
});

describe("the recurrent frame in C: layout 1, sequence_lens, states, run-time weights (float and hybrid)", () => {
  const { g, sets } = recurrentGraph(FRAME, 12);
  const inputs = sets([{ T: 6 }, { T: 2 }]);
  itOnRigs(RIGS, (target, rig) => {
    const { worst, model } = checkGraph(g, target, rig, inputs, { maxDims: { T: 6 } });
    expect(model.files["model.c"]).toMatch(/neonc_rnn_pack_gemv_f32\(/);
    console.log(`recurrent frame ${target}/${rig.mode}: worst error ${worst.toExponential(2)} of max |ref|`);
  });
});

describe("recurrent layers with a symbolic batch N", () => {
  const { g, sets } = recurrentGraph(SYMBOLIC, 13);
  const inputs = sets([{ T: 5, N: 3 }, { T: 2, N: 1 }]);
  itOnRigs(RIGS, (target, rig) => {
    const { worst } = checkGraph(g, target, rig, inputs, { maxDims: { T: 5, N: 3 } });
    console.log(`symbolic batch ${target}/${rig.mode}: worst error ${worst.toExponential(2)} of max |ref|`);
  });
  it("the arena is sized for the largest N and T together", () => {
    const small = compileGraph(g, { target: getTarget("c99"), maxDims: { T: 5, N: 1 } });
    const large = compileGraph(g, { target: getTarget("c99"), maxDims: { T: 5, N: 3 } });
    expect(large.arenaBytes).toBeGreaterThan(small.arenaBytes);
  });
});

describe("recurrent layers of random sizes and forms (fast-check)", () => {
  it("c99 native matches the interpreter within the float tolerance", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const spec = fc.record({
      op: fc.constantFrom<RecurrentOp>("RNN", "GRU", "LSTM"),
      I: fc.integer({ min: 1, max: 19 }), H: fc.integer({ min: 1, max: 37 }),
      B: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant<"N">("N")),
      dir: fc.constantFrom<LayerSpec["dir"]>("forward", "reverse", "bidirectional"),
      layout: fc.constantFrom<0 | 1>(0, 1), lens: fc.boolean(), initial: fc.boolean(), runtime: fc.boolean(), hybrid: fc.boolean(),
    }).map((s): LayerSpec => ({ ...s, runtime: s.runtime && !s.hybrid, peepholes: s.op === "LSTM" && !s.hybrid && s.initial }));
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (specs, T, N, seed) => {
      const { g, sets } = recurrentGraph(specs, seed);
      checkGraph(g, "c99", rig, sets([{ T, N }]), { maxDims: { T, N }, label: JSON.stringify(specs) });
    }), { numRuns: 6 });
  }, 120_000);
});
