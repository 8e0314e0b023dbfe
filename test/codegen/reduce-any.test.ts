// Every Reduce* op and LpNormalization in C against the interpreter, over random cases drawn by
// fast-check (one graph per rig, one input and output per case, two values of a symbolic dim T,
// T = 1 among them): ranks 1-4, any set of axes (negative ones too, with gaps, none: all axes or
// the no-op with noop_with_empty_axes), keepdims, every dtype the reductions take. Integer
// outputs and the float folds without exp/log (Max, Min, Prod, L1, L2, LpNormalization) equal the
// interpreter's byte for byte; LogSum and LogSumExp within 1e-12 of the largest output (exp and
// log of the C library against JavaScript's), sums and means within 1e-6 (the float32 kernels of
// a contiguous run of axes sum in float, in lanes).
import fc from "fast-check";
import { describe, expect } from "vitest";
import type { DType } from "../../ir/dtype.js";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { buildModel, compareTensors, runBuild } from "../../codegen/build.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, countDiffs, itOnRigs } from "./helpers.js";

const REDUCE_OPS = [
  "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
] as const;
const EXACT_OPS = new Set(["ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "LpNormalization"]);
const INT_TYPES: readonly DType[] = ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"];

interface Case {
  readonly name: string; readonly dtype: DType; readonly shape: readonly number[]; readonly sym: number; readonly positive: boolean;
  /** The largest error allowed, relative to the largest output; 0 is byte for byte. */
  readonly tol: number;
}
const cases: Case[] = [];
const inputs: string[] = [], lines: string[] = [];

/** The case's input in text form, the dim at `sym` (or none for -1) written as T. */
function addInput(name: string, dtype: DType, shape: readonly number[], sym: number): void {
  inputs.push(`%${name}: ${dtype}[${shape.map((d, i) => (i === sym ? "T" : String(d))).join(",")}]`);
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const reduceCase = shapeArb.chain((shape) => fc.record({
  shape: fc.constant(shape),
  op: fc.constantFrom(...REDUCE_OPS),
  dtype: fc.constantFrom<DType>("f32", "f32", "f32", "f64", ...INT_TYPES),
  axes: fc.subarray(shape.map((_, i) => i)).chain((a) => fc.tuple(...a.map((v) => fc.constantFrom(v, v - shape.length)))),
  keepdims: fc.integer({ min: 0, max: 1 }),
  noop: fc.integer({ min: 0, max: 1 }),
  sym: fc.integer({ min: -1, max: shape.length - 1 }),
}));
fc.sample(reduceCase, { seed: 20261207, numRuns: 48 }).forEach((c, i) => {
  const name = `r${i}`;
  addInput(`x${i}`, c.dtype, c.shape, c.sym);
  const attrs = [`keepdims=${c.keepdims}`, `noop_with_empty_axes=${c.noop}`, ...(c.axes.length > 0 ? [`axes=[${c.axes.join(",")}]`] : [])];
  lines.push(`  %${name} = ${c.op}(%x${i}) {${attrs.join(", ")}}`);
  const int = INT_TYPES.includes(c.dtype);
  cases.push({ name, dtype: c.dtype, shape: c.shape, sym: c.sym, positive: c.op.startsWith("ReduceLog"), tol: int || EXACT_OPS.has(c.op) ? 0 : c.op.startsWith("ReduceLog") ? 1e-12 : 1e-6 });
});

const lpCase = shapeArb.chain((shape) => fc.record({
  shape: fc.constant(shape), dtype: fc.constantFrom<DType>("f32", "f64"), p: fc.constantFrom(1, 2),
  axis: fc.integer({ min: -shape.length, max: shape.length - 1 }), sym: fc.integer({ min: -1, max: shape.length - 1 }),
}));
fc.sample(lpCase, { seed: 7, numRuns: 10 }).forEach((c, i) => {
  const name = `lp${i}`;
  addInput(`y${i}`, c.dtype, c.shape, c.sym);
  lines.push(`  %${name} = LpNormalization(%y${i}) {axis=${c.axis}, p=${c.p}}`);
  cases.push({ name, dtype: c.dtype, shape: c.shape, sym: c.sym, positive: false, tol: 0 });
});

const g = parseGraph(`graph @reductions(${inputs.join(", ")}) -> (${cases.map((c) => `%${c.name}`).join(", ")}) {
${lines.join("\n")}
}`);
const inputNames = g.inputs;

const rng = new Rng(99);
/** Values where every op is defined in every dtype: positive for the logs (no log of 0 or less). */
function values(c: Case, shape: number[]): Tensor {
  if (INT_TYPES.includes(c.dtype)) {
    const signed = c.dtype.startsWith("i") && !c.positive;
    return seededTensor(rng, c.dtype, shape, { values: { min: c.positive ? 1 : signed ? -3 : 0, max: 3 } });
  }
  return seededTensor(rng, c.dtype, shape, { values: c.positive ? { min: 0.1, max: 2 } : { min: -2, max: 2 } });
}
const sets: Record<string, Tensor>[] = [1, 4].map((T) =>
  Object.fromEntries(cases.map((c, k) => [inputNames[k]!, values(c, c.shape.map((d, i) => (i === c.sym ? T : d)))])));

describe("Reduce* over any axes and LpNormalization in C", () => {
  itOnRigs(ALL_RIGS, (target, rig) => {
    const model = compileGraph(g, { target: getTarget(target), maxDims: { T: 4 } });
    const build = buildModel(model, rig);
    sets.forEach((set, k) => {
      const got = runBuild(model, build, set, 1).outputs;
      const want = runGraph(g, set);
      for (const c of cases) {
        const where = `${target}/${rig.mode} set ${k} ${lines[cases.indexOf(c)]!.trim()} on ${c.dtype}[${c.shape.join(",")}]`;
        const a = got[c.name]!, b = want[c.name]!;
        expect(a.shape, `${where}: shape`).toEqual(b.shape);
        if (c.tol === 0) {
          const { bad, first } = countDiffs(a.data as ArrayLike<unknown>, b.data as ArrayLike<unknown>);
          expect(bad, `${where}: ${bad} differ, first ${first}`).toBe(0);
        } else {
          const d = compareTensors(a, b);
          expect(d.rel, `${where}: max abs error ${d.maxAbs} vs max |ref| ${d.maxRef}`).toBeLessThanOrEqual(c.tol);
        }
      }
    });
  });
});
