// Softmax and LogSoftmax in C (codegen/kernels/softmax.ts: the loop exp of x - max; along the
// channel axis the running max stored per position, rows strided by T; along the last axis
// contiguous rows, the max of integer order keys and the sum in lanes) against the interpreter. A fast-check property draws T and the values: ordinary ones, rows spread far
// enough that e^(x - max) underflows, and NaN, +inf and -inf, after which the C must give NaN
// exactly where the interpreter does (a NaN or +inf in a row makes the row NaN; -inf alone
// gives e^ = 0). Finite results within the rounding of float arithmetic, in units u = 2^-23:
// x - max is rounded to float before the exp, an error of up to (|x| + |max|) u/2 in the
// exponent, hence in e^ relatively, and the float sum of up to 24 terms, the exp (1 ulp), the
// log, the division add a few u more; so Softmax |c - r| <= |r| (16 + |x| + M) u + 1e-44
// (subnormal results), LogSoftmax |c - r| <= (16 + |r| + |x| + 2M) u, M the row's largest
// finite |x|. c99 with the rig's flags and -O3 -march=native (where gcc vectorizes every pass),
// aarch64 through SIMDe, armv7 under qemu.
import fc from "fast-check";
import { describe, expect } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import type { Rig } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { itOnRigs } from "./helpers.js";

const C = 7;
const MAX_T = 24;
const U = 2 ** -23;
const g = parseGraph(`graph @sm(%x: f32[1,${C},T]) -> (%ls_c, %sm_c, %ls_t, %sm_t) {
  %ls_c = LogSoftmax(%x) {axis=1}
  %sm_c = Softmax(%x) {axis=1}
  %ls_t = LogSoftmax(%x) {axis=-1}
  %sm_t = Softmax(%x) {axis=-1}
}`);

const value = fc.oneof(
  { weight: 20, arbitrary: fc.float({ min: -30, max: 30, noNaN: true }) },
  { weight: 3, arbitrary: fc.float({ min: -3e4, max: 3e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
);
const drawn = fc.integer({ min: 1, max: MAX_T }).chain((T) => fc.array(value, { minLength: C * T, maxLength: C * T }).map((v) => ({ T, v })));

/** Largest |x| of the row of element i of a [C, T] tensor along `axis` (1: channels, 2: time). */
function rowMax(x: Float32Array, T: number, i: number, axis: 1 | 2): number {
  const c = Math.floor(i / T), t = i % T;
  let m = 0;
  for (let k = 0; k < (axis === 1 ? C : T); k++) {
    const v = Math.abs(x[axis === 1 ? k * T + t : c * T + k]!);
    if (v > m && Number.isFinite(v)) m = v;
  }
  return m;
}

/** The first element where the C output differs from the interpreter's beyond the bound, or undefined. */
function firstMiss(x: Float32Array, T: number, got: Record<string, Tensor>, ref: Record<string, Tensor>): string | undefined {
  for (const o of g.outputs) {
    const a = got[o]!.data as Float32Array, b = ref[o]!.data as Float32Array;
    const axis = o.endsWith("_c") ? 1 : 2;
    for (let i = 0; i < b.length; i++) {
      const c = a[i]!, r = b[i]!, xi = Math.abs(x[i]!), m = rowMax(x, T, i, axis);
      const bound = o.startsWith("ls") ? (16 + Math.abs(r) + xi + 2 * m) * U : Math.abs(r) * (16 + xi + m) * U + 1e-44;
      const ok = Number.isNaN(r) ? Number.isNaN(c) : c === r || Math.abs(c - r) <= bound;
      if (!ok) return `${o}[${i}] (T=${T}): C ${c}, interpreter ${r}`;
    }
  }
  return undefined;
}

function check(target: string, rig: Rig, flags: readonly string[], runs: number): void {
  const model = compileGraph(g, { target: getTarget(target), maxDims: { T: MAX_T } });
  const build = buildModel(model, rig, { extraFlags: flags });
  fc.assert(fc.property(drawn, ({ T, v }) => {
    const x = makeTensor("f32", [1, C, T], Float32Array.from(v));
    const got = runBuild(model, build, { x }).outputs;
    expect(firstMiss(x.data as Float32Array, T, got, runGraph(g, { x }))).toBeUndefined();
  }), { numRuns: runs });
}

describe("Softmax and LogSoftmax in C match the interpreter, NaN and infinities included", () => {
  itOnRigs([["c99", "native"]], (t, rig) => check(t, rig, [], 40), "rig flags");
  itOnRigs([["c99", "native"]], (t, rig) => check(t, rig, ["-O3", "-march=native"], 40), "-O3 -march=native");
  itOnRigs([["aarch64", "simde"], ["armv7", "qemu"]], (t, rig) => check(t, rig, [], 12));
});
