// The obligations each op trait (OpTraits, ir/op.ts) carries, checked for every registered op
// that declares it, so an op added with a trait and without what the trait promises fails here:
//   unary            a C kernel that compiles for every target, an int8 table (QLookup), a
//                    gradient rule, a place in the random speech graphs; with a fused form, a
//                    valid entry in the fused-activation table
//   view             a view kernel (no code, aliased buffer)
//   fusedActivation  a C kernel applying every fused kind, an int8 lowering turning every kind
//                    into integer ops (a clamp, or a QLookup after the op)
//   absorbsBatchNorm fold-batchnorm folds a following BatchNormalization into it
//   int8PassThrough  quantize runs it on the int8 value, its C kernel on int8 data
//   movesData        it commutes with element-wise ops (squaring after it = squaring before it),
//                    and its C kernel takes int16 data (a log energy moves int16 halves)
//   int16x8          quantize{int16=...} gives it int16 input
//   integer          a C kernel (an op the lower stage rewrites: through its algorithm ops)
//   channelwise, binary  conv2d-to-1d moves Unsqueezes below it
//   implements       a C kernel, a lower rule that makes it, the same numbers as the op it
//                    implements; that op has no C kernel (code generation lowers first) and
//                    every C kernel check of it goes through its algorithm ops
// Ops with a trait other than `unary` need a small sample graph in SAMPLES below (a new one
// fails until it has one); the numbers of all these are checked in the suites named in each case.
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import "../../codegen/kernels/index.js";
import { activationOf, clampOf, epilogueOf, fusedKinds } from "../../ir/activation.js";
import type { Graph } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { resolveAttrs, type OpTraits } from "../../ir/op.js";
import { implementedOp, isLoweredByTarget, opNamesWith, opsWith } from "../../ir/traits.js";
import { algorithmRules, lower } from "../../passes/lower/index.js";
import { runPass } from "../../passes/pass.js";
import { winograd } from "../../passes/winograd/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { compareTensors } from "../../codegen/build.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { domainOf } from "../../ir/unary.js";
import { findKernel } from "../../codegen/kernel.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { runPipeline } from "../../passes/index.js";
import { foldsInto } from "../../passes/fold-batchnorm.js";
import { lowerFor } from "../../passes/quantize/lower-ops.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { calibrate } from "../../src/analyses/calibration/calibrate.js";
import { vjpRule } from "../../src/analyses/autodiff/index.js";
import { arbSpeechGraph, randomInputs, Rng, SPEECH_OPS } from "../../src/testing/index.js";
import fc from "fast-check";

const TARGETS = ["c99", "aarch64", "armv7"];
const W = "[0.5, -0.25, 0.75, 0.1, -0.6, 0.3, 0.2, 0.9, -0.4, 0.35, -0.15, 0.05]";
const Q8 = "[1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]";

/** A small float graph of one op, %y from %x (input f32[1,3,T] unless said). */
const SAMPLES: Readonly<Record<string, string>> = {
  Conv: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[4,3,1] ${W}\n  %y = Conv(%x, %w)\n}`,
  ConvTranspose: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[3,4,1] ${W}\n  %y = ConvTranspose(%x, %w)\n}`,
  Gemm: `graph @g(%x: f32[T,3]) -> (%y) {\n  %w = const f32[3,4] ${W}\n  %y = Gemm(%x, %w)\n}`,
  MatMul: `graph @g(%x: f32[1,T,3]) -> (%y) {\n  %w = const f32[3,4] ${W}\n  %y = MatMul(%x, %w)\n}`,
  Add: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %c = const f32[3,1] [0.5, -1, 2]\n  %y = Add(%x, %c)\n}`,
  Reshape: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Reshape(%x) {shape=[3, -1]}\n}`,
  Squeeze: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Squeeze(%x) {axes=[0]}\n}`,
  Unsqueeze: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Unsqueeze(%x) {axes=[1]}\n}`,
  Flatten: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Flatten(%x) {axis=2}\n}`,
  Identity: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Identity(%x)\n}`,
  Transpose: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Transpose(%x) {perm=[0, 2, 1]}\n}`,
  Slice: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = Slice(%x) {axes=[1], ends=[2], starts=[0]}\n}`,
  Gather: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %i = const i64[2] [2, 0]\n  %y = Gather(%x, %i) {axis=1}\n}`,
  Split: `graph @g(%x: f32[1,4,T]) -> (%y, %y2) {\n  %y, %y2 = Split(%x) {axis=1}\n}`,
  MaxPool: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %y = MaxPool(%x) {kernel_shape=[2], pads=[1, 0]}\n}`,
  ConvPointwise: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[4,3,1] ${W}\n  %y = ConvPointwise(%x, %w)\n}`,
  ConvDepthwise: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[3,1,3] [0.5, -0.25, 0.75, 0.1, -0.6, 0.3, 0.2, 0.9, -0.4]\n  %y = ConvDepthwise(%x, %w) {group=3, pads=[1, 1]}\n}`,
  ConvGemmRows: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[2,3,2] ${W}\n  %y = ConvGemmRows(%x, %w) {strides=[2], pads=[1, 0]}\n}`,
  ConvWinograd: `graph @g(%x: f32[1,2,T]) -> (%y) {\n  %w = const f32[2,2,3] ${W}\n  %y = ConvWinograd(%x, %w) {pads=[1, 1]}\n}`,
  ConvIm2col: `graph @g(%x: f32[1,3,3,T]) -> (%y) {\n  %w = const f32[1,3,2,2] ${W}\n  %y = ConvIm2col(%x, %w) {pads=[1, 1, 0, 0]}\n}`,
  ConvIm2colMatMul: `graph @g(%x: f32[1,3,T], %w: f32[2,3,2]) -> (%y) {\n  %b = const f32[2] [0.5, -0.25]\n  %y = ConvIm2colMatMul(%x, %w, %b) {strides=[2], pads=[1, 0]}\n}`,
  ConvTransposeCol2im: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %w = const f32[3,2,2] ${W}\n  %y = ConvTransposeCol2im(%x, %w) {strides=[2], pads=[1, 0]}\n}`,
  GemmMatMul: `graph @g(%x: f32[T,3], %w: f32[4,3]) -> (%y) {\n  %y = GemmMatMul(%x, %w) {transB=1, alpha=0.5}\n}`,
  MatMulGemm: `graph @g(%x: f32[1,T,3]) -> (%y) {\n  %w = const f32[3,4] ${W}\n  %y = MatMulGemm(%x, %w)\n}`,
  MatMulBatched: `graph @g(%x: f32[1,T,3]) -> (%y) {\n  %w = const f32[1,3,4] ${W}\n  %y = MatMulBatched(%x, %w)\n}`,
  GemmPrepacked: `graph @g(%x: f32[T,3]) -> (%y) {\n  %w = const f32[3,4] ${W}\n  %y = GemmPrepacked(%x, %w)\n}`,
  QConvDepthwise: `graph @g(%x: i8[1,3,T]) -> (%y) {\n  %w = const i8[6,1,2] ${Q8}\n  %y = QConvDepthwise(%x, %w) {group=3, pads=[1, 0], x_zero_point=-3, multiplier=[1073741824], shift=[-3]}\n}`,
  QConvWinograd: `graph @g(%x: u8[1,3,T]) -> (%y) {\n  %w = const i8[2,3,2] ${Q8}\n  %y = QConvWinograd(%x, %w) {pads=[1, 0], x_zero_point=130, multiplier=[1073741824], shift=[-5]}\n}`,
  QConvWinogradScaled: `graph @g(%x: u8[1,3,T]) -> (%y) {\n  %w = const i8[2,3,2] ${Q8}\n  %y = QConvWinogradScaled(%x, %w) {pads=[1, 0], x_zero_point=130, multiplier=[1073741824], shift=[-5], m=4, input_scales=[4, 4, 4, 4, 4]}\n}`,
  QConvGemmRows: `graph @g(%x: u8[1,3,T]) -> (%y) {\n  %w = const i8[2,3,2] ${Q8}\n  %y = QConvGemmRows(%x, %w) {strides=[2], pads=[1, 0], x_zero_point=130, multiplier=[1073741824], shift=[-5]}\n}`,
  QConvIm2col: `graph @g(%x: i8[1,3,T]) -> (%y) {\n  %w = const i8[2,3,2] ${Q8}\n  %y = QConvIm2col(%x, %w) {dilations=[2], pads=[1, 1], x_zero_point=4, multiplier=[1073741824], shift=[-5]}\n}`,
  QConvDepthwise2d: `graph @g(%x: i8[1,2,3,T]) -> (%y) {\n  %w = const i8[4,1,1,3] ${Q8}\n  %y = QConvDepthwise2d(%x, %w) {group=2, pads=[0, 1, 0, 1], x_zero_point=-3, multiplier=[1073741824], shift=[-5]}\n}`,
  QConvIm2col2d: `graph @g(%x: u8[1,3,3,T]) -> (%y) {\n  %w = const i8[1,3,2,2] ${Q8}\n  %y = QConvIm2col2d(%x, %w) {strides=[1, 2], auto_pad="SAME_UPPER", x_zero_point=130, multiplier=[1073741824], shift=[-5]}\n}`,
  QMatMulGemm: `graph @g(%x: i8[1,T,3]) -> (%y) {\n  %w = const i8[3,4] ${Q8}\n  %y = QMatMulGemm(%x, %w) {x_zero_point=-1, multiplier=[1073741824], shift=[-4]}\n}`,
  QMatMulCentred: `graph @g(%x: i8[1,T,3]) -> (%y) {\n  %w = const u8[3,4] [0, 255, 128, 17, 200, 3, 90, 160, 255, 0, 64, 192]\n  %y = QMatMulCentred(%x, %w) {x_zero_point=2, w_zero_point=128, multiplier=[1073741824], shift=[-6]}\n}`,
  BatchNormalization: `graph @g(%x: f32[1,3,T]) -> (%y) {\n  %s = const f32[3] [1, 2, 0.5]\n  %b = const f32[3] [0.1, -0.2, 0.3]\n  %m = const f32[3] [0, 1, -1]\n  %v = const f32[3] [1, 0.5, 2]\n  %y = BatchNormalization(%x, %s, %b, %m, %v)\n}`,
};

/** Binary ops are sampled as op(x, x) on [1,3,T] (a bool input for the logic ops). */
function binarySample(op: string): string {
  const dt = ["And", "Or", "Xor"].includes(op) ? "bool" : "f32";
  return `graph @g(%x: ${dt}[1,3,T]) -> (%y) {\n  %y = ${op}(%x, %x)\n}`;
}

function sample(op: string): Graph {
  const text = SAMPLES[op];
  if (!text) throw new Error(`no sample graph for ${op} in test/ir/op-traits.test.ts: add one so its traits can be checked`);
  return parseGraph(text);
}

/** Calibrates g on random inputs (T = 8) and quantizes it. */
function quantized(g: Graph, options: Parameters<typeof quantizeGraph>[2] = {}): Graph {
  const rng = new Rng(5);
  const data = Array.from({ length: 3 }, () => randomInputs(g, rng, { T: 8 }));
  return quantizeGraph(g, calibrate(g, data).ranges, options);
}

const FLOAT_IN_INT8 = (g: Graph) => g.nodes.filter((n) => !n.op.startsWith("Q") && !["Quantize", "Dequantize", "Requantize"].includes(n.op)).map((n) => n.op);

describe("every trait is declared by some op (the trait checks below are not vacuous)", () => {
  const traits: (keyof OpTraits)[] = ["unary", "binary", "view", "fusedActivation", "absorbsBatchNorm", "int8PassThrough", "movesData", "int16x8", "integer", "channelwise", "implements"];
  for (const t of traits) it(t, () => expect(opsWith(t).length).toBeGreaterThan(0));
});

describe("unary element-wise ops", () => {
  const unary = opsWith("unary");

  it("each has a C kernel that compiles on every target, with every attribute sample", () => {
    for (const def of unary) {
      const fn = def.traits!.unary!;
      expect(findKernel(def.name), def.name).toBeDefined();
      for (const attrs of fn.samples ?? [{}]) {
        const g = parseGraph(`graph @g(%x: f32[4,T]) -> (%y) {\n  %y = ${def.name}(%x) ${attrsText(attrs)}\n}`);
        for (const t of TARGETS) expect(() => compileGraph(g, { target: getTarget(t), maxDims: { T: 8 } }), `${def.name} on ${t}`).not.toThrow();
      }
    }
  });

  it("each becomes an int8 table (QLookup) of its own function", () => {
    for (const def of unary) {
      const [lo, hi] = domainOf(def.traits!.unary!);
      const g = parseGraph(`graph @g(%x: f32[1,3,T]) -> (%y) {\n  %c = Clip(%x) {min=${lo}, max=${hi}}\n  %y = ${def.name}(%c)\n}`);
      const q = quantized(g, { keepFloat: new Set() });
      expect(q.nodes.map((n) => n.op), def.name).toContain("QLookup");
      expect(FLOAT_IN_INT8(q), def.name).toEqual([]);
    }
  });

  it("each has a gradient rule (test/analyses/calibration/synthetic/vjp.test.ts checks it against finite differences)", () => {
    for (const def of unary) expect(vjpRule(def.name), def.name).toBeDefined();
  });

  it("each is drawn by the random speech graphs", () => {
    for (const def of unary) {
      expect(SPEECH_OPS, def.name).toContain(def.name);
      const drawn = fc.sample(arbSpeechGraph({ ops: ["Conv", def.name], minLayers: 2 }), { numRuns: 20, seed: 1 });
      expect(drawn.some((g) => g.nodes.some((n) => n.op === def.name)), def.name).toBe(true);
    }
  });

  it("each fused form is a valid row of the fused-activation table", () => {
    const kinds = fusedKinds().map((k) => k.kind);
    for (const def of unary) {
      const fusion = def.traits!.unary!.fusion;
      expect(kinds.includes(def.name), def.name).toBe(fusion !== undefined);
      if (!fusion) continue;
      const params = fusion.params.map((p) => (resolveAttrs(def, def.traits!.unary!.samples?.[0] ?? {}) as Record<string, number>)[p] ?? 0);
      const act = activationOf({ activation: def.name, activation_params: params })!;
      // A clamp (int8: a clamp of the accumulator) is always an epilogue form too.
      if (clampOf(act)) expect(epilogueOf(act), def.name).toBeDefined();
    }
  });
});

describe("views", () => {
  it("each has a view kernel", () => {
    for (const op of opNamesWith("view")) expect(findKernel(op)?.view, op).toBe(true);
  });
});

/** The fused-activation ops without a C kernel or int8 lowering at all yet, and why (fails once they have one). */
const NO_C_KERNEL: Readonly<Record<string, string>> = { ConvTranspose: "no C kernel for ConvTranspose yet" };
const NO_INT8: Readonly<Record<string, string>> = { ConvTranspose: "no integer lowering for ConvTranspose yet" };

describe("ops that carry a fused activation", () => {
  const ops = opNamesWith("fusedActivation");
  const withAct = (op: string, kind: string) => {
    const row = fusedKinds().find((k) => k.kind === kind)!;
    const a = resolveAttrs(row.def, row.fn.samples?.[0] ?? {}) as Record<string, number>;
    const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "inf" : "-inf");
    const params = row.params.map((p, i) => a[p] ?? row.fn.fusion!.absent?.[i] ?? 0);
    const fused = `activation="${kind}"${params.length ? `, activation_params=[${params.map(num).join(", ")}]` : ""}`;
    const text = SAMPLES[op] ?? printGraph(sample(op)); // sample() says which sample is missing
    // Added to the sample's own attributes, if it has any.
    return parseGraph(text.replace(new RegExp(`(%y = ${op}\\([^)]*\\))(?: \\{([^}]*)\\})?`), (_m, call: string, own?: string) => `${call} {${own ? `${own}, ` : ""}${fused}}`));
  };

  it("each has a C kernel that applies every fused kind, in the epilogue or by a sweep after it", () => {
    for (const op of ops) {
      if (NO_C_KERNEL[op]) {
        expect(findKernel(op), `${op}: ${NO_C_KERNEL[op]} (remove it from NO_C_KERNEL)`).toBeUndefined();
        continue;
      }
      // An op the lower stage rewrites has no kernel: its algorithm ops' kernels apply the kinds.
      if (!isLoweredByTarget(op)) expect(findKernel(op), op).toBeDefined();
      for (const row of fusedKinds()) {
        const g = withAct(op, row.kind);
        const act = activationOf(g.nodes.at(-1)!.attrs as never)!;
        for (const t of TARGETS) {
          const c = compileGraph(g, { target: getTarget(t), maxDims: { T: 8 } }).files["model.c"]!;
          if (!epilogueOf(act)) expect(c, `${op} with ${row.kind} on ${t}`).toContain(`/* fused ${row.kind} */`);
          else expect(c, `${op} with ${row.kind} on ${t}`).not.toContain("/* fused");
        }
      }
    }
  });

  it("each has an int8 lowering that turns every fused kind into integer ops", () => {
    for (const op of ops) {
      // quantize runs before lower, so an algorithm op is never quantized.
      if (implementedOp(op)) continue;
      if (NO_INT8[op]) {
        expect(lowerFor(op), `${op}: ${NO_INT8[op]} (remove it from NO_INT8)`).toBeUndefined();
        continue;
      }
      for (const row of fusedKinds()) {
        const q = quantized(withAct(op, row.kind));
        expect(FLOAT_IN_INT8(q), `${op} with ${row.kind}`).toEqual([]);
        expect(q.nodes.some((n) => n.op === "QLookup"), `${op} with ${row.kind}`).toBe(clampOf(activationOf(withAct(op, row.kind).nodes.at(-1)!.attrs as never)!) === undefined);
      }
    }
  });
});

/** Lower options that turn on an algorithm lower chooses only when asked (Winograd: its sample's tile). */
const LOWER_OPTIONS: Record<string, { winograd?: "4" }> = { ConvWinograd: { winograd: "4" }, QConvWinograd: { winograd: "4" } };

/**
 * Algorithm ops a pass other than lower makes, because they need data lower has no access to: the
 * pass that makes each from its sample's base form, given that sample's inputs as calibration data.
 */
const MADE_ELSEWHERE: Record<string, (g: Graph, calibration: Record<string, Tensor>) => Graph> = {
  QConvWinogradScaled: (g, x) => runPass(g, winograd, { m: "4", int8: "scaled" }, { target: getTarget("aarch64"), host: { calibrationSamples: Object.assign([x], { length: 1 }) } }),
};

/** Algorithm ops that approximate the op they implement, with the least SQNR (dB) their sample keeps against it. */
const APPROXIMATE: Record<string, number> = { QConvWinogradScaled: 30 };

describe("algorithm ops of the lower stage (implements)", () => {
  const algorithms = opsWith("implements");

  it("each has a C kernel, and the op it implements has none", () => {
    for (const def of algorithms) {
      expect(findKernel(def.name), def.name).toBeDefined();
      expect(findKernel(def.traits!.implements!), `${def.traits!.implements} (lowered to ${def.name})`).toBeUndefined();
    }
  });

  it("each is made by a lower rule (or by a pass that needs data, listed in MADE_ELSEWHERE)", () => {
    const made = new Set([...algorithmRules().map((r) => r.algorithm), ...Object.keys(MADE_ELSEWHERE)]);
    for (const def of algorithms) expect(made.has(def.name), def.name).toBe(true);
  });

  it("each computes what the op it implements computes, and lower picks it for its sample", () => {
    const rng = new Rng(9);
    for (const def of algorithms) {
      const g = sample(def.name);
      const asBase = parseGraph(printGraph(g).replace(`= ${def.name}(`, `= ${def.traits!.implements}(`));
      const inputs = randomInputs(g, rng, { T: 6 });
      const [got, want] = [runGraph(g, inputs), runGraph(asBase, inputs)];
      if (def.name in APPROXIMATE) {
        const a = Array.from(want.y!.data as ArrayLike<number>), b = Array.from(got.y!.data as ArrayLike<number>);
        const err = a.reduce((e, v, i) => e + (v - b[i]!) ** 2, 0), sig = a.reduce((e, v) => e + v * v, 0);
        expect(10 * Math.log10(sig / err), def.name).toBeGreaterThanOrEqual(APPROXIMATE[def.name]!);
      } else {
        expect(compareTensors(got.y!, want.y!).rel, def.name).toBeLessThanOrEqual(1e-6);
      }
      const made = MADE_ELSEWHERE[def.name]?.(asBase, inputs) ?? runPass(asBase, lower, LOWER_OPTIONS[def.name] ?? {}, { target: getTarget("aarch64") });
      expect(made.nodes.map((n) => n.op), def.name).toContain(def.name);
    }
  });
});

describe("other traits", () => {
  it("absorbsBatchNorm: a BatchNormalization right after the op folds into it", () => {
    for (const op of opNamesWith("absorbsBatchNorm")) {
      expect(foldsInto(op), op).toBe(true);
      // MatMul folds as a 2-D product x[N, K] . W[K, M], whose features are the BN's channels.
      const g = op === "MatMul" ? parseGraph(SAMPLES.MatMul!.replace("f32[1,T,3]", "f32[T,3]")) : sample(op);
      const C = g.types.y!.shape[1] as number;
      const v = (x: number) => `[${Array.from({ length: C }, (_, i) => x + 0.1 * i).join(", ")}]`;
      const bn = [`%s = const f32[${C}] ${v(1)}`, `%b = const f32[${C}] ${v(0)}`, `%m = const f32[${C}] ${v(0.2)}`, `%v = const f32[${C}] ${v(0.5)}`, `%z = BatchNormalization(%y, %s, %b, %m, %v)`];
      const text = printGraph(g).replace(") -> (%y)", ") -> (%z)").replace(/\n}\s*$/, `\n${bn.map((l) => `  ${l}`).join("\n")}\n}`);
      const out = runPipeline(parseGraph(text), "fold-batchnorm");
      expect(out.nodes.map((n) => n.op), op).not.toContain("BatchNormalization");
    }
  });

  it("int8PassThrough: quantize runs the op on int8 data, and its C kernel takes it", () => {
    for (const op of opNamesWith("int8PassThrough")) {
      // A Relu first, so that the op's input is an int8 value already (no Quantize just for it).
      const text = SAMPLES[op] ?? printGraph(sample(op));
      const g = parseGraph(text.replace(`= ${op}(%x`, `= ${op}(%r`).replace(" {\n", " {\n  %r = Relu(%x)\n"));
      const q = quantized(g);
      const node = q.nodes.find((n) => n.op === op);
      expect(node, op).toBeDefined();
      expect(q.types[node!.inputs[0]!]!.dtype, op).toBe("i8");
      for (const t of TARGETS) expect(() => compileGraph(q, { target: getTarget(t), maxDims: { T: 8 } }), `${op} on ${t}`).not.toThrow();
    }
  });

  it("movesData: the op commutes with squaring, and its C kernel takes int16 data", () => {
    for (const op of opNamesWith("movesData")) {
      const g = sample(op);
      const x = randomInputs(g, new Rng(9), { T: 8 });
      const square = (t: Record<string, Tensor>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, data: Float32Array.from(v.data as Float32Array, (e) => e * e) }]));
      const after = square(runGraph(g, x)), before = runGraph(g, square(x));
      for (const o of g.outputs) expect(compareTensors(before[o]!, after[o]!).maxAbs, `${op} output ${o}`).toBe(0);
      const g16 = parseGraph((SAMPLES[op] ?? printGraph(g)).replace(/%x: f32\[/, "%x: i16["));
      for (const t of TARGETS) expect(() => compileGraph(g16, { target: getTarget(t), maxDims: { T: 8 } }), `${op} on int16 for ${t}`).not.toThrow();
    }
  });

  it("int16x8: quantize{int16} gives the layer int16 input", () => {
    for (const op of opNamesWith("int16x8")) {
      const q = quantized(sample(op), { int16: new Set(["y"]) });
      const layer = q.nodes.find((n) => n.outputs.some((o) => o.startsWith("y")) && n.op.startsWith("Q"))!;
      expect(q.types[layer.inputs[0]!]!.dtype, op).toBe("i16");
    }
  });

  it("integer: a C kernel, or algorithm ops that have one", () => {
    for (const op of opNamesWith("integer")) {
      if (!isLoweredByTarget(op)) expect(findKernel(op), op).toBeDefined();
      else for (const alg of opNamesWith("implements").filter((a) => implementedOp(a) === op)) expect(findKernel(alg), `${alg} (implements ${op})`).toBeDefined();
    }
  });

  it("channelwise and unary: conv2d-to-1d moves an Unsqueeze below the op", () => {
    for (const op of [...opNamesWith("channelwise"), ...opNamesWith("unary")]) {
      const body = SAMPLES[op] ? SAMPLES[op]!.split("\n").filter((l) => l.startsWith("  %")).join("\n").replace(`= ${op}(%x`, `= ${op}(%u`) : `  %y = ${op}(%u)`;
      const g = parseGraph(`graph @g(%x: f32[1,3,T]) -> (%z) {\n  %u = Unsqueeze(%x) {axes=[2]}\n${body}\n  %z = Squeeze(%y) {axes=[2]}\n}`);
      const out = runPipeline(g, "conv2d-to-1d");
      expect(out.nodes.map((n) => n.op), op).not.toContain("Unsqueeze");
    }
  });

  it("binary: conv2d-to-1d moves Unsqueezes of both operands below the op", () => {
    for (const op of opNamesWith("binary")) {
      const g = parseGraph(binarySample(op).replace(/-> \(%y\) \{\n {2}%y = (\w+)\(%x, %x\)/, (_m, o) => `-> (%z) {\n  %u = Unsqueeze(%x) {axes=[2]}\n  %v = Unsqueeze(%x) {axes=[2]}\n  %y = ${o}(%u, %v)\n  %z = Squeeze(%y) {axes=[2]}`));
      const out = runPipeline(g, "conv2d-to-1d");
      expect(out.nodes.map((n) => n.op), op).not.toContain("Unsqueeze");
    }
  });
});

function attrsText(a: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(a).map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  return parts.length ? `{${parts.join(", ")}}` : "";
}
