// Every unary element-wise op's scalar C (c-math.ts scalarMath: the loop math of vmath.ts and
// loop-math-unary.ts, bit-mask selects; what c99 runs, and the NEON loops' tails) on the special
// floats: NaN, infinities, signed zeros, subnormals, the largest magnitudes. NaN must come out
// exactly where the interpreter gives NaN, and every other result within 4 ulp of the
// interpreter's (infinities equal; a subnormal or zero reference within 2^-126). c99 with the
// rig's flags and with -O3 -march=native (the vectorized loops). The NEON vector forms are not
// held to this: armv7 flushes subnormals to zero, and SIMDe's reciprocal estimates give NaN at
// 0 and infinity.
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import { opsWith } from "../../ir/traits.js";
import type { Graph } from "../../ir/graph.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { GraphBuilder } from "../../src/testing/graph-builder.js";
import { rigOrSkip } from "./helpers.js";

const SPECIAL = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 3.4028235e38, -3.4028235e38, 1e30, -1e30, 88.8, -104.5, 1, -1]);

const b = new GraphBuilder("unary_special");
const inputs: Record<string, Tensor> = {};
const outs: { op: string; output: string }[] = [];
for (const def of opsWith("unary")) {
  if (def.dtypes && !def.dtypes.includes("f32")) continue;
  (def.traits!.unary!.samples ?? [{}]).forEach((attrs, k) => {
    const input = b.input(`${def.name.toLowerCase()}_${k}`, { dtype: "f32", shape: [SPECIAL.length] });
    inputs[input] = makeTensor("f32", [SPECIAL.length], SPECIAL.slice());
    const [output] = b.node(def.name, [input], attrs, `${def.name.toLowerCase()}_${k}_y`);
    outs.push({ op: `${def.name} ${JSON.stringify(attrs)}`, output: output! });
  });
}
const graph: Graph = b.build(Object.keys(inputs), outs.map((o) => o.output));
const ref = runGraph(graph, inputs);

function ulp(r: number): number {
  const a = Math.abs(r);
  return a < 2 ** -126 ? 2 ** -126 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Every element outside the rule of the header, as "op x: C c, interpreter r". */
function misses(got: Record<string, Tensor>): string[] {
  const bad: string[] = [];
  for (const { op, output } of outs) {
    const c = got[output]!.data as Float32Array, w = ref[output]!.data as Float32Array;
    for (let i = 0; i < w.length; i++) {
      const r = w[i]!, v = c[i]!;
      const ok = Number.isNaN(r)
        ? Number.isNaN(v)
        : !Number.isFinite(r) ? v === r : Number.isFinite(v) && Math.abs(v - r) <= 4 * ulp(r);
      if (!ok) bad.push(`${op} ${SPECIAL[i]}: C ${v}, interpreter ${r}`);
    }
  }
  return bad;
}

const RIGS = [["c99", "native", []], ["c99", "native", ["-O3", "-march=native"]]] as const;

describe("unary C kernels on special values", () => {
  for (const [target, mode, flags] of RIGS) {
    it(`NaN where the interpreter has NaN, the rest within 4 ulp: ${target} (${mode}${flags.length ? ` ${flags.join(" ")}` : ""})`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      const model = compileGraph(graph, { target: getTarget(target) });
      expect(misses(runBuild(model, buildModel(model, rig, { extraFlags: flags }), inputs).outputs)).toEqual([]);
    }, 300_000);
  }
});
