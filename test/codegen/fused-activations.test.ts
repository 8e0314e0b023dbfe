// Every kind of fused activation (ir/activation.ts) on every op that carries one and has a C
// kernel (Conv on its pointwise, direct 1-D and depthwise paths, Gemm, MatMul, Add), in one
// graph built once per rig — c99 natively (with the rig's flags and with -O3 -march=native), aarch64
// through SIMDe and under qemu, armv7 under qemu — against the interpreter. Relu, Clip and
// LeakyRelu are applied in the kernels' epilogues, the others by the sweep after the kernel
// (codegen/kernels/fused-activation.ts). Bound: 1e-5 of the output's largest magnitude, as for
// the float kernels (the sums round in another order than the interpreter's).
import { describe } from "vitest";
import "../../ir/ops/index.js";
import { fusedKinds } from "../../ir/activation.js";
import { resolveAttrs } from "../../ir/op.js";
import { parseGraph } from "../../ir/text/index.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { checkGraph, constLine, itOnRigs } from "./helpers.js";

const rng = new Rng(77);
const randomF32 = (r: Rng, shape: number[], min = -1, max = 1) => seededTensor(r, "f32", shape, { values: { min, max } });
const lines: string[] = [];
const outs: string[] = [];
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "inf" : "-inf");

for (const row of fusedKinds()) {
  const a = resolveAttrs(row.def, row.fn.samples?.[0] ?? {}) as Record<string, number>;
  const params = row.params.map((p, i) => a[p] ?? row.fn.fusion!.absent?.[i] ?? 0);
  const act = `activation="${row.kind}"${params.length ? `, activation_params=[${params.map(num).join(", ")}]` : ""}`;
  const k = row.kind.toLowerCase();
  lines.push(
    constLine(`${k}_w1`, randomF32(rng, [5, 4, 1], -0.5, 0.5)), constLine(`${k}_b1`, randomF32(rng, [5])),
    constLine(`${k}_w3`, randomF32(rng, [3, 4, 3], -0.5, 0.5)),
    constLine(`${k}_wd`, randomF32(rng, [4, 1, 5], -0.5, 0.5)),
    constLine(`${k}_wm`, randomF32(rng, [4, 6], -0.5, 0.5)), constLine(`${k}_bm`, randomF32(rng, [6])),
    constLine(`${k}_c`, randomF32(rng, [4, 1])),
    `  %${k}_pw = Conv(%x, %${k}_w1, %${k}_b1) {${act}}`,
    `  %${k}_conv = Conv(%x, %${k}_w3) {pads=[1, 1], strides=[2], ${act}}`,
    `  %${k}_dw = Conv(%x, %${k}_wd) {pads=[2, 2], group=4, ${act}}`,
    `  %${k}_gemm = Gemm(%f, %${k}_wm, %${k}_bm) {${act}}`,
    `  %${k}_mm = MatMul(%ft, %${k}_wm) {${act}}`,
    `  %${k}_add = Add(%x, %${k}_c) {${act}}`,
  );
  outs.push(`${k}_pw`, `${k}_conv`, `${k}_dw`, `${k}_gemm`, `${k}_mm`, `${k}_add`);
}

const g = parseGraph(`graph @fused(%x: f32[1,4,T], %f: f32[T,4], %ft: f32[1,T,4]) -> (${outs.map((o) => `%${o}`).join(", ")}) {\n${lines.join("\n")}\n}`);
const sets = [21, 6].map((T) => ({ x: randomF32(rng, [1, 4, T], -3, 3), f: randomF32(rng, [T, 4], -3, 3), ft: randomF32(rng, [1, T, 4], -3, 3) }));

describe("every fused activation on every op in C", () => {
  itOnRigs([["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"], ["armv7", "qemu"]], (target, rig) => {
    checkGraph(g, target, rig, sets, { maxDims: { T: 32 }, tol: 1e-5 });
    if (target === "c99") checkGraph(g, target, rig, sets, { maxDims: { T: 32 }, tol: 1e-5, build: { extraFlags: ["-O3", "-march=native"] }, label: "-O3 -march=native" });
  });
});
