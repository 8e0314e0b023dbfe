// Micro benchmark of the interpreter's float kernels (not a test): the GEMM that pointwise and
// im2col convolutions run on, and the direct depthwise conv of QuartzNet-style models. Each is a
// one-node graph run through the package API (runGraph), so the time includes the interpreter's
// small per-node overhead (one output allocation) on top of the kernel.
//
//   npx tsc -p tsconfig.json && node dist/bench/gemm.js
//
// Prints GFLOP/s of a 512x512x200 sgemm (C[512,200] = A[512,512] . B[512,200], the shape of a
// 512-channel pointwise conv over 200 frames) and the time of a [1,512,200] depthwise conv with
// k=63 (pads 31), each the median of repeated runs after a warm-up.
import { fromNumbers, makeGraph, runGraph, tensorType, type Tensor } from "neonc";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median and best wall time in ms of fn over `runs` runs after `warm` warm-up runs. */
function time(fn: () => void, warm: number, runs: number): { median: number; best: number } {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { median: median(t), best: Math.min(...t) };
}

/** "12.3 ms (4.5 GFLOP/s)" for the median and the best run; a busy machine shows in the gap. */
function report(ms: { median: number; best: number }, flops: number): string {
  const rate = (t: number) => (flops / t / 1e6).toFixed(2);
  return `median ${ms.median.toFixed(2)} ms (${rate(ms.median)} GFLOP/s), best ${ms.best.toFixed(2)} ms (${rate(ms.best)} GFLOP/s)`;
}

function random(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Array<number>(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return fromNumbers("f32", shape, a);
}

function benchGemm(): void {
  const M = 512, K = 512, N = 200;
  const g = makeGraph({
    name: "gemm", inputs: ["a", "b"], outputs: ["c"],
    types: { a: tensorType("f32", [M, K]), b: tensorType("f32", [K, N]), c: tensorType("f32", [M, N]) },
    constants: {},
    nodes: [{ name: "mm", op: "MatMul", inputs: ["a", "b"], outputs: ["c"], attrs: {} }],
  });
  const inputs = { a: random([M, K], 1), b: random([K, N], 2) };
  const ms = time(() => runGraph(g, inputs), 5, 30);
  console.log(`MatMul ${M}x${K}x${N}: ${report(ms, 2 * M * N * K)}`);
}

function benchDepthwise(): void {
  const C = 512, T = 200, k = 63;
  const g = makeGraph({
    name: "depthwise", inputs: ["x"], outputs: ["y"],
    types: { x: tensorType("f32", [1, C, T]), w: tensorType("f32", [C, 1, k]), y: tensorType("f32", [1, C, T]) },
    constants: { w: random([C, 1, k], 4) },
    nodes: [{ name: "dw", op: "Conv", inputs: ["x", "w"], outputs: ["y"], attrs: { group: C, pads: [31, 31] } }],
  });
  const inputs = { x: random([1, C, T], 3) };
  const ms = time(() => runGraph(g, inputs), 5, 30);
  console.log(`depthwise conv [1,${C},${T}] k=${k}: ${report(ms, 2 * C * T * k)}`);
}

benchGemm();
benchDepthwise();
