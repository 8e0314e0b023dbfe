// The branch-free activation epilogue of the c99 register blocks (gemm.ts actRangeSource:
// neonc_act_range + neonc_act_apply through the bit masks of common.ts's neonc_select_f32)
// against the definition it replaces, neonc_act_f32's `?:` form: bit for bit, NaN, infinities,
// -0 and subnormals included, for every act code (0 none, 1 Relu, 2 Clip, 3 LeakyRelu). A
// fast-check property draws the values and the parameters; a C driver applies the epilogue the
// way a register block does (a 16-float array stored through a constant-length loop inside an
// outer loop), built with the rig's flags and with -O3 -march=native, where gcc unrolls that
// loop and vectorizes the masks.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { selectSource } from "../../codegen/kernels/common.js";
import { actRangeSource } from "../../codegen/kernels/gemm.js";
import type { Rig } from "../../codegen/targets.js";
import { rigOrSkip } from "./helpers.js";

const NB = 16;
const workDir = path.join(os.tmpdir(), `neonc-act-epilogue-${process.pid}`);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Case {
  readonly act: 0 | 1 | 2 | 3;
  readonly p0: number;
  readonly p1: number;
  readonly v: readonly number[];
}

/** neonc_act_f32 (common.ts), the definition, in float32. */
function actRef(v: number, c: Case): number {
  switch (c.act) {
    case 1: return v < 0 ? 0 : v;
    case 2: return v < c.p0 ? c.p0 : v > c.p1 ? c.p1 : v;
    case 3: return v < 0 ? Math.fround(v * c.p0) : v;
    default: return v;
  }
}

// Input: int32 count, then per case int32 act, float p0, float p1, NB floats. Output: NB floats a case.
const DRIVER = `#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
${selectSource()}
${actRangeSource()}

int main(int argc, char **argv) {
  FILE *f;
  int32_t n, k, act;
  int j;
  unsigned char *in;
  float *out;
  if (argc != 3 || !(f = fopen(argv[1], "rb"))) return 2;
  if (fread(&n, 4, 1, f) != 1 || n < 0) return 3;
  in = (unsigned char *)malloc((size_t)n * (12 + 4 * ${NB}) + 1);
  out = (float *)malloc((size_t)n * ${NB} * sizeof(float) + 1);
  if (!in || !out || fread(in, 12 + 4 * ${NB}, (size_t)n, f) != (size_t)n) return 4;
  fclose(f);
  for (k = 0; k < n; k++) {
    const unsigned char *p = in + (size_t)k * (12 + 4 * ${NB});
    float p0, p1, neg, lo, hi, c[${NB}];
    float *y = out + (size_t)k * ${NB};
    memcpy(&act, p, 4);
    memcpy(&p0, p + 4, 4);
    memcpy(&p1, p + 8, 4);
    memcpy(c, p + 12, sizeof c);
    neonc_act_range(act, p0, p1, &neg, &lo, &hi);
    for (j = 0; j < ${NB}; j++) y[j] = neonc_act_apply(c[j], neg, lo, hi);
  }
  if (!(f = fopen(argv[2], "wb")) || fwrite(out, sizeof(float), (size_t)n * ${NB}, f) != (size_t)n * ${NB}) return 5;
  fclose(f);
  free(in);
  free(out);
  return 0;
}
`;

function build(rig: Rig, flags: readonly string[], tag: string): string {
  const dir = path.join(workDir, tag);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "act.c"), DRIVER);
  const cc = spawnSync(rig.cc, [...rig.cflags, ...flags, "-o", "act", "act.c", "-lm"], { cwd: dir, encoding: "utf8" });
  expect(cc.status, `${rig.cc} failed:\n${cc.stderr}`).toBe(0);
  return path.join(dir, "act");
}

function run(exe: string, cases: readonly Case[]): Float32Array {
  const stride = 12 + 4 * NB;
  const buf = new ArrayBuffer(4 + cases.length * stride);
  const dv = new DataView(buf);
  dv.setInt32(0, cases.length, true);
  cases.forEach((c, k) => {
    const o = 4 + k * stride;
    dv.setInt32(o, c.act, true);
    dv.setFloat32(o + 4, c.p0, true);
    dv.setFloat32(o + 8, c.p1, true);
    c.v.forEach((v, j) => dv.setFloat32(o + 12 + 4 * j, v, true));
  });
  const dir = path.dirname(exe);
  writeFileSync(path.join(dir, "in.bin"), new Uint8Array(buf));
  const r = spawnSync(exe, [path.join(dir, "in.bin"), path.join(dir, "out.bin")], { encoding: "utf8" });
  expect(r.status, `the driver failed: ${r.stderr}`).toBe(0);
  const bytes = readFileSync(path.join(dir, "out.bin"));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The first element where the C result differs from actRef (NaN matches any NaN), or undefined. */
function firstDiff(cases: readonly Case[], got: Float32Array): string | undefined {
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k]!;
    for (let j = 0; j < NB; j++) {
      const want = actRef(c.v[j]!, c), y = got[k * NB + j]!;
      if (!(Object.is(y, want) || (Number.isNaN(y) && Number.isNaN(want)))) return `act ${c.act} (${c.p0}, ${c.p1}) of ${c.v[j]}: C ${y}, definition ${want}`;
    }
  }
  return undefined;
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -1, 0.5, -2.5, 7].map(Math.fround);
const anyFloat = fc.oneof(fc.float(), fc.constantFrom(...SPECIAL));
const arbCase: fc.Arbitrary<Case> = fc.record({
  act: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  a: fc.float({ noNaN: true }),
  b: fc.float({ noNaN: true }),
  v: fc.array(anyFloat, { minLength: NB, maxLength: NB }),
}).map(({ act, a, b, v }) => (act === 2 ? { act, p0: Math.min(a, b), p1: Math.max(a, b), v } : { act, p0: act === 3 ? a : 0, p1: 0, v }));

// Every special value under every act code, with bounds and slopes that are themselves special.
const EDGE_CASES: Case[] = [];
for (const [act, p0, p1] of [[0, 0, 0], [1, 0, 0], [2, 0, 6], [2, -1, 1], [2, -Infinity, Infinity], [2, -0, 0], [2, 3, 3], [3, 0.01, 0], [3, -2, 0], [3, 0, 0], [3, Infinity, 0]] as const) {
  for (let s = 0; s < SPECIAL.length; s += NB) EDGE_CASES.push({ act, p0: Math.fround(p0), p1, v: Array.from({ length: NB }, (_, j) => SPECIAL[(s + j) % SPECIAL.length]!) });
}

describe("the c99 activation epilogue (bit masks) equals its ?: definition", () => {
  for (const [label, flags] of [["rig flags", []], ["-O3 -march=native", ["-O3", "-march=native"]]] as const) {
    it(`bit for bit on edge values and drawn cases (${label})`, (ctx) => {
      const exe = build(rigOrSkip(ctx, "c99", "native"), flags, label.replace(/[^a-z0-9]+/gi, "_"));
      expect(firstDiff(EDGE_CASES, run(exe, EDGE_CASES))).toBeUndefined();
      fc.assert(fc.property(fc.array(arbCase, { minLength: 1, maxLength: 40 }), (cases) => {
        expect(firstDiff(cases, run(exe, cases))).toBeUndefined();
      }), { numRuns: 40 });
    });
  }
});
