// The fast engine against the reference, op by op: on random shapes and attributes, Conv (direct
// depthwise and GEMM paths, 1-D to 3-D), MatMul and Gemm forward, and Conv's, Gemm's and MatMul's
// gradients, give the same bits with the engine on as with it off. Values span several binades
// so that any change in precision or in the order of a sum shows.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { vjpRule } from "../../../src/analyses/autodiff/index.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { sgemm } from "../../../ir/kernels/gemm.js";
import { fastEngineAvailable } from "../../../src/runtime/fast/index.js";
import { wasmKernels } from "../../../src/runtime/fast/kernels.js";
import { nativeKernels, nativeUnavailableReason } from "../../../src/adapters/native-kernels.js";
import { withFastKernels, type FastKernels } from "../../../ir/kernels/fast-slots.js";
import { skipOrFail } from "../../helpers/skip.js";
import { Rng } from "../../../src/testing/rng.js";
import "../../../ir/ops/index.js";

const RUNS = { numRuns: 40, seed: 20261207 };

function randomF32(rng: Rng, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  // Mantissas in [-1, 1) times 2^e for e in [-6, 6]: sums that round differently in each order.
  return fromNumbers("f32", shape, Array.from({ length: n }, () => (2 * rng.next() - 1) * 2 ** rng.int(-6, 6)));
}

/** Index of the first element whose bits differ (NaNs compare as NaNs), or -1. */
function firstDifference(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array, y = b.data as Float32Array;
  if (x.length !== y.length) return 0;
  const xb = new Uint32Array(x.buffer, x.byteOffset, x.length), yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) if (xb[i] !== yb[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return i;
  return -1;
}

function expectSame(fast: readonly (Tensor | undefined)[], ref: readonly (Tensor | undefined)[]): void {
  expect(fast.length).toBe(ref.length);
  fast.forEach((t, i) => {
    expect(t === undefined).toBe(ref[i] === undefined);
    if (t && ref[i]) expect(firstDifference(t, ref[i]!), `output ${i}`).toBe(-1);
  });
}

/** The kernels under test (one backend per describe block below). */
let kernels: FastKernels | undefined;
const withFastEngine = <T>(fast: boolean, fn: () => T): T => withFastKernels(fast ? kernels : undefined, fn);

function evaluate(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, unknown>, fast: boolean): Tensor[] {
  const def = getOp(op);
  return withFastEngine(fast, () => def.evaluate(inputs, resolveAttrs(def, attrs as never), { numOutputs: 1 }));
}

/** Forward and gradient of one node, engine on and off, compared bit for bit. */
function checkOp(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, unknown>, rng: Rng): void {
  const ref = evaluate(op, inputs, attrs, false);
  expectSame(evaluate(op, inputs, attrs, true), ref);
  const dy = [randomF32(rng, [...ref[0]!.shape])];
  const resolved = resolveAttrs(getOp(op), attrs as never);
  const wants = inputs.map((t) => t !== undefined);
  const grad = (fast: boolean) => withFastEngine(fast, () => vjpRule(op)!({ inputs, outputs: ref, attrs: resolved, dy, wants }));
  expectSame(grad(true), grad(false));
}

function prop<T>(arb: fc.Arbitrary<T>, body: (v: T, rng: Rng) => void): void {
  fc.assert(fc.property(arb, fc.integer({ min: 1, max: 1 << 30 }), (v, seed) => body(v, new Rng(seed))), RUNS);
}

const BACKENDS: { name: string; kernels: () => FastKernels | undefined; missing: () => string }[] = [
  { name: "WebAssembly", kernels: () => wasmKernels(), missing: () => "this Node has no WebAssembly SIMD" },
  { name: "native", kernels: () => nativeKernels(), missing: () => `the native kernels cannot be built here: ${nativeUnavailableReason()}` },
];

describe.each(BACKENDS)("fast engine ($name) = reference, op by op (property)", (backend) => {
  beforeEach((ctx) => {
    kernels = backend.kernels();
    if (!kernels) skipOrFail(ctx, backend.missing(), "NEONC_REQUIRE_TARGETS");
  });

  it("runs on this host", () => {
    expect(fastEngineAvailable()).toBe(true);
  });

  it("sgemm: transposes, strides, offsets, alpha and beta, K across the 256-deep blocks", () => {
    const arb = fc.record({
      tA: fc.boolean(), tB: fc.boolean(), M: fc.integer({ min: 1, max: 70 }), N: fc.integer({ min: 1, max: 70 }),
      K: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 600 })),
      padA: fc.integer({ min: 0, max: 3 }), padB: fc.integer({ min: 0, max: 3 }), padC: fc.integer({ min: 0, max: 3 }),
      off: fc.integer({ min: 0, max: 5 }), alpha: fc.constantFrom(1, -0.5, 0.3), beta: fc.constantFrom(0, 1, 0.7),
    });
    prop(arb, (a, rng) => {
      const lda = (a.tA ? a.M : a.K) + a.padA, ldb = (a.tB ? a.K : a.N) + a.padB, ldc = a.N + a.padC;
      const A = randomF32(rng, [a.off + (a.tA ? a.K : a.M) * lda]).data as Float32Array;
      const B = randomF32(rng, [a.off + (a.tB ? a.N : a.K) * ldb]).data as Float32Array;
      const C0 = randomF32(rng, [a.off + a.M * ldc]).data as Float32Array;
      const run = (fast: boolean) => {
        const C = C0.slice();
        withFastEngine(fast, () => sgemm(a.tA, a.tB, a.M, a.N, a.K, a.alpha, A, a.off, lda, B, a.off, ldb, a.beta, C, a.off, ldc));
        return fromNumbers("f32", [C.length], C);
      };
      expect(firstDifference(run(true), run(false))).toBe(-1);
    });
  });

  it("Conv 1-D: depthwise with a multiplier, grouped and dense; stride, dilation, pads, bias", () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 2 }), depthwise: fc.boolean(), groups: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 24 }), mg: fc.integer({ min: 1, max: 24 }), mult: fc.integer({ min: 1, max: 2 }),
      k: fc.integer({ min: 1, max: 33 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }),
      p0: fc.integer({ min: 0, max: 16 }), p1: fc.integer({ min: 0, max: 16 }), T: fc.integer({ min: 1, max: 90 }), bias: fc.boolean(),
    });
    prop(arb.filter((a) => a.T + a.p0 + a.p1 >= (a.k - 1) * a.d + 1), (a, rng) => {
      const C = a.depthwise ? a.cg : a.groups * a.cg, group = a.depthwise ? a.cg : a.groups;
      const M = a.depthwise ? a.cg * a.mult : a.groups * a.mg;
      const x = randomF32(rng, [a.N, C, a.T]), w = randomF32(rng, [M, C / group, a.k]);
      checkOp("Conv", [x, w, a.bias ? randomF32(rng, [M]) : undefined],
        { strides: [a.s], dilations: [a.d], pads: [a.p0, a.p1], group }, rng);
    });
  });

  it("Conv 2-D and 3-D, depthwise and dense", () => {
    const arb = fc.record({
      rank: fc.constantFrom(2, 3), depthwise: fc.boolean(), C: fc.integer({ min: 1, max: 6 }), M: fc.integer({ min: 1, max: 6 }),
      k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 1, max: 2 }),
      pad: fc.integer({ min: 0, max: 2 }), size: fc.integer({ min: 7, max: 11 }),
    });
    prop(arb, (a, rng) => {
      const sp = Array.from({ length: a.rank }, (_, i) => a.size - i);
      const M = a.depthwise ? a.C : a.M, group = a.depthwise ? a.C : 1;
      const x = randomF32(rng, [1, a.C, ...sp]), w = randomF32(rng, [M, a.C / group, ...sp.map(() => a.k)]);
      checkOp("Conv", [x, w, randomF32(rng, [M])], {
        strides: sp.map(() => a.s), dilations: sp.map(() => a.d), pads: [...sp, ...sp].map(() => a.pad), group,
      }, rng);
    });
  });

  it("MatMul (batched) and Gemm (transposes, alpha, beta, bias)", () => {
    const arb = fc.record({
      B: fc.integer({ min: 1, max: 3 }), M: fc.integer({ min: 1, max: 30 }), K: fc.integer({ min: 1, max: 300 }),
      N: fc.integer({ min: 1, max: 30 }), tA: fc.integer({ min: 0, max: 1 }), tB: fc.integer({ min: 0, max: 1 }),
      alpha: fc.constantFrom(1, 0.5), beta: fc.constantFrom(1, 0.25),
    });
    prop(arb, (a, rng) => {
      checkOp("MatMul", [randomF32(rng, [a.B, a.M, a.K]), randomF32(rng, [a.K, a.N])], {}, rng);
      checkOp("Gemm", [randomF32(rng, a.tA ? [a.K, a.M] : [a.M, a.K]), randomF32(rng, a.tB ? [a.N, a.K] : [a.K, a.N]), randomF32(rng, [a.N])],
        { transA: a.tA, transB: a.tB, alpha: a.alpha, beta: a.beta }, rng);
    });
  });
});
