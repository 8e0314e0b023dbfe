// The lower stage on random integer products: fast-check draws one QConv or QMatMul with random
// dtypes (int8, uint8, int16 x), geometry (groups, channels per group, taps, strides, dilations,
// pads or auto_pad, 1-D and 2-D), weights and bias constant or computed at run time, batched or uniform w with
// zero points, per-channel or per-tensor requantization. For each, after `lower`:
// - the numbers are QConv's / QMatMul's bit for bit (the interpreter on random inputs);
// - the rules and the C emitters agree: the algorithm op a node gets is one its emitter takes,
//   and a node no rule takes is one no emitter of its op's algorithms takes (the rules decline
//   nothing the C could run), and code generation then names the rules' reasons;
// - every algorithm is drawn (the checks are not vacuous).
// Then the lowered nodes of a sample of draws, in one graph, are compiled to C and run bit for
// bit against the interpreter on c99 (native) and aarch64 (SIMDe).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Attrs, Graph } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { parseGraph } from "../../ir/text/index.js";
import { implementedOp, opNamesWith } from "../../ir/traits.js";
import { findKernel } from "../../codegen/kernel.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { runPipeline } from "../../passes/index.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { randomInputs, Rng } from "../../src/testing/index.js";
import "../../ir/ops/index.js";
import "../../codegen/kernels/index.js";
import { checkBitExact, itOnRigs } from "./helpers.js";

type XType = "i8" | "u8" | "i16";
const zeroPoint = (dt: XType) => (dt === "i16" ? fc.constant(0) : dt === "u8" ? fc.integer({ min: 0, max: 255 }) : fc.integer({ min: -128, max: 127 }));
const int8s = (n: number) => fc.array(fc.integer({ min: -128, max: 127 }), { minLength: n, maxLength: n });
const requant = (channels: number) => fc.record({
  multiplier: fc.array(fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }), { minLength: channels, maxLength: channels }),
  shift: fc.array(fc.integer({ min: -12, max: -4 }), { minLength: channels, maxLength: channels }),
  out: fc.constantFrom("i8", "u8", "i16"),
});
const list = (v: readonly number[]) => `[${v.join(", ")}]`;

/** One QConv: its graph text (output %y) from drawn parameters. */
const arbQConv: fc.Arbitrary<string> = fc.record({
  x: fc.constantFrom<XType>("i8", "u8", "i16"),
  twoD: fc.constantFrom(false, false, false, false, true),
  group: fc.constantFrom(1, 1, 2, 3),
  Cg: fc.constantFrom(1, 1, 2, 3, 4),
  Mg: fc.integer({ min: 1, max: 3 }),
  Kw: fc.integer({ min: 1, max: 5 }),
  kh: fc.constantFrom(1, 1, 2, 3),
  stride: fc.integer({ min: 1, max: 3 }),
  dil: fc.constantFrom(1, 1, 2, 3),
  padL: fc.integer({ min: 0, max: 4 }),
  padR: fc.integer({ min: 0, max: 4 }),
  wConst: fc.constantFrom(true, true, true, false),
  bias: fc.constantFrom("none", "const", "const", "input"),
  perChannel: fc.boolean(),
  autoPad: fc.constantFrom("NOTSET", "NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"),
}).chain((c) => {
  const M = c.group * c.Mg, C = c.group * c.Cg, kh = c.twoD ? c.kh : 1;
  return fc.record({ c: fc.constant(c), zp: zeroPoint(c.x), w: int8s(M * c.Cg * kh * c.Kw), b: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: M, maxLength: M }), rq: requant(c.perChannel ? M : 1) })
    .map(({ c, zp, w, b, rq }) => {
      const inputs = [`%x: ${c.x}[1,${C},${c.twoD ? "3," : ""}T]`];
      const lines: string[] = [];
      const wShape = c.twoD ? `${M},${c.Cg},${kh},${c.Kw}` : `${M},${c.Cg},${c.Kw}`;
      if (c.wConst) lines.push(`  %w = const i8[${wShape}] ${list(w)}`);
      else inputs.push(`%w: i8[${wShape}]`);
      if (c.bias === "const") lines.push(`  %b = const i32[${M}] ${list(b)}`);
      if (c.bias === "input") inputs.push(`%b: i32[${M}]`);
      const pads = c.autoPad !== "NOTSET" ? `auto_pad="${c.autoPad}"` : c.twoD ? `pads=[0, ${c.padL}, ${kh - 1}, ${c.padR}]` : `pads=[${c.padL}, ${c.padR}]`;
      const geometry = c.twoD
        ? `kernel_shape=[${kh}, ${c.Kw}], strides=[1, ${c.stride}], dilations=[1, ${c.dil}], ${pads}`
        : `kernel_shape=[${c.Kw}], strides=[${c.stride}], dilations=[${c.dil}], ${pads}`;
      const out = c.x === "i16" && rq.out === "u8" ? "i16" : rq.out;
      lines.push(`  %y = QConv(%x, %w${c.bias === "none" ? "" : ", %b"}) {${geometry}, group=${c.group}, x_zero_point=${zp}, ` +
        `multiplier=${list(rq.multiplier)}, shift=${list(rq.shift)}, out_dtype="${out}"}`);
      return `graph @g(${inputs.join(", ")}) -> (%y) {\n${lines.join("\n")}\n}`;
    });
});

/** One QMatMul: constant symmetric int8 w, or w with a zero point, uint8, computed at run time or batched. */
const arbQMatMul: fc.Arbitrary<string> = fc.record({
  x: fc.constantFrom<XType>("i8", "u8", "i16"),
  w: fc.constantFrom("const-i8", "const-i8", "const-u8", "input-i8", "input-u8", "batched"),
  K: fc.integer({ min: 1, max: 6 }),
  N: fc.integer({ min: 1, max: 5 }),
  batch: fc.constantFrom(1, 2),
  bias: fc.constantFrom("none", "const", "input"),
  perColumn: fc.boolean(),
}).chain((c) => {
  // int16 x takes symmetric int8 w only (QMatMul's operand rule): no zero point, no uint8.
  const wDtype = c.w.endsWith("u8") ? "u8" : "i8";
  const wzp = c.x === "i16" || c.w === "const-i8" ? fc.constant(0) : wDtype === "u8" ? fc.integer({ min: 0, max: 255 }) : fc.integer({ min: -128, max: 127 });
  return fc.record({ c: fc.constant(c), xzp: zeroPoint(c.x), wzp, w: int8s(c.K * c.N), b: fc.array(fc.integer({ min: -4000, max: 4000 }), { minLength: c.N, maxLength: c.N }), rq: requant(c.perColumn ? c.N : 1) })
    .map(({ c, xzp, wzp, w, b, rq }) => {
      const wDt = c.x === "i16" ? "i8" : wDtype;
      const batched = c.w === "batched";
      const inputs = [batched ? `%x: ${c.x}[${c.batch},T,${c.K}]` : `%x: ${c.x}[T,${c.K}]`];
      const lines: string[] = [];
      if (batched) inputs.push(`%w: ${wDt}[${c.batch},${c.K},${c.N}]`);
      else if (c.w.startsWith("const")) lines.push(`  %w = const ${wDt}[${c.K},${c.N}] ${list(wDt === "u8" ? w.map((v) => v + 128) : w)}`);
      else inputs.push(`%w: ${wDt}[${c.K},${c.N}]`);
      if (c.bias === "const") lines.push(`  %b = const i32[${c.N}] ${list(b)}`);
      if (c.bias === "input") inputs.push(`%b: i32[${c.N}]`);
      lines.push(`  %y = QMatMul(%x, %w${c.bias === "none" ? "" : ", %b"}) {x_zero_point=${xzp}, w_zero_point=${wzp}, ` +
        `multiplier=${list(rq.multiplier)}, shift=${list(rq.shift)}, out_dtype="${rq.out}"}`);
      return `graph @g(${inputs.join(", ")}) -> (%y) {\n${lines.join("\n")}\n}`;
    });
});

const arbCase = fc.oneof(arbQConv, arbQMatMul);
const RUNS = 300;

/** The node's kernel `supports` answer for it as algorithm op `op` (undefined: the emitter takes it). */
function emitterRefuses(g: Graph, op: string): string | undefined {
  const n = g.nodes.find((m) => m.outputs.includes("y"))!;
  const k = findKernel(op);
  if (!k) return `no C kernel for ${op}`;
  return k.supports?.({ ...n, op }, resolveAttrs(getOp(op), n.attrs) as Attrs, g);
}

describe("the lower stage on random QConv and QMatMul nodes", () => {
  it("keeps the numbers, and its rules and the C emitters agree on what runs", () => {
    const seen = new Set<string>();
    fc.assert(fc.property(arbCase, fc.integer({ min: 1, max: 1000 }), (text, seed) => {
      const g = parseGraph(text);
      const lowered = runPipeline(g, "lower", { verifyEach: true });
      const node = lowered.nodes.find((n) => n.outputs.includes("y"))!;
      seen.add(node.op);
      // T of at least 13: the widest drawn window (5 taps, dilation 3) fits without padding.
      const inputs = randomInputs(g, new Rng(seed), { T: 13 + (seed % 8) });
      const want = runGraph(g, inputs).y!, got = runGraph(lowered, inputs).y!;
      expect(got.dtype).toBe(want.dtype);
      expect(Array.from(got.data as ArrayLike<number>)).toEqual(Array.from(want.data as ArrayLike<number>));
      const base = implementedOp(node.op);
      if (base) {
        expect(emitterRefuses(lowered, node.op), `${node.op} chosen for\n${text}`).toBeUndefined();
      } else {
        const algorithms = opNamesWith("implements").filter((a) => implementedOp(a) === node.op);
        for (const a of algorithms) expect(emitterRefuses(lowered, a), `${a} could run this node no rule took:\n${text}`).toBeDefined();
        expect(() => compileGraph(lowered, { target: getTarget("c99"), maxDims: { T: 8 } })).toThrow(/no algorithm takes it \(QConvDepthwise[:,] |no algorithm takes it \(QMatMulGemm[:,] /);
      }
    }), { numRuns: RUNS, seed: 11 });
    expect([...seen].sort()).toEqual(["QConv", "QConvDepthwise", "QConvDepthwise2d", "QConvGemmRows", "QConvIm2col", "QConvIm2col2d", "QMatMul", "QMatMulCentred", "QMatMulGemm"]);
  });
});

/**
 * The draws the rules lowered, side by side in one graph (inputs and constants renamed per draw),
 * at most count / 7 per algorithm so that the rarer ones are in.
 */
function sampleGraph(count: number): Graph {
  const inputs: string[] = [], outputs: string[] = [], body: string[] = [];
  const per = new Map<string, number>();
  let k = 0;
  for (const text of fc.sample(arbCase, { numRuns: 400, seed: 5 })) {
    if (k === count) break;
    const lowered = runPipeline(parseGraph(text), "lower");
    const op = lowered.nodes.find((n) => n.outputs.includes("y"))!.op;
    if (!implementedOp(op) || (per.get(op) ?? 0) >= Math.ceil(count / 7)) continue;
    per.set(op, (per.get(op) ?? 0) + 1);
    const rename = (s: string) => s.replace(/%(x|w|b|y)\b/g, `%$1${k}`);
    const head = /^graph @g\((.*)\) -> \(%y\) \{$/m.exec(text)!;
    inputs.push(...head[1]!.split(/, (?=%)/).map(rename));
    body.push(...text.split("\n").slice(1, -1).map(rename));
    outputs.push(`%y${k}`);
    k++;
  }
  return parseGraph(`graph @s(${inputs.join(", ")}) -> (${outputs.join(", ")}) {\n${body.join("\n")}\n}`);
}

describe("lowered random integer products in C", () => {
  const g = sampleGraph(24);
  const sets = [13, 20, 16].map((T, i) => randomInputs(g, new Rng(40 + i), { T }));
  it("the sample holds every algorithm", () => {
    const ops = new Set(runPipeline(g, "lower").nodes.map((n) => n.op));
    for (const op of ["QConvDepthwise", "QConvGemmRows", "QConvIm2col", "QConvDepthwise2d", "QConvIm2col2d", "QMatMulGemm", "QMatMulCentred"]) expect(ops, op).toContain(op);
  });
  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => checkBitExact(g, target, rig, sets, { maxDims: { T: 20 } }));
});
