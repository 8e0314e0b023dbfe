// The extra C kernels (activations, LayerNorm, pooling, ReduceMean, Transpose, Concat, Slice,
// Pad, GRU) against the interpreter, and the accuracy of the vector math (vmath.ts).
//
// Every kernel case is one output of ONE graph, so each rig builds the generated C once:
// c99 natively, aarch64 and armv7 NEON through SIMDe, and the same graph under qemu-aarch64 and
// qemu-arm. Data moves (Transpose, Concat, Slice, Pad, MaxPool, Clip) must be bit exact; the
// arithmetic within 1e-5 of the output's largest magnitude. The vector math is swept densely
// by a small C driver built with the same rigs and compared with the interpreter in ulp.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGraph, formatTensor } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { buildModel, compareTensors, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { type Rig, type RunMode } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { ERF_PIECES, vmathSource } from "../../codegen/kernels/vmath.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { erf } from "../../ir/kernels/elementwise-math.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { rigHere, rigOrSkip, constLine } from "./helpers.js";

const rng = new Rng(4242);
const rand = (shape: number[], lo = -1, hi = 1): Tensor => seededTensor(rng, "f32", shape, { values: { min: lo, max: hi } });
const konst = constLine;

// GRU sizes: H = 6 exercises the vector tails, H = 8 whole vectors.
const I = 5;
const gruConsts = [
  konst("W", rand([1, 18, I], -0.6, 0.6)), konst("R", rand([1, 18, 6], -0.6, 0.6)), konst("B", rand([1, 36], -0.3, 0.3)),
  konst("W2", rand([2, 24, I], -0.6, 0.6)), konst("R2", rand([2, 24, 8], -0.6, 0.6)), konst("B2", rand([2, 48], -0.3, 0.3)),
  konst("h0", rand([2, 2, 8])),
];

/** Output name -> (what it checks, whether it must be bit exact). */
const CASES: Record<string, [string, boolean]> = {
  gelu: ["Gelu (erf form)", false], gelu_t: ["Gelu (tanh form)", false], clip: ["Clip [min, max]", true], clip_lo: ["Clip min only", true],
  hsig: ["HardSigmoid", false], hswish: ["HardSwish", false], elu: ["Elu", false],
  ln: ["LayerNormalization, last axis", false], ln2: ["LayerNormalization, axis -2, broadcast scale, stats outputs", false],
  ln2_mean: ["LayerNormalization Mean output", false], ln2_inv: ["LayerNormalization InvStdDev output", false],
  ap1: ["AveragePool 1-D, stride 2, pads", false], ap1i: ["AveragePool 1-D, count_include_pad", false],
  mp1: ["MaxPool 1-D, stride 2", true], mp1d: ["MaxPool 1-D, dilation 2, pads", true],
  ap2: ["AveragePool 2-D, asymmetric pads", false], ap2c: ["AveragePool 2-D, ceil_mode, count_include_pad", false],
  mp2: ["MaxPool 2-D, stride 2, pads", true], gap: ["GlobalAveragePool", false],
  rm: ["ReduceMean last axis, keepdims", false], rm1: ["ReduceMean middle axis", false], rm_img: ["ReduceMean trailing axes", false],
  tr: ["Transpose [0,2,1] (batched 2-D)", true], tr2: ["Transpose 4-D -> batched 2-D", true], tr3: ["Transpose general 4-D", true],
  tr4: ["Transpose [1,0,2] (row copies)", true], tr6: ["Transpose reversed (default perm)", true], tr7: ["Transpose 2-D", true],
  cat: ["Concat last axis, symbolic", true], cat2: ["Concat channel axis", true], cat3: ["Concat with a constant", true],
  sl: ["Slice step 2, symbolic axis", true], sl2: ["Slice negative step, two axes", true], sl3: ["Slice static", true],
  sl4: ["Slice symbolic start", true],
  pc: ["Pad constant", true], pr: ["Pad reflect", true], pe: ["Pad edge 2-D", true], pw: ["Pad wrap with a crop", true],
  pn: ["Pad negative (crop)", true],
  gy: ["GRU forward, Y", false], gh: ["GRU forward, Y_h", false],
  gy2: ["GRU bidirectional, linear_before_reset, initial_h", false], gh2: ["GRU bidirectional Y_h", false],
  gy3: ["GRU reverse with clip, no bias", false],
};

const GRAPH = `graph @kernels_extra(%x: f32[2,3,T], %img: f32[1,2,7,9], %seq: f32[T,2,${I}], %u: f32[4,131]) -> (${Object.keys(CASES).map((k) => "%" + k).join(", ")}) {
${konst("lns", rand([9], 0.5, 1.5))}
${konst("lnb", rand([9]))}
${konst("lns2", rand([1, 9], 0.5, 1.5))}
${konst("c4", rand([4, 3]))}
${gruConsts.join("\n")}
  %gelu = Gelu(%u)
  %gelu_t = Gelu(%u) {approximate="tanh"}
  %clip = Clip(%u) {min=-0.5, max=0.75}
  %clip_lo = Clip(%u) {min=0.1}
  %hsig = HardSigmoid(%u) {alpha=0.3, beta=0.4}
  %hswish = HardSwish(%u)
  %elu = Elu(%u) {alpha=0.7}
  %ln = LayerNormalization(%img, %lns, %lnb) {epsilon=0.001}
  %ln2, %ln2_mean, %ln2_inv = LayerNormalization(%img, %lns2) {axis=-2}
  %ap1 = AveragePool(%x) {kernel_shape=[3], strides=[2], pads=[1,1]}
  %ap1i = AveragePool(%x) {kernel_shape=[3], pads=[2,1], count_include_pad=1}
  %mp1 = MaxPool(%x) {kernel_shape=[2], strides=[2]}
  %mp1d = MaxPool(%x) {kernel_shape=[3], dilations=[2], pads=[1,1]}
  %ap2 = AveragePool(%img) {kernel_shape=[3,2], strides=[2,1], pads=[1,0,1,1]}
  %ap2c = AveragePool(%img) {kernel_shape=[3,3], strides=[2,2], pads=[1,1,1,1], ceil_mode=1, count_include_pad=1}
  %mp2 = MaxPool(%img) {kernel_shape=[2,3], strides=[2,2], pads=[0,1,0,1]}
  %gap = GlobalAveragePool(%img)
  %rm = ReduceMean(%x) {axes=[-1], keepdims=1}
  %rm1 = ReduceMean(%x) {axes=[1], keepdims=0}
  %rm_img = ReduceMean(%img) {axes=[2,3], keepdims=0}
  %tr = Transpose(%x) {perm=[0,2,1]}
  %tr2 = Transpose(%img) {perm=[0,1,3,2]}
  %tr3 = Transpose(%img) {perm=[2,0,3,1]}
  %tr4 = Transpose(%x) {perm=[1,0,2]}
  %tr6 = Transpose(%x)
  %tr7 = Transpose(%u)
  %cat2 = Concat(%img, %img) {axis=1}
  %cat3 = Concat(%u, %c4) {axis=1}
  %sl = Slice(%x) {starts=[1], ends=[-1], axes=[2], steps=[2]}
  %sl2 = Slice(%x) {starts=[-1, 2], ends=[-2147483648, 0], axes=[2, 1], steps=[-3, -1]}
  %sl3 = Slice(%img) {starts=[1, 2], ends=[2, 100], axes=[1, 3]}
  %sl4 = Slice(%x) {starts=[T-4], ends=[T], axes=[2]}
  %cat = Concat(%x, %sl4, %x) {axis=2}
  %pc = Pad(%x) {pads=[0,1,2,0,0,1], value=1.5}
  %pr = Pad(%x) {pads=[0,0,2,0,0,3], mode="reflect"}
  %pe = Pad(%img) {pads=[0,0,1,2,0,0,2,1], mode="edge"}
  %pw = Pad(%x) {pads=[0,1,-1,0,0,2], mode="wrap"}
  %pn = Pad(%img) {pads=[0,0,-1,0,0,0,-2,1]}
  %gy, %gh = GRU(%seq, %W, %R, %B) {hidden_size=6}
  %gy2, %gh2 = GRU(%seq, %W2, %R2, %B2, _, %h0) {hidden_size=8, direction="bidirectional", linear_before_reset=1}
  %gy3, _ = GRU(%seq, %W, %R) {hidden_size=6, direction="reverse", clip=0.8}
}`;

const graph = parseGraph(GRAPH);
const inputSets = [13, 4].map((T) => ({ x: rand([2, 3, T], -2, 2), img: rand([1, 2, 7, 9], -2, 2), seq: rand([T, 2, I], -1.5, 1.5), u: rand([4, 131], -6, 6) }));
const refs = inputSets.map((s) => runGraph(graph, s));

// armv7 NEON runs under qemu only: SIMDe lacks some armv7 intrinsics the GEMM uses (vmlaq_lane_f32).
const RIGS: [string, RunMode][] = [["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"], ["armv7", "qemu"]];

for (const [target, mode] of RIGS) {
  describe(`extra kernels on ${target} (${mode})`, () => {
    let outs: Record<string, Tensor>[] | undefined;
    beforeAll(() => {
      // Builds once for the block; each test below skips or fails by itself when the rig is missing.
      const rig = rigHere(target, mode);
      if (!rig) return;
      const model = compileGraph(graph, { target: getTarget(target), maxDims: { T: 16 } });
      const build = buildModel(model, rig);
      outs = inputSets.map((s) => runBuild(model, build, s).outputs);
    }, 120_000);
    for (const [name, [what, exact]] of Object.entries(CASES)) {
      it(`${what} (${name}) ${exact ? "is bit exact" : "is within 1e-5 of max |ref|"}`, (ctx) => {
        rigOrSkip(ctx, target, mode);
        outs!.forEach((o, k) => {
          const c = compareTensors(o[name]!, refs[k]![name]!);
          const msg = `${name} set ${k}: max abs error ${c.maxAbs}, max |ref| ${c.maxRef}`;
          if (exact) expect(c.maxAbs, msg).toBe(0);
          else expect(c.rel, msg).toBeLessThanOrEqual(1e-5);
        });
      });
    }
  });
}

it("the c99 kernel graph runs clean under -fsanitize=address,undefined", (ctx) => {
  const rig = rigOrSkip(ctx, "c99", "native");
  const model = compileGraph(graph, { target: getTarget("c99"), maxDims: { T: 16 } });
  const build = buildModel(model, rig, { extraFlags: ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-O1"] });
  const out = runBuild(model, build, inputSets[0]!).outputs;
  expect(compareTensors(out.tr3!, refs[0]!.tr3!).maxAbs).toBe(0);
}, 120_000);

it("the generated C for the kernel graph is deterministic", () => {
  const a = compileGraph(graph, { target: getTarget("armv7"), maxDims: { T: 16 } });
  const b = compileGraph(parseGraph(GRAPH), { target: getTarget("armv7"), maxDims: { T: 16 } });
  expect(a.files).toEqual(b.files);
});

it("kernels say why they cannot handle an attribute combination", () => {
  const g = parseGraph(`graph @g(%s: f32[T,1,3]) -> (%y, %p) {
  %w = const f32[1,6,3] [1,0,0, 0,1,0, 0,0,1, 1,0,0, 0,1,0, 0,0,1]
  %r = const f32[1,6,2] [1,0, 0,1, 1,0, 0,1, 1,0, 0,1]
  %y, _ = GRU(%s, %w, %r) {hidden_size=2, activations=["Relu", "Tanh"]}
  %p = Pad(%s) {pads=[0,0,0,0,0,0], mode="wrap"}
  %q = MaxPool(%s) {kernel_shape=[2], auto_pad="SAME_UPPER"}
}`);
  expect(() => compileGraph(g, { target: getTarget("c99"), maxDims: { T: 8 } })).toThrow(/default activations[\s\S]*SAME_UPPER/);
});

// ---------------------------------------------------------------------------------------------
// Vector math accuracy: a dense sweep through each function, in ulp of the interpreter's
// (double precision, rounded to float) result.

/** The sweep points of each function (all multiples of 4 long). */
function sweep(lo: number, hi: number, n: number, extra: number[] = []): Float32Array {
  const pts: number[] = [...extra];
  for (let i = 0; i < n; i++) pts.push(lo + ((hi - lo) * i) / (n - 1));
  // Small magnitudes, where relative accuracy is hardest for tanh and erf.
  for (let e = -30; e <= 0; e += 0.05) pts.push(10 ** e, -(10 ** e));
  while (pts.length % 4) pts.push(0);
  return Float32Array.from(pts);
}

const FUNCS = [
  { name: "exp", c: "exp", pts: sweep(-87.3, 88.72, 100000).map((v) => Math.min(v, 88.72)).map((v) => Math.max(v, -87.3)), ref: (g: Float32Array) => unaryRef("Exp", g) },
  { name: "tanh", c: "tanh", pts: sweep(-12, 12, 100000), ref: (g: Float32Array) => unaryRef("Tanh", g) },
  { name: "sigmoid", c: "sigmoid", pts: sweep(-80, 30, 100000), ref: (g: Float32Array) => unaryRef("Sigmoid", g) },
  { name: "erf", c: "erf", pts: sweep(-6, 6, 100000), ref: (g: Float32Array) => unaryRef("Erf", g) },
  { name: "expm1 (x <= 0)", c: "expm1neg", pts: sweep(-25, 0, 100000).map((v) => -Math.abs(v)), ref: (g: Float32Array) => unaryRef("Elu", g) },
  { name: "log", c: "log", pts: positive(), ref: (g: Float32Array) => unaryRef("Log", g) },
  { name: "log1p", c: "log1p", pts: sweep(-0.999, 8, 100000), ref: (g: Float32Array) => Float32Array.from(g, (v) => Math.log1p(v)) },
  { name: "sqrt", c: "sqrt", pts: positive(), ref: (g: Float32Array) => unaryRef("Sqrt", g) },
];

/** Positive floats: log-spaced over the whole range, subnormals included, and dense on [0.5, 2]. */
function positive(): Float32Array {
  const pts: number[] = [];
  for (let e = -130; e <= 127; e += 0.01) pts.push(2 ** e);
  for (let i = 0; i < 40000; i++) pts.push(0.5 + (1.5 * i) / 40000);
  while (pts.length % 4) pts.push(1);
  return Float32Array.from(pts);
}

function unaryRef(op: string, x: Float32Array): Float32Array {
  const g = parseGraph(`graph @g(%x: f32[${x.length}]) -> (%y) {\n  %y = ${op}(%x)\n}`);
  return runGraph(g, { x: makeTensor("f32", [x.length], x) }).y!.data as Float32Array;
}

function ulpError(got: number, ref: number): number {
  if (got === ref) return 0;
  if (!Number.isFinite(got) || Number.isNaN(got)) return Infinity;
  const a = Math.abs(ref);
  const ulp = a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return Math.abs(got - ref) / ulp;
}

function sweepProgram(neon: boolean, src: string): string {
  const call = (f: string) => neon
    ? `for (i = 0; i < n; i += 4) vst1q_f32(y + i, neonc_${f}_f32x4(vld1q_f32(x + i)));`
    : `for (i = 0; i < n; i++) y[i] = neonc_${f === "expm1neg" ? "expm1" : f}_f32(x[i]);`;
  return [
    `#include <math.h>`, `#include <stdio.h>`, `#include <stdlib.h>`, `#include <string.h>`,
    ...(neon ? [`#if defined(__ARM_NEON) || defined(__ARM_NEON__)`, `#include <arm_neon.h>`, `#else`, `#define SIMDE_ENABLE_NATIVE_ALIASES`, `#include <simde/arm/neon.h>`, `#endif`] : []),
    src,
    `int main(int argc, char **argv) {`,
    `  FILE *f;`,
    `  long n, i;`,
    `  float *x, *y;`,
    `  const char *fn;`,
    `  if (argc != 4) return 2;`,
    `  fn = argv[1];`,
    `  f = fopen(argv[2], "rb");`,
    `  if (!f) return 3;`,
    `  fseek(f, 0, SEEK_END); n = ftell(f) / 4; fseek(f, 0, SEEK_SET);`,
    `  x = (float *)malloc((size_t)n * 4); y = (float *)malloc((size_t)n * 4);`,
    `  if (!x || !y || fread(x, 4, (size_t)n, f) != (size_t)n) return 4;`,
    `  fclose(f);`,
    ...FUNCS.map((F) => `  if (!strcmp(fn, "${F.c}")) { ${call(F.c)} }`),
    `  f = fopen(argv[3], "wb");`,
    `  if (!f || fwrite(y, 4, (size_t)n, f) != (size_t)n) return 5;`,
    `  fclose(f); free(x); free(y);`,
    `  return 0;`,
    `}`,
  ].join("\n");
}

const workDir = path.join(os.tmpdir(), `neonc-vmath-${process.pid}`);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function runSweep(rig: Rig, target: string): Record<string, number> {
  const dir = path.join(workDir, `${target}-${rig.mode}`);
  mkdirSync(dir, { recursive: true });
  const t = getTarget(target);
  writeFileSync(path.join(dir, "sweep.c"), sweepProgram(t.neon, vmathSource(t)));
  const cc = spawnSync(rig.cc, [...rig.cflags, "-o", "sweep", "sweep.c", "-lm"], { cwd: dir, encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`building the sweep failed:\n${cc.stderr}`);
  const worst: Record<string, number> = {};
  for (const F of FUNCS) {
    const inF = path.join(dir, `${F.c}.in`), outF = path.join(dir, `${F.c}.out`);
    writeFileSync(inF, new Uint8Array(F.pts.buffer, F.pts.byteOffset, F.pts.byteLength));
    const cmd = [...rig.runPrefix, path.join(dir, "sweep"), F.c, inF, outF];
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the sweep of ${F.name} failed (exit ${r.status}): ${r.stderr}`);
    const buf = readFileSync(outF);
    const got = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const ref = F.ref(F.pts);
    let w = 0;
    // armv7 NEON flushes subnormal inputs to zero (log gives -inf, sqrt 0): not a kernel error.
    const flushes = target === "armv7";
    for (let i = 0; i < got.length; i++) if (!(flushes && Math.abs(F.pts[i]!) < 2 ** -126 && F.pts[i] !== 0)) w = Math.max(w, ulpError(got[i]!, ref[i]!));
    worst[F.name] = w;
  }
  return worst;
}

/** Largest error in ulp that each function may have (stated in docs/codegen.md). */
const MAX_ULP: Record<string, number> = { exp: 2, tanh: 3, sigmoid: 3, erf: 3, "expm1 (x <= 0)": 3, log: 3, log1p: 4, sqrt: 2 };

describe("vector math accuracy (dense sweep against the interpreter)", () => {
  for (const [target, mode] of RIGS) {
    it(`${target} (${mode}) stays within the stated ulp`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      const worst = runSweep(rig, target);
      console.log(`vmath ${target}/${mode} max ulp: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}`);
      for (const [k, v] of Object.entries(worst)) expect(v, `${k} on ${target}/${mode}`).toBeLessThanOrEqual(MAX_ULP[k]!);
    }, 60_000);
  }

  it("the erf coefficients are the Chebyshev interpolants they claim to be", () => {
    // Re-derive: interpolate at 128 Chebyshev nodes, convert to monomials in s, round to float.
    for (const p of ERF_PIECES) {
      const mid = (p.lo + p.hi) / 2, half = (p.hi - p.lo) / 2;
      const g = (s: number) => {
        const v = mid + half * s;
        return p.squared ? (v === 0 ? 2 / Math.sqrt(Math.PI) : erf(Math.sqrt(v)) / Math.sqrt(v)) : erf(v);
      };
      const deg = p.m.length - 1, N = 128;
      const fx = Array.from({ length: N }, (_, k) => g(Math.cos((Math.PI * (k + 0.5)) / N)));
      const c = Array.from({ length: deg + 1 }, (_, j) => (2 / N) * fx.reduce((s, f, k) => s + f * Math.cos((Math.PI * j * (k + 0.5)) / N), 0));
      c[0]! /= 2;
      const mono = new Array<number>(deg + 1).fill(0);
      let prev = [1], cur = [0, 1];
      mono[0]! += c[0]!;
      mono[1]! += c[1]!;
      for (let j = 2; j <= deg; j++) {
        const next = new Array<number>(j + 1).fill(0);
        cur.forEach((v, i) => (next[i + 1]! += 2 * v));
        prev.forEach((v, i) => (next[i]! -= v));
        next.forEach((v, i) => (mono[i]! += c[j]! * v));
        [prev, cur] = [cur, next];
      }
      mono.forEach((v, i) => expect(Math.abs(Math.fround(v) - p.m[i]!)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(v))));
      expect(p.k1).toBe(Math.fround(1 / half));
      expect(p.k0).toBe(Math.fround(-mid / half));
    }
  });
});
