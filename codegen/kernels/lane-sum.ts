// The float sum over a contiguous run for the scalar (c99) kernels, as 16 interleaved partial
// sums: lane j adds terms j, j + 16, j + 32, ..., the lanes are then added pairwise, and the
// last n % 16 terms in order. A plain `s += x[k]` loop is one serial chain that gcc vectorizes
// only when -fassociative-math (part of -ffast-math) lets it reorder the additions; the 16
// lanes are independent, so it vectorizes them with standard flags (one AVX-512 vector, two
// AVX or four SSE / NEON ones) and keeps each lane's order. The result is as accurate as the
// serial sum or more (shorter chains); the interpreter sums in double.
//
// The functions that hold such sums are kept out of the run function (NEONC_NOINLINE): inlined
// there, the larger vectorized body changed how gcc compiled the kernels around it
// (wakeword_dscnn, whose GlobalAveragePool is one: 0.108 ms -> 0.117 ms; docs/measurements/
// 2026-12-07-float-c-standard-flags.md).
import type { KernelContext } from "../kernel.js";

/**
 * C statements that set float `s` to the sum of `term(k)` for k in [0, n): `k` is a size_t
 * the caller declares (it ends at n), `term` the C expression of one term at index k. The
 * lines after the first start with `indent` (the first goes where the caller puts it).
 */
export function laneSumC(s: string, k: string, n: string, term: (k: string) => string, indent = "    "): string {
  return [
    `{`,
    `  float lane[16] = {0.0f};`,
    `  int l;`,
    `  for (${k} = 0; ${k} + 16 <= ${n}; ${k} += 16)`,
    `    for (l = 0; l < 16; l++) { const float v = ${term(`${k} + l`)}; lane[l] += v; }`,
    `  for (l = 0; l < 8; l++) lane[l] += lane[l + 8];`,
    `  for (l = 0; l < 4; l++) lane[l] += lane[l + 4];`,
    `  ${s} = (lane[0] + lane[1]) + (lane[2] + lane[3]);`,
    `  for (; ${k} < ${n}; ${k}++) { const float v = ${term(k)}; ${s} += v; }`,
    `}`,
  ].join(`\n${indent}`);
}

/** Adds NEONC_NOINLINE (gcc and clang: noinline; empty elsewhere) for the functions with lane sums. */
export function useNoinline(ctx: KernelContext): void {
  ctx.helper("noinline", `
#if defined(__GNUC__)
#define NEONC_NOINLINE __attribute__((noinline))
#else
#define NEONC_NOINLINE
#endif`);
}
