// Exact conversions between JS numbers and the packed float formats the IR stores as raw bits:
// f16, bf16 and the four float8 formats of ONNX (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), plus helpers
// that read any tensor as real values and build any tensor from real values.
//
// Encoding rounds the exact JS number (a double) once, to nearest with ties to even, so a value
// that is already an f32 gets the same bits as the ONNX reference's float32 conversion. Float8
// overflow follows the ONNX Cast-19 rules: with `saturate` a value whose rounded magnitude exceeds
// the largest finite one becomes ±max (±Inf too, as the ONNX reference and onnxruntime do for all
// four formats); without it, E5M2 gives ±Inf and the other formats NaN. The FNUZ formats have no
// negative zero (-0 encodes as 0) and a single NaN, 0x80. Decoding uses lookup tables.
import { roundHalfEven } from "./kernels/onnx-quant-round.js";
import type { DType, TensorData } from "./dtype.js";
import { makeTensor, type Tensor } from "./types.js";

export type Float8Format = "f8e4m3fn" | "f8e4m3fnuz" | "f8e5m2" | "f8e5m2fnuz";
export const FLOAT8_FORMATS: readonly Float8Format[] = ["f8e4m3fn", "f8e4m3fnuz", "f8e5m2", "f8e5m2fnuz"];

/** Layout and special values of a small binary float format. */
interface MiniFloat {
  readonly expBits: number;
  readonly manBits: number;
  readonly bias: number;
  /** Largest finite magnitude. */
  readonly max: number;
  /** Bits of +max. */
  readonly maxBits: number;
  /** Bits of +Inf, or -1 when the format has no infinity. */
  readonly infBits: number;
  /** Bits of the NaN produced for a positive NaN. */
  readonly nanBits: number;
  /** FNUZ formats: no -0, NaN is the negative-zero pattern, no sign on NaN. */
  readonly uz: boolean;
}

const F16: MiniFloat = { expBits: 5, manBits: 10, bias: 15, max: 65504, maxBits: 0x7bff, infBits: 0x7c00, nanBits: 0x7e00, uz: false };
const BF16: MiniFloat = {
  expBits: 8, manBits: 7, bias: 127, max: (2 - 2 ** -7) * 2 ** 127, maxBits: 0x7f7f, infBits: 0x7f80, nanBits: 0x7fc0, uz: false,
};
const F8: Readonly<Record<Float8Format, MiniFloat>> = {
  f8e4m3fn: { expBits: 4, manBits: 3, bias: 7, max: 448, maxBits: 0x7e, infBits: -1, nanBits: 0x7f, uz: false },
  f8e4m3fnuz: { expBits: 4, manBits: 3, bias: 8, max: 240, maxBits: 0x7f, infBits: -1, nanBits: 0x80, uz: true },
  f8e5m2: { expBits: 5, manBits: 2, bias: 15, max: 57344, maxBits: 0x7b, infBits: 0x7c, nanBits: 0x7f, uz: false },
  f8e5m2fnuz: { expBits: 5, manBits: 2, bias: 16, max: 57344, maxBits: 0x7f, infBits: -1, nanBits: 0x80, uz: true },
};

export function isFloat8(dt: DType): dt is Float8Format {
  return dt === "f8e4m3fn" || dt === "f8e4m3fnuz" || dt === "f8e5m2" || dt === "f8e5m2fnuz";
}

/** Bit layout and special values of a float8 format (for code generators that encode it). */
export interface Float8Spec {
  readonly expBits: number;
  readonly manBits: number;
  readonly bias: number;
  readonly maxBits: number;
  /** Bits of +Inf, or -1 when the format has no infinity. */
  readonly infBits: number;
  readonly nanBits: number;
  readonly uz: boolean;
}

export function float8Spec(format: Float8Format): Float8Spec {
  return F8[format];
}

/** Largest finite value of a float8 format. */
export function float8Max(format: Float8Format): number {
  return F8[format].max;
}

// Scratch views to read the binary exponent of a double without Math.log2 rounding doubts.
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** floor(log2(a)) for a finite a > 0. */
function exponentOf(a: number): number {
  scratchF64[0] = a;
  const e = (scratchU32[HI]! >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  // Double subnormal: far below every format's smallest subnormal; any exponent that small works.
  return -1075;
}


/** What a value too large for f becomes (x > 0 unless neg). */
function overflowBits(f: MiniFloat, neg: boolean, saturate: boolean): number {
  const signBit = 1 << (f.expBits + f.manBits);
  const s = neg ? signBit : 0;
  // f16 and bf16 follow IEEE rounding (overflow is Inf); `saturate` is a float8 notion.
  if (f.expBits + f.manBits > 7) return s | f.infBits;
  if (saturate) return s | f.maxBits;
  if (f.infBits >= 0) return s | f.infBits;
  return f.uz ? f.nanBits : s | f.nanBits;
}

/**
 * Encodes x in format f. `saturate` only changes float8 overflow (f16/bf16 overflow to Inf, as
 * IEEE rounding does).
 */
function encode(x: number, f: MiniFloat, saturate: boolean): number {
  // Values that are exactly f32 (everything a kernel computes in f32) take the bit-level path.
  if (Math.fround(x) === x) return f === BF16 ? encodeBf16FromF32(x) : encodeFromF32(x, f, saturate);
  return encodeExact(x, f, saturate);
}

const encScratch = new Float32Array(1);
const encScratchU32 = new Uint32Array(encScratch.buffer);

/** bf16 bits of an f32 value (not NaN), nearest even: add half an ulp minus the tie bit, drop 16 bits. */
function encodeBf16FromF32(x: number): number {
  encScratch[0] = x;
  const b = encScratchU32[0]!;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Bits of an f32 value (not NaN) in a format of at most 16 bits, from its f32 encoding. */
function encodeFromF32(x: number, f: MiniFloat, saturate: boolean): number {
  encScratch[0] = x;
  const b = encScratchU32[0]!;
  const neg = b >>> 31 === 1;
  const sign = neg ? 1 << (f.expBits + f.manBits) : 0;
  const zero = f.uz ? 0 : sign; // FNUZ formats have no -0
  const e = (b >>> 23) & 0xff;
  const m = b & 0x7fffff;
  if (e === 0xff) return overflowBits(f, neg, saturate); // Inf (NaN never gets here)
  if (e === 0) return zero; // zero or an f32 subnormal: below half the smallest subnormal of f
  const exp = e - 127;
  if (exp + f.bias >= 1 << f.expBits) return overflowBits(f, neg, saturate);
  const minExp = 1 - f.bias;
  let h: number, shift: number, rest: number;
  if (exp >= minExp) {
    shift = 23 - f.manBits;
    h = ((exp + f.bias) << f.manBits) | (m >>> shift);
    rest = m & ((1 << shift) - 1);
  } else {
    // Subnormal in f: the significand with its implicit bit, shifted down to units of 2^(minExp-manBits).
    shift = 23 - f.manBits + (minExp - exp);
    if (shift > 24) return zero;
    const sig = m | 0x800000;
    h = sig >>> shift;
    rest = sig & ((1 << shift) - 1);
  }
  const half = 1 << (shift - 1);
  // A carry out of the mantissa moves into the exponent, which is the right result.
  if (rest > half || (rest === half && (h & 1) === 1)) h++;
  if (h > f.maxBits) return overflowBits(f, neg, saturate);
  return h === 0 ? zero : sign | h;
}

/** Encodes any double by exact scaling (used for values that are not f32, and for NaN). */
function encodeExact(x: number, f: MiniFloat, saturate: boolean): number {
  const signBit = 1 << (f.expBits + f.manBits);
  const neg = x < 0 || Object.is(x, -0);
  if (x !== x) return f.uz ? f.nanBits : (neg ? signBit : 0) | f.nanBits;
  const sign = neg ? signBit : 0;
  const zero = f.uz ? 0 : sign; // FNUZ formats have no -0
  const a = neg ? -x : x;
  if (a === Infinity) return overflowBits(f, neg, saturate);
  if (a === 0) return zero;
  const minExp = 1 - f.bias;
  const e = exponentOf(a);
  const qExp = (e < minExp ? minExp : e) - f.manBits;
  // Scaling by powers of two is exact, so r is a correctly rounded significand.
  const r = roundHalfEven(a * 2 ** -qExp);
  const v = r * 2 ** qExp;
  if (v > f.max) return overflowBits(f, neg, saturate);
  if (r === 0) return zero;
  if (v < 2 ** minExp) return sign | r; // subnormal: exponent field 0, mantissa r
  const ev = exponentOf(v);
  const mant = v * 2 ** (f.manBits - ev) - (1 << f.manBits);
  return sign | ((ev + f.bias) << f.manBits) | mant;
}

/** Decodes bits of format f (used to fill the lookup tables). */
function decode(bits: number, f: MiniFloat): number {
  const total = f.expBits + f.manBits;
  const signBit = 1 << total;
  if (f.uz && bits === f.nanBits) return NaN;
  const neg = (bits & signBit) !== 0;
  const expField = (bits >>> f.manBits) & ((1 << f.expBits) - 1);
  const mant = bits & ((1 << f.manBits) - 1);
  let v: number;
  if (f.infBits >= 0 && expField === (1 << f.expBits) - 1) {
    v = mant === 0 ? Infinity : NaN;
  } else if (!f.uz && f.infBits < 0 && (bits & (signBit - 1)) === signBit - 1) {
    v = NaN; // E4M3FN: S.1111.111 is the only NaN
  } else if (expField === 0) {
    v = mant * 2 ** (1 - f.bias - f.manBits);
  } else {
    v = (1 + mant / (1 << f.manBits)) * 2 ** (expField - f.bias);
  }
  return neg ? -v : v;
}

// ---- f16 ----

let f16Table: Float32Array | undefined;
function f16Values(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) f16Table[b] = decode(b, F16);
  }
  return f16Table;
}

/** IEEE half bits of x, rounded to nearest even (overflow gives ±Inf). */
export function f32ToF16Bits(x: number): number {
  return encode(x, F16, false);
}

export function f16BitsToF32(bits: number): number {
  return f16Values()[bits & 0xffff]!;
}

// ---- bf16 ----

const bfScratch = new Float32Array(1);
const bfScratchU32 = new Uint32Array(bfScratch.buffer);

/** bfloat16 bits of x, rounded to nearest even (overflow gives ±Inf). */
export function f32ToBf16Bits(x: number): number {
  return encode(x, BF16, false);
}

/**
 * bfloat16 bits of x by dropping the low 16 bits of its f32 encoding (NaN stays NaN). This is
 * how the ONNX reference (up to onnx 1.15, whose backend tests neonc checks) casts to bfloat16.
 */
export function f32ToBf16BitsTruncate(x: number): number {
  if (x !== x) return (x < 0 ? 0x8000 : 0) | 0x7fc0;
  bfScratch[0] = x;
  return bfScratchU32[0]! >>> 16;
}

export function bf16BitsToF32(bits: number): number {
  bfScratchU32[0] = (bits & 0xffff) << 16;
  return bfScratch[0]!;
}

// ---- float8 ----

const f8Tables = new Map<Float8Format, Float32Array>();
/** The 256 values of a float8 format, indexed by bit pattern. */
export function float8Values(format: Float8Format): Float32Array {
  let t = f8Tables.get(format);
  if (!t) {
    t = new Float32Array(256);
    for (let b = 0; b < 256; b++) t[b] = decode(b, F8[format]);
    f8Tables.set(format, t);
  }
  return t;
}

/** Float8 bits of x (round to nearest even; overflow per the ONNX `saturate` rules). */
export function toFloat8Bits(x: number, format: Float8Format, saturate = true): number {
  return encode(x, F8[format], saturate);
}

export function float8BitsToF32(bits: number, format: Float8Format): number {
  return float8Values(format)[bits & 0xff]!;
}

// ---- whole tensors ----

/** Values of a packed-float array (f16/bf16/f8 bits) as f32, into `out`. */
function unpackInto(dt: DType, bits: Uint8Array | Uint16Array, out: Float32Array | Float64Array): void {
  const n = bits.length;
  if (dt === "bf16") {
    for (let i = 0; i < n; i++) {
      bfScratchU32[0] = bits[i]! << 16;
      out[i] = bfScratch[0]!;
    }
    return;
  }
  const table = dt === "f16" ? f16Values() : float8Values(dt as Float8Format);
  for (let i = 0; i < n; i++) out[i] = table[bits[i]!]!;
}

function readInto(t: Tensor, out: Float32Array | Float64Array): void {
  const d = t.data;
  if (t.dtype === "f16" || t.dtype === "bf16" || isFloat8(t.dtype)) {
    unpackInto(t.dtype, d as Uint8Array | Uint16Array, out);
  } else if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  } else if (Array.isArray(d)) {
    for (let i = 0; i < d.length; i++) out[i] = parseNumber(d[i]!);
  } else {
    out.set(d as Float32Array);
  }
}

/**
 * Real values of any tensor as a Float64Array (bool as 0/1, 64-bit integers rounded to the
 * nearest double, strings parsed). Returns the tensor's own storage for f64: do not write to it.
 */
export function tensorToF64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const out = new Float64Array(t.data.length);
  readInto(t, out);
  return out;
}

/** Real values of any tensor rounded to f32. Returns the tensor's own storage for f32: do not write to it. */
export function tensorToF32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  readInto(t, out);
  return out;
}

/**
 * Stores real values into storage of dtype dt (allocated by the caller with the right length).
 * Floats round to nearest even (f8 overflow per `saturate`); integers truncate toward zero and
 * wrap around like a C cast (NaN and ±Inf give 0); bool is x != 0 (NaN is true); strings get the
 * shortest text that reads back to the same value.
 */
export function storeReals(dt: DType, values: ArrayLike<number>, out: TensorData, saturate = true): void {
  const n = values.length;
  switch (dt) {
    case "f16": {
      const o = out as Uint16Array;
      for (let i = 0; i < n; i++) o[i] = encode(values[i]!, F16, false);
      return;
    }
    case "bf16": {
      const o = out as Uint16Array;
      for (let i = 0; i < n; i++) o[i] = encode(values[i]!, BF16, false);
      return;
    }
    case "f8e4m3fn": case "f8e4m3fnuz": case "f8e5m2": case "f8e5m2fnuz": {
      const o = out as Uint8Array;
      const f = F8[dt];
      for (let i = 0; i < n; i++) o[i] = encode(values[i]!, f, saturate);
      return;
    }
    case "bool": {
      const o = out as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = values[i] === 0 ? 0 : 1;
      return;
    }
    case "i64": case "u64": {
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        o[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
      }
      return;
    }
    case "string": {
      const o = out as string[];
      for (let i = 0; i < n; i++) o[i] = formatReal(values[i]!, "f64");
      return;
    }
    default: {
      // Typed-array stores already truncate and wrap integers (ToInt8...) and round to f32.
      const o = out as Float64Array;
      for (let i = 0; i < n; i++) o[i] = values[i]!;
    }
  }
}

/** A tensor of dtype dt holding the given real values (conversion rules of storeReals). */
export function tensorFromF64(dtype: DType, shape: readonly number[], values: ArrayLike<number>, saturate = true): Tensor {
  const t = makeTensor(dtype, shape);
  if (values.length !== t.data.length) {
    throw new RangeError(`tensorFromF64: ${values.length} values for shape [${shape.join(",")}]`);
  }
  storeReals(dtype, values, t.data, saturate);
  return t;
}

/**
 * Parses a number as ONNX Cast from string does: plain and scientific notation, and
 * case-insensitive "INF", "+INF", "-INF", "NaN" (also "inf"/"infinity" spellings).
 */
export function parseNumber(s: string): number {
  const t = s.trim();
  const low = t.toLowerCase();
  if (low === "inf" || low === "+inf" || low === "infinity" || low === "+infinity") return Infinity;
  if (low === "-inf" || low === "-infinity") return -Infinity;
  if (low === "nan" || low === "+nan" || low === "-nan") return NaN;
  if (low === "true") return 1;
  if (low === "false") return 0;
  const v = Number(t);
  return Number.isNaN(v) ? parseFloat(t) : v;
}

/**
 * Text of a real value the way numpy's str() prints a scalar of the given float type (what the
 * ONNX reference produces for Cast to string): the shortest digits that read back to the same
 * value of that type, positional for 1e-4 <= |x| < 1e16 with a trailing ".0" when integral,
 * scientific otherwise ("1e+20", "1.5e-05"); "nan", "inf", "-inf".
 */
export function formatReal(x: number, dt: DType): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const same = roundTripTest(dt);
  let digits = "";
  let exp = 0;
  for (let p = 1; p <= 17; p++) {
    const s = Math.abs(x).toExponential(p - 1);
    if (p === 17 || same(Number(s) * Math.sign(x), x)) {
      const [m, e] = s.split("e") as [string, string];
      digits = m.replace(".", "");
      exp = Number(e);
      break;
    }
  }
  digits = digits.replace(/0+$/, "") || "0";
  const sign = x < 0 ? "-" : "";
  if (exp >= -4 && exp < 16) {
    let body: string;
    if (exp < 0) body = "0." + "0".repeat(-exp - 1) + digits;
    else if (digits.length <= exp + 1) body = digits + "0".repeat(exp + 1 - digits.length) + ".0";
    else body = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
    return sign + body;
  }
  const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  const ae = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
}

function roundTripTest(dt: DType): (a: number, b: number) => boolean {
  switch (dt) {
    case "f32": return (a, b) => Math.fround(a) === b;
    case "f16": return (a, b) => f16BitsToF32(f32ToF16Bits(a)) === b;
    case "bf16": return (a, b) => bf16BitsToF32(f32ToBf16Bits(a)) === b;
    default:
      if (isFloat8(dt)) return (a, b) => float8BitsToF32(toFloat8Bits(a, dt), dt) === b;
      return (a, b) => a === b;
  }
}
