// Micro benchmark of the interpreter's float kernels (not a test): the GEMM that pointwise and
// im2col convolutions run on, and the direct depthwise conv of QuartzNet-style models.
//
//   npx tsc -p tsconfig.json && node dist/bench/gemm.js
//
// Prints GFLOP/s of a 512x512x200 sgemm (C[512,200] = A[512,512] . B[512,200], the shape of a
// 512-channel pointwise conv over 200 frames) and the time of a [1,512,200] depthwise conv with
// k=63 (pads 31), each the median of repeated runs after a warm-up.
import { sgemm } from "../ir/kernels/gemm.js";
import { convFloat } from "../ir/kernels/conv.js";

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

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function benchGemm(): void {
  const M = 512, K = 512, N = 200;
  const A = random(M * K, 1), B = random(K * N, 2), C = new Float32Array(M * N);
  const ms = time(() => sgemm(false, false, M, N, K, 1, A, 0, K, B, 0, N, 0, C, 0, N), 5, 30);
  console.log(`sgemm ${M}x${K}x${N}: ${report(ms, 2 * M * N * K)}`);
}

function benchDepthwise(): void {
  const C = 512, T = 200, k = 63;
  const x = random(C * T, 3), w = random(C * k, 4), y = new Float32Array(C * T);
  const geometry = { inShape: [T], kernel: [k], strides: [1], dilations: [1], padBegin: [31], padEnd: [31], outShape: [T] };
  const ms = time(() => convFloat(x, w, undefined, y, { N: 1, C, M: C, group: C, geometry }), 5, 30);
  console.log(`depthwise conv [1,${C},${T}] k=${k}: ${report(ms, 2 * C * T * k)}`);
}

benchGemm();
benchDepthwise();
