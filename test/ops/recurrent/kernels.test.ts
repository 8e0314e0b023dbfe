// LSTM, GRU and RNN kernels against the step-by-step oracle in naive-rnn.ts: every direction,
// sequence lengths (including 0 and partial), initial states, peepholes, both layouts, clip,
// input_forget, linear_before_reset and every activation function.
import { describe, expect, it } from "vitest";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import type { Tensor } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { maxDiff, naiveRnn, nested, rng, swap01, toTensor, type Act, type NaiveInputs, type NaiveSpec } from "./naive-rnn.js";

const TOL = 2e-6;

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue>, numOutputs: number): Tensor[] {
  const def = getOp(op);
  return def.evaluate(inputs, resolveAttrs(def, attrs), { numOutputs });
}

interface Case {
  spec: NaiveSpec;
  T: number;
  B: number;
  I: number;
  seq?: number[];
  withBias?: boolean;
  withInit?: boolean;
  withPeep?: boolean;
  layout?: 0 | 1;
  attrs?: Record<string, AttrValue>;
  seed: number;
}

/** Random inputs for a case, run through the op and the oracle; returns the worst difference per output. */
function check(c: Case): number[] {
  const { spec, T, B, I } = c;
  const H = spec.H;
  const D = spec.direction === "bidirectional" ? 2 : 1;
  const G = spec.kind === "LSTM" ? 4 : spec.kind === "GRU" ? 3 : 1;
  const r = rng(c.seed);
  const inp: NaiveInputs = {
    X: nested([T, B, I], () => r()),
    W: nested([D, G * H, I], () => r(-0.6, 0.6)),
    R: nested([D, G * H, H], () => r(-0.6, 0.6)),
    Bias: c.withBias ? nested([D, 2 * G * H], () => r(-0.3, 0.3)) : undefined,
    seq: c.seq,
    h0: c.withInit ? nested([D, B, H], () => r()) : undefined,
    c0: c.withInit && spec.kind === "LSTM" ? nested([D, B, H], () => r()) : undefined,
    P: c.withPeep ? nested([D, 3 * H], () => r(-0.5, 0.5)) : undefined,
  };
  const want = naiveRnn(spec, inp);
  const bm = c.layout === 1;
  const state = (s: number[][][] | undefined) => (s ? toTensor(bm ? swap01(s) : s) : undefined);
  const inputs: (Tensor | undefined)[] = [
    toTensor(bm ? swap01(inp.X) : inp.X), toTensor(inp.W), toTensor(inp.R),
    inp.Bias ? toTensor(inp.Bias) : undefined,
    inp.seq ? toTensor(inp.seq, "i32") : undefined,
    state(inp.h0),
  ];
  if (spec.kind === "LSTM") inputs.push(state(inp.c0), inp.P ? toTensor(inp.P) : undefined);
  const nOut = spec.kind === "LSTM" ? 3 : 2;
  const attrs: Record<string, AttrValue> = { hidden_size: H, direction: spec.direction, layout: c.layout ?? 0, ...c.attrs };
  const outs = run(spec.kind, inputs, attrs, nOut);
  // Y is [T,D,B,H] time-major, [B,T,D,H] batch-major; states [D,B,H] or [B,D,H].
  const wantY = bm ? want.Y[0]![0]!.map((_, b) => want.Y.map((yt) => yt.map((yd) => yd[b]!))) : want.Y;
  const diffs = [maxDiff(outs[0]!, wantY), maxDiff(outs[1]!, bm ? swap01(want.Yh) : want.Yh)];
  if (spec.kind === "LSTM") diffs.push(maxDiff(outs[2]!, bm ? swap01(want.Yc) : want.Yc));
  return diffs;
}

const LSTM_ACTS: Act[] = [["Sigmoid"], ["Tanh"], ["Tanh"]];
const GRU_ACTS: Act[] = [["Sigmoid"], ["Tanh"]];

describe("LSTM kernel", () => {
  it("bidirectional with sequence lengths, initial states, peepholes and bias", () => {
    const spec: NaiveSpec = { kind: "LSTM", H: 3, direction: "bidirectional", acts: [LSTM_ACTS, LSTM_ACTS] };
    const d = check({ spec, T: 5, B: 4, I: 2, seq: [5, 3, 0, 1], withBias: true, withInit: true, withPeep: true, seed: 1 });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });

  it("batch-major layout gives the same numbers", () => {
    const spec: NaiveSpec = { kind: "LSTM", H: 4, direction: "bidirectional", acts: [LSTM_ACTS, LSTM_ACTS] };
    const d = check({ spec, T: 4, B: 3, I: 3, seq: [2, 4, 1], withBias: true, withInit: true, withPeep: true, layout: 1, seed: 2 });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });

  it("reverse with input_forget, clip and non-default activations (alpha/beta consumed in order)", () => {
    // HardSigmoid takes alpha 0.3 and beta 0.4; ScaledTanh alpha 1.5 then its beta defaults to 1;
    // LeakyRelu takes no beta, so the list of betas runs out after HardSigmoid's.
    const acts: Act[] = [["HardSigmoid", 0.3, 0.4], ["ScaledTanh", 1.5, 1], ["LeakyRelu", 0.05]];
    const spec: NaiveSpec = { kind: "LSTM", H: 3, direction: "reverse", acts: [acts], clip: 0.7, inputForget: true };
    const d = check({
      spec, T: 4, B: 2, I: 3, seq: [4, 2], withBias: true, withInit: true, seed: 3,
      attrs: {
        activations: ["HardSigmoid", "ScaledTanh", "LeakyRelu"], activation_alpha: [0.3, 1.5, 0.05], activation_beta: [0.4],
        clip: 0.7, input_forget: 1,
      },
    });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });

  it("forward without optional inputs; Y past a sequence's end is zero", () => {
    const spec: NaiveSpec = { kind: "LSTM", H: 5, direction: "forward", acts: [LSTM_ACTS] };
    const d = check({ spec, T: 6, B: 2, I: 4, seq: [6, 2], seed: 4 });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });

  it("an empty sequence leaves zeros in Y, Y_h and Y_c even with initial states", () => {
    const [y, yh, yc] = run("LSTM", [
      toTensor([[[1, 2]]]), toTensor([[[1, 0], [0, 1], [1, 1], [0, 0]]]), toTensor([[[1], [1], [1], [1]]]), undefined,
      toTensor([0], "i32"), toTensor([[[0.5]]]), toTensor([[[0.25]]]),
    ], { hidden_size: 1 }, 3);
    expect([...y!.data, ...yh!.data, ...yc!.data]).toEqual([0, 0, 0]);
  });

  it("only the requested outputs are returned", () => {
    const outs = run("LSTM", [toTensor([[[1]]]), toTensor([[[1], [1], [1], [1]]]), toTensor([[[1], [1], [1], [1]]])], { hidden_size: 1 }, 2);
    expect(outs).toHaveLength(2);
  });
});

describe("GRU kernel", () => {
  for (const lbr of [false, true]) {
    it(`bidirectional, linear_before_reset=${Number(lbr)}, sequence lengths and initial state`, () => {
      const spec: NaiveSpec = { kind: "GRU", H: 4, direction: "bidirectional", acts: [GRU_ACTS, GRU_ACTS], linearBeforeReset: lbr };
      const d = check({ spec, T: 5, B: 3, I: 3, seq: [5, 0, 2], withBias: true, withInit: true, seed: 10 + Number(lbr), attrs: { linear_before_reset: Number(lbr) } });
      for (const v of d) expect(v).toBeLessThan(TOL);
    });
  }

  it("batch-major, reverse, clip and custom activations", () => {
    const acts: Act[] = [["Softsign"], ["Elu", 0.8]];
    const spec: NaiveSpec = { kind: "GRU", H: 3, direction: "reverse", acts: [acts], clip: 0.5, linearBeforeReset: true };
    const d = check({
      spec, T: 4, B: 2, I: 2, seq: [3, 4], withBias: true, withInit: true, layout: 1, seed: 12,
      attrs: { activations: ["Softsign", "Elu"], activation_alpha: [0.8], clip: 0.5, linear_before_reset: 1 },
    });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });
});

describe("RNN kernel", () => {
  const cases: Act[] = [
    ["Tanh"], ["Sigmoid"], ["Relu"], ["HardSigmoid", 0.25, 0.45], ["LeakyRelu", 0.1], ["ThresholdedRelu", 0.2],
    ["ScaledTanh", 0.9, 1.3], ["Affine", 0.7, 0.1], ["Elu", 1.2], ["Softsign"], ["Softplus"],
  ];
  for (const act of cases) {
    it(`${act[0]} in both directions`, () => {
      const spec: NaiveSpec = { kind: "RNN", H: 3, direction: "bidirectional", acts: [[act], [act]] };
      const alphas = act[1] !== undefined ? [act[1], act[1]] : undefined;
      const betas = act[2] !== undefined ? [act[2], act[2]] : undefined;
      const d = check({
        spec, T: 4, B: 2, I: 3, seq: [4, 3], withBias: true, withInit: true, seed: 20,
        attrs: { activations: [act[0], act[0]], ...(alphas ? { activation_alpha: alphas } : {}), ...(betas ? { activation_beta: betas } : {}) },
      });
      for (const v of d) expect(v).toBeLessThan(TOL);
    });
  }

  it("defaults: one activation list for both directions, spec defaults for alpha/beta", () => {
    // ThresholdedRelu defaults to alpha = 1, LeakyRelu to 0.01 (the ONNX operators' defaults).
    const spec: NaiveSpec = { kind: "RNN", H: 4, direction: "bidirectional", acts: [[["ThresholdedRelu", 1]], [["ThresholdedRelu", 1]]] };
    const d = check({ spec, T: 3, B: 2, I: 3, withBias: true, seed: 21, attrs: { activations: ["ThresholdedRelu"] } });
    for (const v of d) expect(v).toBeLessThan(TOL);
  });
});
