// The C kernel of every unary element-wise op (codegen/kernels/unary.ts, made from the op's
// definition) against the interpreter, on every rig: c99 natively, aarch64 through SIMDe and
// under qemu, aarch64+dotprod and armv7 under qemu. One graph holds every op with every
// attribute sample of its definition (one output each), so each rig builds once; inputs cover
// the op's domain (wide for the ops defined everywhere, where the saturating and overflowing
// regions are), a dense stretch near 0, tiny magnitudes, and lengths with vector tails.
//
// Error bound, per element, against the interpreter's result r (the definition's function in
// double precision, rounded to float):
//   |c - r| <= (4 + k(x)) ulp(r) + g |x| 2^-23,   k(x) = |x f'(x) / f(x)| (capped at 2^20).
// 4 ulp is the float math of a few operations (the vector exp, tanh, sigmoid and erf are within
// 3 ulp, docs/codegen.md; measured here: at most 3 ulp, on Mish and Softplus). k(x), the
// condition number of f at x (from the derivative in the op's definition), is what rounding
// the input or an intermediate product by one ulp does to the result: large where f nearly
// cancels (HardSigmoid and HardSwish at the edge of their ramps, Log near 1) or grows fast
// (Swish with alpha 1.702 at x = -25). g = 1 for Gelu only: its forms compute x/2 * (1 + erf) or
// (1 + tanh), which cannot keep relative accuracy where the result is below ulp(1) |x|
// (x < -5.5); elsewhere g = 0.
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { opsWith } from "../../ir/traits.js";
import { domainOf } from "../../ir/unary.js";
import type { Attrs, Graph } from "../../ir/graph.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { GraphBuilder } from "../../src/testing/graph-builder.js";
import { Rng } from "../../src/testing/index.js";
import { ALL_RIGS, rigOrSkip } from "./helpers.js";

interface Case {
  readonly op: string;
  readonly attrs: Attrs;
  readonly input: string;
  readonly output: string;
}

/** Test points for an op: its domain (or [-30, 30] when defined everywhere), near 0, tiny values. */
function points(op: string, n: number, seed: number): Float32Array {
  const fn = opsWith("unary").find((d) => d.name === op)!.traits!.unary!;
  const rng = new Rng(seed);
  const r = () => rng.uniform(0, 1);
  const [lo, hi] = fn.domain ? domainOf(fn) : [-30, 30];
  const out: number[] = [];
  if (!fn.domain) out.push(0, -0, 1e-30, -1e-30, 1e-6, -1e-6, 3, -3, 20, -20);
  else out.push(lo, hi);
  while (out.length < n / 2) out.push(lo + (hi - lo) * r());
  const [nlo, nhi] = fn.domain ? [lo, Math.min(hi, lo + 2)] : [-4, 4];
  while (out.length < n) out.push(nlo + (nhi - nlo) * r());
  return Float32Array.from(out);
}

const N = 1023; // not a multiple of 4: every loop has a tail
const cases: Case[] = [];
const b = new GraphBuilder("unary_kernels");
const inputs: Record<string, Tensor> = {};
for (const def of opsWith("unary")) {
  const fn = def.traits!.unary!;
  if (!def.dtypes || def.dtypes.includes("f32")) {
    (fn.samples ?? [{}]).forEach((attrs, k) => {
      const input = b.input(`${def.name.toLowerCase()}_${k}`, { dtype: "f32", shape: [N] });
      inputs[input] = makeTensor("f32", [N], points(def.name, N, 17 + cases.length));
      const [output] = b.node(def.name, [input], attrs, `${def.name.toLowerCase()}_${k}_y`);
      cases.push({ op: def.name, attrs, input, output: output! });
    });
  }
}
const graph: Graph = b.build(cases.map((c) => c.input), cases.map((c) => c.output));
const ref = runGraph(graph, inputs);

/** Largest error of `got` against `want` in units of the bound above (<= 1 passes), and where. */
function worst(c: Case, x: Float32Array, got: Float32Array, want: Float32Array): { ratio: number; at: string } {
  const def = getOp(c.op);
  const fn = def.traits!.unary!;
  const a = resolveAttrs(def, c.attrs);
  const g = c.op === "Gelu" ? 1 : 0;
  let ratio = 0, at = "";
  for (let i = 0; i < want.length; i++) {
    const r = want[i]!, v = got[i]!, xi = x[i]!;
    if (Object.is(v, r) || (Number.isNaN(v) && Number.isNaN(r))) continue;
    const f = fn.f(xi, a);
    const k = f === 0 ? 0 : Math.min(2 ** 20, Math.abs((xi * fn.df(xi, f, a)) / f));
    const ar = Math.abs(r);
    const ulp = ar < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(ar)) - 23);
    const bound = (4 + k) * ulp + g * Math.abs(xi) * 2 ** -23;
    const q = Number.isFinite(v) ? Math.abs(v - r) / bound : Infinity;
    if (q > ratio) {
      ratio = q;
      at = `x=${xi}: C ${v}, interpreter ${r}, ${(Math.abs(v - r) / ulp).toFixed(1)} ulp, condition ${k.toFixed(1)}`;
    }
  }
  return { ratio, at };
}

describe("unary C kernels match the interpreter", () => {
  for (const [target, mode] of ALL_RIGS) {
    describe(`${target} (${mode})`, () => {
      it("every op and attribute sample within the bound", (ctx) => {
        const rig = rigOrSkip(ctx, target, mode);
        const model = compileGraph(graph, { target: getTarget(target) });
        const got = runBuild(model, buildModel(model, rig), inputs).outputs;
        const report: string[] = [];
        for (const c of cases) {
          const w = worst(c, inputs[c.input]!.data as Float32Array, got[c.output]!.data as Float32Array, ref[c.output]!.data as Float32Array);
          report.push(`${c.op}${JSON.stringify(c.attrs)} ${w.ratio.toFixed(3)}`);
          expect(w.ratio, `${c.op} ${JSON.stringify(c.attrs)} on ${target}/${mode}: ${w.at}`).toBeLessThanOrEqual(1);
        }
        console.log(`${target}/${mode} worst error / bound: ${report.join(", ")}`);
      }, 300_000);
    });
  }
});
