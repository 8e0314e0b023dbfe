// The C kernels of ONNX's quantization ops (codegen/kernels/onnx-quant-*.ts) against the
// interpreter, byte for byte, on every rig: fast-check draws the cases (shapes with a symbolic T,
// per-tensor / per-axis / blocked parameters, every integer and float8 type, saturate, zero points
// present or absent, operands as graph inputs or constants; matmuls with broadcast batch dims and
// 1-D operands, per-row/column parameters; convolutions of 1 to 3 spatial dims with groups,
// strides, dilations, pads and every auto_pad), all cases go into one graph built once per rig,
// and each input set mixes full-range values with the edges (NaN, infinities, zeros, subnormals,
// values past every format's range, odd multiples of powers of two (rounding ties of the integer
// and float8 formats, subnormal ones too, under power-of-two scales), an accumulator that wraps).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { intRange, type DType } from "../../ir/dtype.js";
import { FLOAT8_FORMATS, isFloat8 } from "../../ir/float-formats.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, makeTensor, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { randomSource } from "../../src/testing/index.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, constLine, itOnRigs } from "./helpers.js";

type Shape = (number | "T")[];
type Of<A> = A extends fc.Arbitrary<infer R> ? R : never;
interface Operand {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** How its values are drawn. */
  readonly kind: "data" | "scale" | "zp" | "bias";
  /** A constant (drawn once) instead of a graph input. */
  readonly constant: boolean;
}
interface Case {
  readonly operands: Operand[];
  readonly line: string;
  readonly output: string;
}

const INT_Q: DType[] = ["u8", "i8", "u16", "i16", "i32"];
const fmt = (s: Shape) => `[${s.join(",")}]`;

// ---- case arbitraries ---------------------------------------------------------------------------

const arbLinear = fc.record({
  quantize: fc.boolean(),
  rank: fc.integer({ min: 1, max: 4 }),
  dims: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
  symbolic: fc.boolean(),
  gran: fc.constantFrom("tensor", "scalar", "axis", "blocked"),
  axis: fc.nat(),
  block: fc.integer({ min: 1, max: 3 }),
  dtype: fc.constantFrom(...INT_Q, ...FLOAT8_FORMATS),
  saturate: fc.boolean(),
  intX: fc.boolean(),
  zp: fc.boolean(),
  constParams: fc.boolean(),
});

function linearCase(k: number, c: Of<typeof arbLinear>): Case {
  const shape: Shape = c.dims.slice(0, c.rank);
  const gran = c.rank === 1 && c.gran === "blocked" ? "axis" : c.gran;
  const axis = c.axis % c.rank;
  // T stands in for a dim other than the axis (parameters along T would be symbolic constants).
  const symbolic = c.symbolic && gran !== "blocked" && (gran !== "axis" || c.rank > 1);
  if (symbolic) shape[gran === "axis" && axis === 0 ? 1 : 0] = "T";
  const pShape: Shape = gran === "tensor" ? [1] : gran === "scalar" ? [] : gran === "axis" ? [shape[axis]!]
    : shape.map((d, i) => (i === axis ? Math.ceil((d as number) / c.block) : d));
  const attrs: string[] = [];
  if (gran !== "tensor" && gran !== "scalar") attrs.push(`axis=${axis}`);
  if (gran === "blocked") attrs.push(`block_size=${c.block}`);
  const f8 = isFloat8(c.dtype);
  const constParams = c.constParams && !symbolic;
  const ops: Operand[] = [];
  const name = (s: string) => `${s}${k}`;
  let line: string;
  if (c.quantize) {
    ops.push({ name: name("x"), dtype: c.intX && !f8 ? "i32" : "f32", shape, kind: "data", constant: false });
    ops.push({ name: name("s"), dtype: "f32", shape: pShape, kind: "scale", constant: constParams });
    // A float8 zero point is zero; it comes as an input (the text IR has no float8 literals).
    if (c.zp) ops.push({ name: name("z"), dtype: c.dtype, shape: pShape, kind: "zp", constant: constParams && !f8 });
    else attrs.push(`output_dtype="${c.dtype}"`);
    if (f8) attrs.push(`saturate=${c.saturate ? 1 : 0}`);
    line = `%${name("y")} = QuantizeLinear(${ops.map((o) => "%" + o.name).join(", ")})`;
  } else {
    ops.push({ name: name("x"), dtype: c.dtype, shape, kind: "data", constant: false });
    ops.push({ name: name("s"), dtype: "f32", shape: pShape, kind: "scale", constant: constParams });
    if (c.zp) ops.push({ name: name("z"), dtype: c.dtype, shape: pShape, kind: "zp", constant: constParams && !f8 });
    line = `%${name("y")} = DequantizeLinear(${ops.map((o) => "%" + o.name).join(", ")})`;
  }
  return { operands: ops, line: attrs.length ? `${line} {${attrs.join(", ")}}` : line, output: name("y") };
}

const arbMatmul = fc.record({
  qlinear: fc.boolean(),
  aRank: fc.integer({ min: 1, max: 4 }),
  bRank: fc.integer({ min: 1, max: 4 }),
  M: fc.integer({ min: 1, max: 5 }),
  K: fc.integer({ min: 1, max: 9 }),
  N: fc.integer({ min: 1, max: 5 }),
  batch: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 2 }),
  aOnes: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  bOnes: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  symbolicM: fc.boolean(),
  dtA: fc.constantFrom<DType>("u8", "i8"),
  dtB: fc.constantFrom<DType>("u8", "i8"),
  dtY: fc.constantFrom<DType>("u8", "i8"),
  azp: fc.constantFrom("none", "tensor", "row"),
  bzp: fc.constantFrom("none", "tensor", "column"),
  aScale: fc.constantFrom("tensor", "row"),
  bScale: fc.constantFrom("tensor", "column"),
  yParams: fc.constantFrom("tensor", "row"),
  constB: fc.boolean(),
});

function matmulCase(k: number, c: Of<typeof arbMatmul>): Case {
  const M: number | "T" = c.symbolicM && c.aRank > 1 ? "T" : c.M;
  const batchOf = (rank: number, ones: boolean[]) => c.batch.slice(2 - Math.max(0, rank - 2)).map((d, i) => (ones[i] ? 1 : d));
  const aShape: Shape = c.aRank === 1 ? [c.K] : [...batchOf(c.aRank, c.aOnes), M, c.K];
  const bShape: Shape = c.bRank === 1 ? [c.K] : [...batchOf(c.bRank, c.bOnes), c.K, c.N];
  const rows: Shape = c.aRank === 1 ? [1] : [M], cols: Shape = c.bRank === 1 ? [1] : [c.N];
  const name = (s: string) => `${s}${k}`;
  const p = (s: string, dtype: DType, shape: Shape, kind: Operand["kind"]): Operand => ({ name: name(s), dtype, shape, kind, constant: false });
  const a = p("a", c.dtA, aShape, "data");
  const b = { ...p("b", c.dtB, bShape, "data"), constant: c.constB && !bShape.includes("T") };
  const azp = c.azp === "none" ? undefined : p("az", c.dtA, c.azp === "row" ? rows : [1], "zp");
  const bzp = c.bzp === "none" ? undefined : p("bz", c.dtB, c.bzp === "column" ? cols : [], "zp");
  if (!c.qlinear) {
    const ops = [a, b, ...(azp || bzp ? [azp ?? p("az", c.dtA, [], "zp")] : []), ...(bzp ? [bzp] : [])];
    return { operands: ops, line: `%${name("y")} = MatMulInteger(${ops.map((o) => "%" + o.name).join(", ")})`, output: name("y") };
  }
  const as = p("as", "f32", c.aScale === "row" ? rows : [], "scale");
  const bs = p("bs", "f32", c.bScale === "column" ? cols : [1], "scale");
  const ys = p("ys", "f32", c.yParams === "row" ? rows : [], "scale");
  const yz = p("yz", c.dtY, c.yParams === "row" ? rows : [1], "zp");
  const ops = [a, as, azp ?? p("az", c.dtA, [], "zp"), b, bs, bzp ?? p("bz", c.dtB, [], "zp"), ys, yz];
  return { operands: ops, line: `%${name("y")} = QLinearMatMul(${ops.map((o) => "%" + o.name).join(", ")})`, output: name("y") };
}

const arbConv = fc.record({
  qlinear: fc.boolean(),
  r: fc.integer({ min: 1, max: 3 }),
  N: fc.integer({ min: 1, max: 2 }),
  group: fc.integer({ min: 1, max: 3 }),
  Cg: fc.integer({ min: 1, max: 3 }),
  Mg: fc.integer({ min: 1, max: 2 }),
  kernel: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  strides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  dilations: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  spatial: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }),
  autoPad: fc.constantFrom("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"),
  symbolic: fc.boolean(),
  dtX: fc.constantFrom<DType>("u8", "i8"),
  dtW: fc.constantFrom<DType>("u8", "i8"),
  dtY: fc.constantFrom<DType>("u8", "i8"),
  xzp: fc.boolean(),
  wzp: fc.constantFrom("none", "tensor", "channel"),
  wScale: fc.constantFrom("tensor", "channel"),
  bias: fc.boolean(),
  constW: fc.boolean(),
});

function convCase(k: number, c: Of<typeof arbConv>): Case {
  const r = c.r;
  const kernel = c.kernel.slice(0, r), strides = c.strides.slice(0, r), dil = c.dilations.slice(0, r);
  const pads = [...c.pads.slice(0, r), ...c.pads.slice(3, 3 + r)];
  // Every input dim at least the dilated kernel, so that no output dim is empty (T's sets are 7 and 12).
  const spatial: Shape = c.spatial.slice(0, r).map((d, i) => Math.max(d, dil[i]! * (kernel[i]! - 1) + 1));
  if (c.symbolic && r === 1 && dil[0]! * (kernel[0]! - 1) + 1 <= 7) spatial[0] = "T";
  const C = c.group * c.Cg, M = c.group * c.Mg;
  const attrs = [`group=${c.group}`, `strides=[${strides.join(", ")}]`, `dilations=[${dil.join(", ")}]`];
  if (c.autoPad === "NOTSET") attrs.push(`pads=[${pads.join(", ")}]`);
  else attrs.push(`auto_pad="${c.autoPad}"`);
  const name = (s: string) => `${s}${k}`;
  const p = (s: string, dtype: DType, shape: Shape, kind: Operand["kind"]): Operand => ({ name: name(s), dtype, shape, kind, constant: false });
  const x = p("x", c.dtX, [c.N, C, ...spatial], "data");
  const w = { ...p("w", c.dtW, [M, c.Cg, ...kernel], "data"), constant: c.constW };
  const xz = p("xz", c.dtX, [], "zp");
  const wz = c.wzp === "none" ? undefined : p("wz", c.dtW, c.wzp === "channel" ? [M] : [1], "zp");
  let ops: Operand[], op: string;
  if (!c.qlinear) {
    op = "ConvInteger";
    ops = [x, w, ...(c.xzp || wz ? [xz] : []), ...(wz ? [wz] : [])];
  } else {
    op = "QLinearConv";
    ops = [x, p("xs", "f32", [], "scale"), xz, w, p("ws", "f32", c.wScale === "channel" ? [M] : [1], "scale"), wz ?? p("wz", c.dtW, [], "zp"),
      p("ys", "f32", [], "scale"), p("yz", c.dtY, [], "zp"), ...(c.bias ? [p("b", "i32", [M], "bias")] : [])];
  }
  return { operands: ops, line: `%${name("y")} = ${op}(${ops.map((o) => "%" + o.name).join(", ")}) {${attrs.join(", ")}}`, output: name("y") };
}

// ---- values -------------------------------------------------------------------------------------

/** The float32 edges: NaN, infinities, signed zeros, subnormals, past every float8 range, FLT_MAX. */
const FLOAT_EDGES = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 1e-38, 3e38, -3e38, 1e6, -7e4, 57344, 61440, 448, 464, 240, 0.5, 1.5, 2.5, -2.5];

function values(dtype: DType, kind: Operand["kind"], n: number, r: () => number): Tensor {
  const t = makeTensor(dtype, [n]);
  const d = t.data as unknown as { [i: number]: number };
  for (let i = 0; i < n; i++) {
    const u = r();
    // Powers of two keep x / scale exact, so the ties drawn below stay ties.
    if (kind === "scale") d[i] = u < 0.4 ? 2 ** (Math.floor(r() * 8) - 4) : Math.fround(2 ** (r() * 12 - 8));
    else if (kind === "bias") d[i] = u < 0.1 ? (u < 0.05 ? 2 ** 31 - 1 : -(2 ** 31)) : Math.floor(r() * 20001) - 10000;
    else if (isFloat8(dtype)) d[i] = kind === "zp" ? 0 : Math.floor(r() * 256);
    else if (dtype === "f32") d[i] = u < 0.2 ? FLOAT_EDGES[Math.floor(r() * FLOAT_EDGES.length)]! : u < 0.45 ? (2 * Math.floor(r() * 16) + 1) * 2 ** (Math.floor(r() * 24) - 16) * (r() < 0.5 ? -1 : 1) : (r() - 0.5) * 2 ** (r() * 40 - 10);
    else {
      const [lo, hi] = intRange(dtype);
      d[i] = kind === "zp" && u < 0.3 ? 0 : u < 0.1 ? (u < 0.05 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1));
    }
  }
  return t;
}

function tensorFor(o: Operand, T: number, r: () => number): Tensor {
  const shape = o.shape.map((d) => (d === "T" ? T : d));
  const v = values(o.dtype, o.kind, shape.reduce((a, b) => a * b, 1), r);
  return { ...v, shape };
}

// ---- the graph ----------------------------------------------------------------------------------

const SEED = 20261207;
const cases: Case[] = [
  ...fc.sample(arbLinear, { seed: SEED, numRuns: 40 }).map((c, k) => linearCase(k, c)),
  ...fc.sample(arbMatmul, { seed: SEED + 1, numRuns: 24 }).map((c, k) => matmulCase(100 + k, c)),
  ...fc.sample(arbConv, { seed: SEED + 2, numRuns: 24 }).map((c, k) => convCase(200 + k, c)),
];

// An int32 accumulator that wraps: K = 40000 products of 255 x 255 (2.6e9 > 2^31).
const WRAP_K = 40000;
const wrapCase: Case = {
  operands: [
    { name: "wa", dtype: "u8", shape: [2, WRAP_K], kind: "data", constant: false },
    { name: "wb", dtype: "u8", shape: [WRAP_K, 2], kind: "data", constant: false },
  ],
  line: "%wy = MatMulInteger(%wa, %wb)",
  output: "wy",
};
cases.push(wrapCase);

const constRng = randomSource(SEED);
const constants = cases.flatMap((c) => c.operands.filter((o) => o.constant).map((o) => constLine(o.name, tensorFor(o, 0, constRng))));
const graphInputs = cases.flatMap((c) => c.operands.filter((o) => !o.constant));
const text = `graph @onnx_quant(${graphInputs.map((o) => `%${o.name}: ${o.dtype}${fmt(o.shape)}`).join(", ")}) -> (${cases.map((c) => "%" + c.output).join(", ")}) {
${constants.join("\n")}
${cases.map((c) => "  " + c.line).join("\n")}
}`;
const g = parseGraph(text);

function inputSet(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const set = Object.fromEntries(graphInputs.map((o) => [o.name, tensorFor(o, T, r)]));
  set["wa"] = fromNumbers("u8", [2, WRAP_K], Array.from({ length: 2 * WRAP_K }, () => 255));
  set["wb"] = fromNumbers("u8", [WRAP_K, 2], Array.from({ length: 2 * WRAP_K }, (_, i) => (i % 2 ? Math.floor(r() * 256) : 255)));
  return set;
}
const SETS = [inputSet(7, 1), inputSet(12, 2)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("ONNX quantization ops in C are bit-exact with the interpreter", () => {
  it("the drawn cases cover every op, output type, granularity and auto_pad, and the edges show", () => {
    const ops = new Set(g.nodes.map((n) => n.op));
    expect([...ops].sort()).toEqual(["ConvInteger", "DequantizeLinear", "MatMulInteger", "QLinearConv", "QLinearMatMul", "QuantizeLinear"]);
    const qtypes = new Set(g.nodes.filter((n) => n.op === "QuantizeLinear").map((n) => g.types[n.outputs[0]!]!.dtype));
    expect(qtypes.size, [...qtypes].join(",")).toBeGreaterThanOrEqual(8);
    expect(g.nodes.some((n) => n.attrs["block_size"] !== undefined)).toBe(true);
    for (const ap of ["SAME_UPPER", "SAME_LOWER", "VALID"]) expect(g.nodes.some((n) => n.attrs["auto_pad"] === ap), ap).toBe(true);
    expect(g.inputs.some((v) => g.types[v]!.shape.includes("T" as never) || g.types[v]!.shape.some((d) => typeof d !== "number"))).toBe(true);
    expect((REFS[0]!["wy"]!.data as Int32Array)[0], "a sum of positive products reads negative once wrapped").toBeLessThan(0);
  });

  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 12 } }));
});
