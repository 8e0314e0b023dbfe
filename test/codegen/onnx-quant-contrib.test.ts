// The C kernels of the com.microsoft QOperator ops (codegen/kernels/onnx-quant-contrib*.ts)
// against the interpreter, byte for byte, on every rig. Seeded random cases: int8 and uint8 data,
// f32 scales drawn at random and as powers of two (ties of the half-even rounding), zero points
// present or absent, parameters as constants or as graph inputs read at run time, shapes with a
// symbolic T; QLinearAdd/Mul with numpy broadcasting, QLinearLeakyRelu with random alpha,
// QLinearSigmoid (tabulated), QLinearConcat of 1-3 inputs along any axis, QLinearGlobalAveragePool
// over 1 and 2 spatial dims, QLinearSoftmax along an axis (opset 13) and over the 2-D coercion
// (opset 11), QGemm with transA/transB, per-column b parameters, an int32 C of every broadcast
// form and quantized or float output, and the com.microsoft QuantizeLinear/DequantizeLinear
// names; and DynamicQuantizeLinear with its outputs into MatMulInteger. Every case's outputs
// must vary (neither all saturated nor constant).
import { describe, expect, it } from "vitest";
import type { DType } from "../../ir/dtype.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { randomSource } from "../../src/testing/index.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, constLine, itOnRigs } from "./helpers.js";

const rnd = randomSource(77);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

type Shape = (number | "T")[];
/** A graph input: its type and how each input set draws its values (given T). */
interface Input { readonly name: string; readonly dtype: DType; readonly shape: Shape; draw(n: number, r: () => number): number[] }
const inputs: Input[] = [];
const consts: string[] = [];
const body: string[] = [];
const outputs: string[] = [];
let uid = 0;

const range = (dt: DType): [number, number] => (dt === "u8" ? [0, 255] : [-128, 127]);
const fmt = (s: Shape) => `[${s.join(",")}]`;

/** A data operand (always a graph input): full-range values, a fifth of them at the edges. */
function data(dt: DType, shape: Shape): string {
  const name = `x${uid++}`;
  const [lo, hi] = range(dt);
  inputs.push({ name, dtype: dt, shape, draw: (n, r) => Array.from({ length: n }, () => (r() < 0.2 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1)))) });
  return `%${name}`;
}

/** A scalar parameter: a constant, or a graph input every set gives the same value. */
function param(dt: DType, v: number, runtime: boolean): string {
  const name = `p${uid++}`;
  if (runtime) inputs.push({ name, dtype: dt, shape: [], draw: () => [v] });
  else consts.push(constLine(name, fromNumbers(dt, [], [v])));
  return `%${name}`;
}

/** A scale of data with about `spread` distinct values over its range. */
const scale = (base: number) => (rnd() < 0.3 ? 2 ** Math.round(Math.log2(base)) : Math.fround(base * (0.5 + rnd())));
const zp = (dt: DType) => (dt === "u8" ? int(100, 156) : int(-20, 20));
/** (scale, zero point or `_`) as two operands. */
function pair(dt: DType, s: number, runtime: boolean, withZp = rnd() < 0.8): [string, string] {
  return [param("f32", s, runtime), withZp ? param(dt, zp(dt), runtime) : "_"];
}
function emit(line: (y: string) => string): void {
  const y = `y${uid++}`;
  body.push(`  %${y} = ${line(`%${y}`)}`);
  outputs.push(y);
}

const DT: DType[] = ["u8", "i8"];
const BCAST: [Shape, Shape][] = [[[2, "T", 3], [2, "T", 3]], [[2, "T", 3], [3]], [[2, "T", 3], [1, "T", 1]], [[1, "T"], [2, 1, 1]], [["T", 4], []]];

for (let i = 0; i < 6; i++) {
  const op = i % 2 === 0 ? "QLinearAdd" : "QLinearMul";
  const dt = pick(DT), rt = rnd() < 0.5;
  const [sa, sb] = BCAST[i % BCAST.length]!;
  const a = data(dt, sa), b = data(dt, sb);
  const [as, az] = pair(dt, scale(0.05), rt), [bs, bz] = pair(dt, scale(0.03), rt);
  const [cs, cz] = pair(dt, op === "QLinearAdd" ? scale(0.06) : scale(4), rt);
  emit(() => `${op}(${a}, ${as}, ${az}, ${b}, ${bs}, ${bz}, ${cs}, ${cz})`);
}
for (let i = 0; i < 3; i++) {
  const dt = pick(DT), rt = i === 0;
  const x = data(dt, [2, "T", 3]);
  const [xs, xz] = pair(dt, scale(0.05), rt), [ys, yz] = pair(dt, scale(0.04), rt);
  emit(() => `QLinearLeakyRelu(${x}, ${xs}, ${xz}, ${ys}, ${yz}) {alpha=${Math.fround(0.05 + rnd() * 0.3)}}`);
}
for (let i = 0; i < 3; i++) {
  const dt = pick(DT);
  const x = data(dt, ["T", 5]);
  const [xs, xz] = pair(dt, scale(0.04), false), [ys, yz] = pair(dt, 1 / 256, false, dt === "i8");
  emit(() => `QLinearSigmoid(${x}, ${xs}, ${xz}, ${ys}, ${yz})`);
}
for (let i = 0; i < 4; i++) {
  const dt = pick(DT), rt = rnd() < 0.5, axis = [0, 1, 2, -1][i]!;
  const count = 1 + (i % 3);
  const parts = Array.from({ length: count }, (_, k) => {
    const shape: Shape = [2, "T", 3];
    const ax = axis < 0 ? 2 : axis;
    if (ax !== 1) shape[ax] = 1 + k;
    const [s, z] = pair(dt, scale(0.05), rt, true);
    return `${data(dt, shape)}, ${s}, ${z}`;
  });
  const [ys, yz] = pair(dt, scale(0.06), rt, true);
  emit(() => `QLinearConcat(${ys}, ${yz}, ${parts.join(", ")}) {axis=${axis}}`);
}
for (const shape of [[2, 3, "T"], [1, 4, "T", 3]] as Shape[]) {
  const dt = pick(DT), rt = shape.length === 3;
  const x = data(dt, shape);
  const [xs, xz] = pair(dt, scale(0.05), rt, true), [ys, yz] = pair(dt, scale(0.02), rt);
  emit(() => `QLinearGlobalAveragePool(${x}, ${xs}, ${xz}, ${ys}, ${yz})`);
}
for (const [axis, opset] of [[-1, 13], [1, 13], [0, 13], [1, 11], [2, 11]] as const) {
  const dt = pick(DT);
  const x = data(dt, [2, "T", 5]);
  const [xs, xz] = pair(dt, scale(0.08), false), [ys, yz] = pair(dt, 1 / 256, rnd() < 0.5, dt === "i8");
  emit(() => `QLinearSoftmax(${x}, ${xs}, ${xz}, ${ys}, ${yz}) {axis=${axis}, opset=${opset}}`);
}
const C_SHAPES: (Shape | undefined)[] = [undefined, [5], ["T", 5], [1, 5], ["T", 1], []];
for (let i = 0; i < 8; i++) {
  const da = pick(DT), db = pick(DT), rt = rnd() < 0.5, tA = i % 2, tB = (i >> 1) % 2, K = int(1, 40), N = 5;
  const a = data(da, tA ? [K, "T"] : ["T", K]);
  const bShape: Shape = tB ? [N, K] : [K, N];
  let b: string;
  if (rnd() < 0.5) b = data(db, bShape);
  else {
    const name = `w${uid++}`;
    const [lo, hi] = range(db);
    consts.push(constLine(name, fromNumbers(db, bShape as number[], Array.from({ length: K * N }, () => int(lo, hi)))));
    b = `%${name}`;
  }
  const [as, az] = pair(da, scale(0.05), rt, true);
  const perCol = rnd() < 0.5;
  const bsv = Array.from({ length: perCol ? N : 1 }, () => scale(0.02));
  const bzv = Array.from({ length: perCol ? N : 1 }, () => zp(db));
  const bs = `%p${uid}`, bz = `%p${uid + 1}`;
  consts.push(constLine(`p${uid++}`, fromNumbers("f32", perCol ? [N] : [], bsv)), constLine(`p${uid++}`, fromNumbers(db, perCol ? [N] : [], bzv)));
  const cShape = C_SHAPES[i % C_SHAPES.length];
  const c = cShape ? data("i32" as DType, cShape) : "_";
  const quant = i < 6;
  const dy = pick(DT);
  const [ys, yz] = quant ? pair(dy, scale(0.05 * Math.sqrt(K)), rt, true) : ["_", "_"];
  const alpha = pick([1, 0.5, Math.fround(0.7 + rnd())]);
  emit(() => `QGemm(${a}, ${as}, ${az}, ${b}, ${bs}, ${bz}, ${c}${quant ? `, ${ys}, ${yz}` : ""}) {alpha=${alpha}, transA=${tA}, transB=${tB}}`);
}
{
  const x = data("i8", [2, "T"]);
  const f = `%f${uid++}`;
  inputs.push({ name: f.slice(1), dtype: "f32", shape: ["T", 3], draw: (n, r) => Array.from({ length: n }, () => (r() - 0.5) * 20) });
  emit(() => `MsQuantizeLinear(${f}, ${param("f32", 0.0625, false)}, ${param("u8", 131, false)})`);
  emit(() => `MsDequantizeLinear(${x}, ${param("f32", 0.03, false)}, ${param("i8", -3, false)})`);
}
// DynamicQuantizeLinear (ONNX, not com.microsoft; its C is onnx-quant-dynamic.ts): mixed signs,
// all positive, all negative with ties of x / scale, all zero (scale 1/255); then the
// quantize_dynamic pattern, its outputs into MatMulInteger.
const flat = new Set<string>();
for (const kind of ["mixed", "positive", "negative", "zero"] as const) {
  const name = `f${uid++}`;
  inputs.push({
    name, dtype: "f32", shape: ["T", 6], draw: (n, r) => Array.from({ length: n }, (_, i) => {
      if (kind === "zero") return 0;
      if (kind === "negative") return -(1 + Math.floor(r() * 64)) / 8;
      const v = (r() < 0.1 ? Math.round(r() * 8) : r() * 9) * (kind === "mixed" && i % 3 !== 0 ? -1 : 1);
      return kind === "mixed" ? v * 0.37 : Math.abs(v);
    }),
  });
  const y = `y${uid++}`, ys = `y${uid++}`, yz = `y${uid++}`;
  body.push(`  %${y}, %${ys}, %${yz} = DynamicQuantizeLinear(%${name})`);
  outputs.push(y, ys, yz);
  flat.add(ys).add(yz);
  if (kind === "zero") flat.add(y);
  if (kind === "mixed") {
    const w = `w${uid++}`;
    consts.push(constLine(w, fromNumbers("i8", [6, 4], Array.from({ length: 24 }, () => int(-128, 127)))));
    emit(() => `MatMulInteger(%${y}, %${w}, %${yz})`);
  }
}

const g = parseGraph(`graph @g(${inputs.map((p) => `%${p.name}: ${p.dtype}${fmt(p.shape)}`).join(", ")}) -> (${outputs.map((o) => `%${o}`).join(", ")}) {
${consts.join("\n")}
${body.join("\n")}
}`);

function set(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const out: Record<string, Tensor> = {};
  for (const p of inputs) {
    const shape = p.shape.map((d) => (d === "T" ? T : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = p.dtype === "i32" ? Array.from({ length: n }, () => Math.floor((r() - 0.5) * 4000)) : p.draw(n, r);
    out[p.name] = fromNumbers(p.dtype, shape, vals);
  }
  return out;
}
const SETS = [set(9, 1), set(4, 2), set(1, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("the com.microsoft QOperator kernels match the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 12 } }));

  it("every case's outputs vary", () => {
    for (const o of outputs.filter((v) => !flat.has(v))) {
      const y = Array.from(REFS[0]![o]!.data as ArrayLike<number>);
      expect(new Set(y).size, `${o}: ${g.nodes.find((n) => n.outputs[0] === o)!.op}`).toBeGreaterThan(Math.min(3, y.length / 4));
    }
  });
});
