// The float fast paths of the C kernels against the interpreter: the register-blocked GEMM
// (row and column tails: 16-row blocks with fewer valid rows, 8-row blocks, the last 8-column
// block that overlaps the previous one, single columns below 8), the direct 1-D convolution
// through row offsets (strides, dilations, asymmetric pads, groups, strided pointwise), the
// blocked MatMul / Gemm, and the LSTM / GRU with their batched input projection, packed
// recurrent product and branch-free cell math. Each graph runs on c99 built twice (the test
// rig's flags, and -O3 -march=native, which on AVX-512 hosts takes the 512-bit 16 x 16 blocks),
// on aarch64 through SIMDe and on armv7 under qemu. Also: the loop math of vmath.ts (sigmoid,
// tanh, and exp of x <= 0, which the softmax kernels use) in ulp, in its vectorized form; a
// fast-check property over 1-D conv geometry; and the c99 recurrent product with its weights at
// each of the 16 float offsets within a cache line (the misaligned path), against a
// double-precision product.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatTensor, parseGraph } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import { loopMathSource } from "../../codegen/kernels/vmath.js";
import { unaryLoopMathSource } from "../../codegen/kernels/loop-math-unary.js";
import { writeSources } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { type Rig } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { checkGraph, rigOrSkip, constLine } from "./helpers.js";

const rng = new Rng(8080);
const rand = (shape: number[], lo = -1, hi = 1): Tensor => seededTensor(rng, "f32", shape, { values: { min: lo, max: hi } });
const konst = constLine;

/** Rigs: [target, mode, extra flags, label]. */
const NATIVE_FAST = ["-O3", "-march=native"];
const RIGS: [string, "native" | "simde" | "qemu", string[]][] = [
  ["c99", "native", []],
  ["c99", "native", NATIVE_FAST],
  ["aarch64", "simde", []],
  ["armv7", "qemu", []],
];

const workDir = path.join(os.tmpdir(), `neonc-float-fast-${process.pid}`);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** One test per entry of RIGS (each skipped by itself when its rig is missing) checking g on the sets. */
function itEverywhere(g: Graph, sets: Record<string, Tensor>[], maxT: number): void {
  for (const [target, mode, flags] of RIGS) {
    it(`${target} (${mode})${flags.length > 0 ? ` ${flags.join(" ")}` : ""}`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      checkGraph(g, target, rig, sets, { maxDims: { T: maxT }, build: { extraFlags: flags }, tol: 1e-5 });
    });
  }
}

const CONV_GRAPH = parseGraph(`graph @conv(%x: f32[1,12,T]) -> (%p1, %p2, %p3, %p4, %p5, %p6) {
${konst("w1", rand([29, 12, 1], -0.5, 0.5))}
${konst("b1", rand([29]))}
${konst("w2", rand([9, 12, 3], -0.5, 0.5))}
${konst("b2", rand([9]))}
${konst("w3", rand([17, 12, 5], -0.5, 0.5))}
${konst("w4", rand([6, 4, 4], -0.5, 0.5))}
${konst("b4", rand([6]))}
${konst("w5", rand([33, 12, 1], -0.5, 0.5))}
${konst("w6", rand([40, 12, 7], -0.3, 0.3))}
${konst("b6", rand([40]))}
  %p1 = Conv(%x, %w1, %b1) {kernel_shape=[1], activation="Relu"}
  %p2 = Conv(%x, %w2, %b2) {kernel_shape=[3], pads=[1, 1]}
  %p3 = Conv(%x, %w3) {kernel_shape=[5], strides=[3], dilations=[2], pads=[4, 2], activation="Clip", activation_params=[-0.4, 0.6]}
  %p4 = Conv(%x, %w4, %b4) {kernel_shape=[4], strides=[2], pads=[0, 3], group=3, activation="LeakyRelu", activation_params=[0.2]}
  %p5 = Conv(%x, %w5) {kernel_shape=[1], strides=[2]}
  %p6 = Conv(%x, %w6, %b6) {kernel_shape=[7], pads=[3, 3]}
}`);

const RNN_GRAPH = parseGraph(`graph @rnn(%x: f32[T,1,10], %a: f32[T,10]) -> (%mm, %mm2, %gm, %y, %yh, %yc, %gy, %gh, %gy2) {
${konst("B", rand([10, 29]))}
${konst("B2", rand([10, 5]))}
${konst("Wt", rand([29, 10]))}
${konst("c", rand([29]))}
${konst("W", rand([1, 76, 10], -0.5, 0.5))}
${konst("R", rand([1, 76, 19], -0.5, 0.5))}
${konst("Bi", rand([1, 152], -0.3, 0.3))}
${konst("Wg", rand([2, 39, 10], -0.5, 0.5))}
${konst("Rg", rand([2, 39, 13], -0.5, 0.5))}
${konst("Bg", rand([2, 78], -0.3, 0.3))}
${konst("Wg2", rand([1, 39, 10], -0.5, 0.5))}
${konst("Rg2", rand([1, 39, 13], -0.5, 0.5))}
${konst("Bg2", rand([1, 78], -0.3, 0.3))}
  %mm = MatMul(%x, %B) {activation="Relu"}
  %mm2 = MatMul(%x, %B2)
  %gm = Gemm(%a, %Wt, %c) {transB=1, alpha=0.5, beta=2.0}
  %y, %yh, %yc = LSTM(%x, %W, %R, %Bi) {hidden_size=19}
  %gy, %gh = GRU(%x, %Wg, %Rg, %Bg) {hidden_size=13, direction="bidirectional", linear_before_reset=1}
  %gy2, _ = GRU(%x, %Wg2, %Rg2, %Bg2) {hidden_size=13}
}`);

describe("float fast kernels against the interpreter", () => {
  describe("conv: pointwise, direct 1-D (strides, dilation, pads, groups), row and column tails", () => {
    // T = 5 (single columns), 23 (a 16-column panel and an overlapping 8-column block), 40.
    const sets = [5, 23, 40].map((T) => ({ x: rand([1, 12, T], -2, 2) }));
    itEverywhere(CONV_GRAPH, sets, 40);
  });

  describe("MatMul, Gemm, LSTM (no peepholes: the vectorized cell), GRU (both linear_before_reset)", () => {
    const sets = [1, 6, 23].map((T) => ({ x: rand([T, 1, 10], -1.5, 1.5), a: rand([T, 10], -1.5, 1.5) }));
    itEverywhere(RNN_GRAPH, sets, 24);
  });

  it("a property: random 1-D conv geometry on c99 -O3 -march=native matches the interpreter", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    const geometry = fc.record({
      C: fc.integer({ min: 1, max: 6 }), Mg: fc.integer({ min: 1, max: 20 }), group: fc.integer({ min: 1, max: 3 }),
      K: fc.integer({ min: 1, max: 6 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 3 }),
      pl: fc.integer({ min: 0, max: 4 }), pr: fc.integer({ min: 0, max: 4 }), T: fc.integer({ min: 12, max: 40 }),
    });
    fc.assert(
      fc.property(geometry, ({ C, Mg, group, K, s, d, pl, pr, T }) => {
        fc.pre((T + pl + pr - (K - 1) * d - 1) >= 0);
        const g = parseGraph(`graph @p(%x: f32[1,${C * group},T]) -> (%y) {
${konst("w", rand([Mg * group, C, K], -0.5, 0.5))}
${konst("b", rand([Mg * group]))}
  %y = Conv(%x, %w, %b) {kernel_shape=[${K}], strides=[${s}], dilations=[${d}], pads=[${pl}, ${pr}], group=${group}}
}`);
        checkGraph(g, "c99", rig, [{ x: rand([1, C * group, T], -2, 2) }], { maxDims: { T: 40 }, build: { extraFlags: NATIVE_FAST }, tol: 1e-5 });
      }),
      { numRuns: 6 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The c99 recurrent product (lstm.ts's neonc_gemv_f32) at every weight alignment: a driver that
// includes the generated model.c calls it with the packed weights at float offsets 0..15 from a
// 64-byte boundary, garbage in the padding around them.

const GEMV_DRIVER = `#include "model.c"
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  enum { K = 37, N = 128, PAD = 16 };
  static float w[N][K], x[K], y[N];
  unsigned s = 12345u;
  int n, k, off;
  float *raw = (float *)malloc(sizeof(float) * (N * K + 2 * PAD + 64)), *base;
  if (!raw) return 2;
  base = (float *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
  for (n = 0; n < N; n++) for (k = 0; k < K; k++) { s = s * 1664525u + 1013904223u; w[n][k] = (float)(s >> 8) / 8388608.0f - 1.0f; }
  for (k = 0; k < K; k++) { s = s * 1664525u + 1013904223u; x[k] = (float)(s >> 8) / 8388608.0f - 1.0f; }
  for (off = 0; off < 16; off++) {
    float *p = base + PAD + off;
    double worst = 0.0, big = 0.0;
    for (n = -PAD; n < N * K + PAD; n++) p[n] = 7.0f;
    for (n = 0; n < N; n++) for (k = 0; k < K; k++) p[(n / 64) * 64 * K + k * 64 + n % 64] = w[n][k];
    neonc_gemv_f32(K, N, x, p, y);
    for (n = 0; n < N; n++) {
      double ref = 0.0, e;
      for (k = 0; k < K; k++) ref += (double)w[n][k] * x[k];
      e = ref > y[n] ? ref - y[n] : y[n] - ref;
      if (e > worst) worst = e;
      if ((ref < 0 ? -ref : ref) > big) big = ref < 0 ? -ref : ref;
    }
    if (worst > 1e-5 * big) { printf("offset %d: max error %g of max |ref| %g\\n", off, worst, big); return 1; }
  }
  printf("ok\\n");
  free(raw);
  return 0;
}
`;

describe("c99 recurrent product at every weight alignment", () => {
  for (const [label, flags] of [["rig flags", []], ["-O3 -march=native", NATIVE_FAST]] as const) {
    it(`matches a double-precision product (${label})`, (ctx) => {
      const rig = rigOrSkip(ctx, "c99", "native");
      const g = parseGraph(`graph @l(%x: f32[T,1,3]) -> (%y) {
${konst("W", rand([1, 8, 3]))}
${konst("R", rand([1, 8, 2]))}
  %y, _, _ = LSTM(%x, %W, %R) {hidden_size=2}
}`);
      const dir = path.join(workDir, `gemv-${label.replace(/[^a-z0-9]+/gi, "_")}`);
      writeSources(compileGraph(g, { target: getTarget("c99"), maxDims: { T: 4 } }), dir);
      writeFileSync(path.join(dir, "gemv_test.c"), GEMV_DRIVER);
      const cc = spawnSync(rig.cc, [...rig.cflags, ...flags, "-o", "gemv_test", "gemv_test.c", "weights.c", "-lm"], { cwd: dir, encoding: "utf8" });
      expect(cc.status, cc.stderr).toBe(0);
      const r = spawnSync(path.join(dir, "gemv_test"), [], { encoding: "utf8" });
      expect(r.stdout.trim(), r.stderr).toBe("ok");
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Loop math accuracy: sigmoid, tanh and exp (x <= 0) of vmath.ts's loopMathSource, called in
// a loop that -O3 vectorizes, in ulp of the interpreter's result.

function sweep(lo: number, hi: number, n: number): Float32Array {
  const pts: number[] = [];
  for (let i = 0; i < n; i++) pts.push(lo + ((hi - lo) * i) / (n - 1));
  for (let e = -30; e <= 0; e += 0.05) pts.push(10 ** e, -(10 ** e));
  pts.push(0, -0, 1e30, -1e30, Infinity, -Infinity);
  return Float32Array.from(pts);
}

function unaryRef(op: string, x: Float32Array): Float32Array {
  const g = parseGraph(`graph @g(%x: f32[${x.length}]) -> (%y) {\n  %y = ${op}(%x)\n}`);
  return runGraph(g, { x: makeTensor("f32", [x.length], x) }).y!.data as Float32Array;
}

function ulpError(got: number, ref: number): number {
  if (got === ref) return 0;
  if (!Number.isFinite(got)) return Infinity;
  const a = Math.abs(ref);
  const ulp = a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return Math.abs(got - ref) / ulp;
}

/** Float results of Math.log1p, for log1p (no ONNX op). */
function log1pRef(x: Float32Array): Float32Array {
  return x.map((v) => Math.fround(Math.log1p(v)));
}

const SUBNORMALS = [1e-45, 3e-42, 1e-40, 1.1754942e-38];
const LOOP_FUNCS: { name: string; pts: Float32Array; op?: string; ref?: (x: Float32Array) => Float32Array }[] = [
  { name: "sigmoid", pts: sweep(-100, 30, 100000), op: "Sigmoid" },
  { name: "tanh", pts: sweep(-12, 12, 100000), op: "Tanh" },
  // e^x for x <= 0 (the softmax kernels' exp of x - max), down to where it underflows to 0.
  { name: "expneg", pts: sweep(-110, 0, 100000).filter((v) => v <= 0), op: "Exp" },
  // The unary ops' scalar math (loop-math-unary.ts).
  { name: "exp", pts: sweep(-110, 90, 100000), op: "Exp" },
  { name: "erf", pts: sweep(-6, 6, 100000), op: "Erf" },
  { name: "log", pts: Float32Array.from([...sweep(0, 100, 100000).filter((v) => v >= 0), ...SUBNORMALS, 3e38]), op: "Log" },
  { name: "log1p", pts: Float32Array.from([...sweep(-1, 20, 100000).filter((v) => v >= -1), ...SUBNORMALS, 1e-20, 3e38]), ref: log1pRef },
];


function loopSweep(rig: Rig, flags: string[], tag: string): Record<string, number> {
  const dir = path.join(workDir, tag);
  mkdirSync(dir, { recursive: true });
  const src = [
    `#include <math.h>`, `#include <stdint.h>`, `#include <stdio.h>`, `#include <stdlib.h>`, `#include <string.h>`,
    loopMathSource(),
    unaryLoopMathSource(),
    `int main(int argc, char **argv) {`,
    `  FILE *f;`,
    `  long n, i;`,
    `  float *x, *y;`,
    `  if (argc != 4) return 2;`,
    `  f = fopen(argv[2], "rb");`,
    `  if (!f) return 3;`,
    `  fseek(f, 0, SEEK_END); n = ftell(f) / 4; fseek(f, 0, SEEK_SET);`,
    `  x = (float *)malloc((size_t)n * 4); y = (float *)malloc((size_t)n * 4);`,
    `  if (!x || !y || fread(x, 4, (size_t)n, f) != (size_t)n) return 4;`,
    `  fclose(f);`,
    ...LOOP_FUNCS.map((F) => `  if (!strcmp(argv[1], "${F.name}")) for (i = 0; i < n; i++) y[i] = neonc_${F.name}_lf(x[i]);`),
    `  f = fopen(argv[3], "wb");`,
    `  if (!f || fwrite(y, 4, (size_t)n, f) != (size_t)n) return 5;`,
    `  fclose(f); free(x); free(y);`,
    `  return 0;`,
    `}`,
  ].join("\n");
  writeFileSync(path.join(dir, "sweep.c"), src);
  const cc = spawnSync(rig.cc, [...rig.cflags, ...flags, "-o", "sweep", "sweep.c", "-lm"], { cwd: dir, encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`building the sweep failed:\n${cc.stderr}`);
  const worst: Record<string, number> = {};
  for (const F of LOOP_FUNCS) {
    const inF = path.join(dir, `${F.name}.in`), outF = path.join(dir, `${F.name}.out`);
    writeFileSync(inF, new Uint8Array(F.pts.buffer, F.pts.byteOffset, F.pts.byteLength));
    const r = spawnSync(path.join(dir, "sweep"), [F.name, inF, outF], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the sweep of ${F.name} failed (exit ${r.status}): ${r.stderr}`);
    const buf = readFileSync(outF);
    const got = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const ref = F.ref ? F.ref(F.pts) : unaryRef(F.op!, F.pts);
    let w = 0;
    for (let i = 0; i < got.length; i++) w = Math.max(w, ulpError(got[i]!, ref[i]!));
    worst[F.name] = w;
  }
  return worst;
}

/** Largest error in ulp of the loop math (stated in docs/codegen.md). */
const LOOP_MAX_ULP: Record<string, number> = { sigmoid: 3, tanh: 3, expneg: 2, exp: 2, erf: 3, log: 3, log1p: 4 };

describe("loop math accuracy (dense sweep against the interpreter)", () => {
  for (const [label, flags] of [["rig flags", []], ["-O3 -march=native (vectorized)", NATIVE_FAST]] as const) {
    it(`c99 with ${label} stays within the stated ulp`, (ctx) => {
      const rig = rigOrSkip(ctx, "c99", "native");
      const worst = loopSweep(rig, [...flags], label.replace(/[^a-z0-9]+/gi, "_"));
      console.log(`loop math c99 (${label}) max ulp: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}`);
      for (const [k, v] of Object.entries(worst)) expect(v, `${k} with ${label}`).toBeLessThanOrEqual(LOOP_MAX_ULP[k]!);
    });
  }
});
