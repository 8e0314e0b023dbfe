// Property tests of the com.microsoft QOperator lowerings in `import-qdq`: over random scales
// (three decades), zero points, 8-bit types and data, the integer op the pass writes computes
// what the op's reference (its formula, ties to even) computes: exactly for the table ops
// (QLinearSigmoid, QLinearLeakyRelu -> QLookup), within 1 LSB for QLinearAdd, QLinearMul and
// QLinearConcat (the fixed-point multiplier has 31 bits), and equal on nearly every value.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { intRange, type DType } from "../../../ir/dtype.js";
import { makeGraph, type Graph, type Node } from "../../../ir/graph.js";
import { fromNumbers, type Tensor, type TensorType } from "../../../ir/types.js";
import { importQdqGraph } from "../../../passes/import-qdq/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { agreement } from "../../../src/testing/index.js";
import "../../../ir/ops/index.js";

type Q8 = "u8" | "i8";
const SHAPE = [2, 3, 16];
const N = 2 * 3 * 16;

const dtypeArb = fc.constantFrom<Q8>("u8", "i8");
/** Scales spread over three decades, as float32 values. */
const scaleArb = fc.double({ min: -3, max: 0, noNaN: true }).map((e) => Math.fround(10 ** e));
const zpArb = (dt: Q8) => { const [lo, hi] = intRange(dt as DType); return fc.integer({ min: lo, max: hi }); };
const dataArb = (dt: Q8) => { const [lo, hi] = intRange(dt as DType); return fc.array(fc.integer({ min: lo, max: hi }), { minLength: N, maxLength: N }); };

interface Operand { dt: Q8; scale: number; zp: number; data: number[] }
const operandArb = (dt: Q8): fc.Arbitrary<Operand> => fc.record({ dt: fc.constant(dt), scale: scaleArb, zp: zpArb(dt), data: dataArb(dt) });
const paramsArb = (dt: Q8) => fc.record({ scale: scaleArb, zp: zpArb(dt) });

/** A graph of one QOperator node reading integer inputs; parameters are constants. */
function graphOf(op: string, inputs: { name: string; dt: Q8; scale?: number; zp?: number; data?: number[] }[], layout: string[], out: { dt: Q8; shape: number[] }, attrs: Node["attrs"] = {}): { g: Graph; feeds: Record<string, Tensor> } {
  const constants: Record<string, Tensor> = {};
  const types: Record<string, TensorType> = {};
  const feeds: Record<string, Tensor> = {};
  for (const i of inputs) {
    if (i.data) {
      feeds[i.name] = fromNumbers(i.dt, SHAPE, i.data);
      types[i.name] = { dtype: i.dt, shape: SHAPE };
    }
    constants[`${i.name}_s`] = fromNumbers("f32", [], [i.scale!]);
    constants[`${i.name}_z`] = fromNumbers(i.dt, [], [i.zp!]);
  }
  for (const [k, t] of Object.entries(constants)) types[k] = { dtype: t.dtype, shape: t.shape };
  types["y"] = { dtype: out.dt, shape: out.shape };
  const g = makeGraph({
    name: "p", inputs: Object.keys(feeds), outputs: ["y"], types, constants,
    nodes: [{ name: "op", op, inputs: layout, outputs: ["y"], attrs }],
  });
  return { g, feeds };
}

function compare(g: Graph, feeds: Record<string, Tensor>, intOp: string): { max: number; exact: number } {
  const low = importQdqGraph(g);
  expect(low.nodes.map((n) => n.op)).toEqual([intOp]);
  const a = agreement(runGraph(g, feeds).y!, runGraph(low, feeds).y!);
  return { max: a.max, exact: a.exact / a.n };
}

describe("import-qdq on com.microsoft ops, random parameters", () => {
  for (const op of ["QLinearAdd", "QLinearMul"] as const) {
    it(`${op} -> ${op === "QLinearAdd" ? "QAdd" : "QMul"}: within 1 LSB of the reference`, () => {
      let exact = 0, runs = 0;
      fc.assert(fc.property(dtypeArb.chain((dt) => fc.tuple(operandArb(dt), operandArb(dt), paramsArb(dt))), ([a, b, c]) => {
        const { g, feeds } = graphOf(op, [
          { name: "a", ...a }, { name: "b", ...b }, { name: "c", dt: a.dt, scale: c.scale, zp: c.zp },
        ], ["a", "a_s", "a_z", "b", "b_s", "b_z", "c_s", "c_z"], { dt: a.dt, shape: SHAPE });
        const r = compare(g, feeds, op === "QLinearAdd" ? "QAdd" : "QMul");
        exact += r.exact;
        runs++;
        return r.max <= 1;
      }), { numRuns: 60 });
      console.log(`${op}: ${(100 * exact / runs).toFixed(2)}% of values equal to the reference over ${runs} random cases`);
      expect(exact / runs).toBeGreaterThan(0.99);
    });
  }

  for (const op of ["QLinearSigmoid", "QLinearLeakyRelu"] as const) {
    it(`${op} -> QLookup: equal to the reference`, () => {
      fc.assert(fc.property(dtypeArb.chain((dt) => fc.tuple(operandArb(dt), paramsArb(dt), fc.double({ min: 0, max: 1, noNaN: true }))), ([x, y, alpha]) => {
        const { g, feeds } = graphOf(op, [{ name: "x", ...x }, { name: "y", dt: x.dt, scale: y.scale, zp: y.zp }],
          ["x", "x_s", "x_z", "y_s", "y_z"], { dt: x.dt, shape: SHAPE }, op === "QLinearLeakyRelu" ? { alpha: Math.fround(alpha) } : {});
        return compare(g, feeds, "QLookup").max === 0;
      }), { numRuns: 60 });
    });
  }

  it("QLinearConcat -> QConcat: within 1 LSB of the reference", () => {
    let exact = 0, runs = 0;
    fc.assert(fc.property(dtypeArb.chain((dt) => fc.tuple(operandArb(dt), operandArb(dt), paramsArb(dt))), ([a, b, y]) => {
      const { g, feeds } = graphOf("QLinearConcat", [{ name: "a", ...a }, { name: "b", ...b }, { name: "y", dt: a.dt, scale: y.scale, zp: y.zp }],
        ["y_s", "y_z", "a", "a_s", "a_z", "b", "b_s", "b_z"], { dt: a.dt, shape: [2, 6, 16] }, { axis: 1 });
      const r = compare(g, feeds, "QConcat");
      exact += r.exact;
      runs++;
      return r.max <= 1;
    }), { numRuns: 60 });
    console.log(`QLinearConcat: ${(100 * exact / runs).toFixed(2)}% of values equal to the reference over ${runs} random cases`);
    expect(exact / runs).toBeGreaterThan(0.99);
  });
});
