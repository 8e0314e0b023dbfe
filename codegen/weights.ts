// The weights file: every const array a kernel adds, stored once, 16-byte aligned.
//
// Arrays are written as string literals in unions (`unsigned char bytes[N]` over `float v[n]`):
// GCC parses a 27 MB string literal in about a second where the same data as a list of numbers
// takes tens of seconds, and union punning is defined C99. The bytes are little-endian, which
// every supported target is; weights.h refuses to build on a big-endian compiler.
import { createHash } from "node:crypto";
import type { WeightData } from "./kernel.js";
import { cIdent } from "./c-util.js";

interface WeightArray {
  readonly ident: string;
  readonly elemType: string;
  readonly count: number;
  readonly bytes: Uint8Array;
}

function elemTypeOf(d: WeightData): string {
  if (d instanceof Float32Array) return "float";
  if (d instanceof Int8Array) return "int8_t";
  if (d instanceof Uint8Array) return "uint8_t";
  if (d instanceof Int16Array) return "int16_t";
  if (d instanceof Int32Array) return "int32_t";
  if (d instanceof Float64Array) return "double";
  if (d instanceof Uint16Array) return "uint16_t";
  if (d instanceof BigInt64Array) return "int64_t";
  if (d instanceof BigUint64Array) return "uint64_t";
  return "uint32_t";
}

const ESCAPES: string[] = Array.from({ length: 256 }, (_, c) =>
  c >= 32 && c < 127 && c !== 34 && c !== 92 && c !== 63 ? String.fromCharCode(c) : "\\" + c.toString(8).padStart(3, "0"),
);

/** The bytes as adjacent C string literals, one per line. */
function stringLiteral(bytes: Uint8Array): string {
  const lines: string[] = [];
  let line: string[] = [];
  let len = 0;
  for (let i = 0; i < bytes.length; i++) {
    const e = ESCAPES[bytes[i]!]!;
    line.push(e);
    len += e.length;
    if (len >= 96) {
      lines.push('  "' + line.join("") + '"');
      line = [];
      len = 0;
    }
  }
  if (line.length > 0 || lines.length === 0) lines.push('  "' + line.join("") + '"');
  return lines.join("\n");
}

export class WeightStore {
  private readonly arrays: WeightArray[] = [];
  private readonly byHash = new Map<string, WeightArray>();

  constructor(private readonly prefix: string) {}

  /** Adds an array (deduplicated by content) and returns a `const T*` C expression. */
  add(hint: string, data: WeightData): string {
    const elemType = elemTypeOf(data);
    if (data.length === 0) return `((const ${elemType}*)0)`;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const hash = createHash("sha1").update(elemType).update(bytes).digest("hex");
    let w = this.byHash.get(hash);
    if (!w) {
      w = { ident: `${this.prefix}_w${this.arrays.length}_${cIdent(hint).slice(0, 40)}`, elemType, count: data.length, bytes: bytes.slice() };
      this.arrays.push(w);
      this.byHash.set(hash, w);
    }
    return `${w.ident}.v`;
  }

  get totalBytes(): number {
    return this.arrays.reduce((s, w) => s + w.bytes.length, 0);
  }

  header(): string {
    const guard = `${this.prefix.toUpperCase()}_WEIGHTS_H`;
    const out = [
      `/* Weights of the generated model (neonc). Little-endian data; see weights.c. */`,
      `#ifndef ${guard}`,
      `#define ${guard}`,
      `#include <stdint.h>`,
      `#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__`,
      `#error "neonc weights are little-endian; this target is not"`,
      `#endif`,
      `#if defined(__GNUC__) || defined(__clang__)`,
      `#define NEONC_ALIGN16 __attribute__((aligned(16)))`,
      `#else`,
      `#define NEONC_ALIGN16`,
      `#endif`,
    ];
    for (const w of this.arrays) {
      out.push(`extern const union ${w.ident}_t { unsigned char bytes[${w.bytes.length}]; ${w.elemType} v[${w.count}]; } ${w.ident} NEONC_ALIGN16;`);
    }
    out.push(`#endif`, ``);
    return out.join("\n");
  }

  source(): string {
    const out = [`/* Weights of the generated model (neonc): const, 16-byte aligned, little-endian bytes. */`, `#include "weights.h"`, ``];
    for (const w of this.arrays) {
      out.push(`const union ${w.ident}_t ${w.ident} NEONC_ALIGN16 = {`, stringLiteral(w.bytes), `};`, ``);
    }
    if (this.arrays.length === 0) out.push(`typedef int ${this.prefix}_no_weights;`, ``);
    return out.join("\n");
  }
}
