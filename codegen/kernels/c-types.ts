// Values of every dtype in generated C, converted exactly as the interpreter converts them.
//
// Storage is the dtype's C type (c-util.ts ctype: f16/bf16 and float8 as their raw bits). A kernel
// computes on a dtype's *value type* (valueType): float for f32 and the packed floats (the
// interpreter widens f16/bf16/float8 to f32, computes, and rounds once per op), double for f64,
// the integer type itself for integers. `load` turns storage into a value, `store` a value back
// into storage, `fromDouble` a double into any dtype by ir/float-formats.ts's storeReals rules
// (floats round to nearest even, float8 overflow per `saturate`, integers truncate and wrap,
// NaN and infinities give 0, bool is x != 0), and `castExpr` is ONNX Cast as ir/kernels/
// elementwise-cast.ts does it. The packed-float encoder is a port of float-formats.ts's encode:
// the bit-level path for values that are exactly f32, exact scaling by powers of two otherwise,
// so the C matches it bit for bit (test/codegen/typed-cast.test.ts checks every f16 and float8
// pattern and random doubles).
import type { DType } from "../../ir/dtype.js";
import { float8Values, FLOAT8_FORMATS, isFloat8, type Float8Format } from "../../ir/float-formats.js";
import { ctype } from "../c-util.js";
import type { KernelContext } from "../kernel.js";

export type Kind = "f32" | "f64" | "packed" | "sint" | "uint" | "i64" | "u64" | "bool";

export function kindOf(dt: DType): Kind {
  switch (dt) {
    case "f32": return "f32";
    case "f64": return "f64";
    case "i8": case "i16": case "i32": return "sint";
    case "u8": case "u16": case "u32": return "uint";
    case "i64": return "i64";
    case "u64": return "u64";
    case "bool": return "bool";
    case "string": throw new Error("string tensors have no C form");
    default: return "packed";
  }
}

export const isFloatKind = (k: Kind): boolean => k === "f32" || k === "f64" || k === "packed";
export const isIntKind = (k: Kind): boolean => k === "sint" || k === "uint" || k === "i64" || k === "u64";

/** The C type a kernel computes a dtype's values in. */
export function valueType(dt: DType): string {
  const k = kindOf(dt);
  return k === "packed" ? "float" : ctype(dt);
}

/** The unsigned C type integer arithmetic of a dtype wraps in (uint32_t up to 32 bits). */
export function wrapType(dt: DType): string {
  const k = kindOf(dt);
  return k === "i64" || k === "u64" ? "uint64_t" : "uint32_t";
}

/** Parameters of a packed float format, as float-formats.ts defines them. */
interface MiniFloat {
  readonly expBits: number; readonly manBits: number; readonly bias: number; readonly max: string;
  readonly maxBits: number; readonly infBits: number; readonly nanBits: number; readonly uz: boolean;
}

const FORMATS: Readonly<Record<string, MiniFloat>> = {
  f16: { expBits: 5, manBits: 10, bias: 15, max: "65504.0", maxBits: 0x7bff, infBits: 0x7c00, nanBits: 0x7e00, uz: false },
  bf16: { expBits: 8, manBits: 7, bias: 127, max: "3.3895313892515355e38", maxBits: 0x7f7f, infBits: 0x7f80, nanBits: 0x7fc0, uz: false },
  f8e4m3fn: { expBits: 4, manBits: 3, bias: 7, max: "448.0", maxBits: 0x7e, infBits: -1, nanBits: 0x7f, uz: false },
  f8e4m3fnuz: { expBits: 4, manBits: 3, bias: 8, max: "240.0", maxBits: 0x7f, infBits: -1, nanBits: 0x80, uz: true },
  f8e5m2: { expBits: 5, manBits: 2, bias: 15, max: "57344.0", maxBits: 0x7b, infBits: 0x7c, nanBits: 0x7f, uz: false },
  f8e5m2fnuz: { expBits: 5, manBits: 2, bias: 16, max: "57344.0", maxBits: 0x7f, infBits: -1, nanBits: 0x80, uz: true },
};

/** The encoder shared by every packed format (a port of float-formats.ts encode / overflowBits). */
function useEncoder(ctx: KernelContext): void {
  ctx.helper("mf_encode", `
typedef struct { int exp_bits, man_bits, bias; double max; unsigned max_bits; int inf_bits; unsigned nan_bits; int uz; } neonc_minifloat;
/* What a value too large for the format becomes: Inf for f16/bf16, else per saturate. */
static unsigned neonc_mf_overflow(const neonc_minifloat *f, int neg, int saturate) {
  unsigned s = neg ? 1u << (f->exp_bits + f->man_bits) : 0u;
  if (f->exp_bits + f->man_bits > 7) return s | (unsigned)f->inf_bits;
  if (saturate) return s | f->max_bits;
  if (f->inf_bits >= 0) return s | (unsigned)f->inf_bits;
  return f->uz ? f->nan_bits : s | f->nan_bits;
}
/* Round half to even of a non-negative double (float-formats.ts roundHalfEven). */
static double neonc_mf_rhe(double q) {
  double fl = floor(q), d = q - fl;
  if (d > 0.5) return fl + 1.0;
  if (d < 0.5) return fl;
  return fmod(fl, 2.0) == 0.0 ? fl : fl + 1.0;
}
/* Bits of x in format f, rounded to nearest even once from the exact value. */
static unsigned neonc_mf_encode(double x, const neonc_minifloat *f, int saturate) {
  const unsigned sign_bit = 1u << (f->exp_bits + f->man_bits);
  const int min_exp = 1 - f->bias;
  const double ax = fabs(x);
  /* (float)x only where it is defined: within the float range, or infinite. */
  float xf = ax <= 3.4028234663852886e38 || ax == HUGE_VAL ? (float)x : 0.0f;
  if ((ax <= 3.4028234663852886e38 || ax == HUGE_VAL) && (double)xf == x) {
    /* Exactly an f32 (never NaN): round its bits. */
    uint32_t b, m, h, rest, half;
    int neg, e, ex, shift;
    unsigned sign, zero;
    memcpy(&b, &xf, sizeof b);
    neg = (int)(b >> 31);
    sign = neg ? sign_bit : 0u;
    zero = f->uz ? 0u : sign;
    e = (int)((b >> 23) & 0xffu);
    m = b & 0x7fffffu;
    if (e == 0xff) return neonc_mf_overflow(f, neg, saturate);
    if (e == 0) return zero;
    ex = e - 127;
    if (ex + f->bias >= (1 << f->exp_bits)) return neonc_mf_overflow(f, neg, saturate);
    if (ex >= min_exp) {
      shift = 23 - f->man_bits;
      h = ((uint32_t)(ex + f->bias) << f->man_bits) | (m >> shift);
      rest = m & ((1u << shift) - 1u);
    } else {
      uint32_t sig = m | 0x800000u;
      shift = 23 - f->man_bits + (min_exp - ex);
      if (shift > 24) return zero;
      h = sig >> shift;
      rest = sig & ((1u << shift) - 1u);
    }
    half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u))) h++;
    if (h > f->max_bits) return neonc_mf_overflow(f, neg, saturate);
    return h == 0 ? zero : sign | h;
  } else {
    /* Any other double (NaN too) by exact scaling. */
    int neg = x < 0.0, e, q_exp, ev;
    unsigned sign, zero;
    double a, r, v, mant;
    if (x != x) return f->nan_bits;
    sign = neg ? sign_bit : 0u;
    zero = f->uz ? 0u : sign;
    a = neg ? -x : x;
    if (a > 1.79769313486231570815e308) return neonc_mf_overflow(f, neg, saturate);
    (void)frexp(a, &e);
    e -= 1;
    q_exp = (e < min_exp ? min_exp : e) - f->man_bits;
    r = neonc_mf_rhe(ldexp(a, -q_exp));
    v = ldexp(r, q_exp);
    if (v > f->max) return neonc_mf_overflow(f, neg, saturate);
    if (r == 0.0) return zero;
    if (v < ldexp(1.0, min_exp)) return sign | (unsigned)r;
    (void)frexp(v, &ev);
    ev -= 1;
    mant = ldexp(v, f->man_bits - ev) - (double)(1u << f->man_bits);
    return sign | ((unsigned)(ev + f->bias) << f->man_bits) | (unsigned)mant;
  }
}`);
}

/** C name of the function decoding dtype dt's bits to float (adds it). */
function useDecoder(ctx: KernelContext, dt: DType): string {
  const name = `neonc_${dt}_dec`;
  if (dt === "bf16") {
    ctx.helper(name, `
static inline float ${name}(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float v;
  memcpy(&v, &u, sizeof v);
  return v;
}`);
  } else if (dt === "f16") {
    ctx.helper(name, `
/* IEEE half bits to float, exactly (subnormals normalized, NaN kept quiet with its payload). */
static inline float ${name}(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, u;
  float v;
  if (e == 0x1f) u = sign | 0x7f800000u | (m << 13) | (m ? 0x400000u : 0u);
  else if (e != 0) u = sign | ((e + 112u) << 23) | (m << 13);
  else if (m == 0) u = sign;
  else {
    e = 113u;
    while (!(m & 0x400u)) { m <<= 1; e--; }
    u = sign | (e << 23) | ((m & 0x3ffu) << 13);
  }
  memcpy(&v, &u, sizeof v);
  return v;
}`);
  } else if (isFloat8(dt)) {
    // The 256 values as float bits, made from the interpreter's own table.
    const bits = new Uint32Array(float8Values(dt as Float8Format).buffer.slice(0));
    const rows: string[] = [];
    for (let i = 0; i < 256; i += 8) rows.push("  " + Array.from(bits.slice(i, i + 8), (b) => `0x${b.toString(16).padStart(8, "0")}u`).join(", "));
    ctx.helper(name, `
static const uint32_t ${name}_bits[256] = {
${rows.join(",\n")}
};
static inline float ${name}(uint8_t b) {
  float v;
  memcpy(&v, &${name}_bits[b], sizeof v);
  return v;
}`);
  } else throw new Error(`${dt} is not a packed float`);
  return name;
}

/** C name of the function encoding a double in packed format dt (adds it); float8 takes `saturate` too. */
function useEncode(ctx: KernelContext, dt: DType): string {
  useEncoder(ctx);
  const f = FORMATS[dt]!;
  const name = `neonc_${dt}_enc`;
  const t = ctype(dt);
  const fmt = `{ ${f.expBits}, ${f.manBits}, ${f.bias}, ${f.max}, 0x${f.maxBits.toString(16)}u, ${f.infBits}, 0x${f.nanBits.toString(16)}u, ${f.uz ? 1 : 0} }`;
  ctx.helper(name, `
static inline ${t} ${name}(double x${isFloat8(dt) ? ", int saturate" : ""}) {
  static const neonc_minifloat f = ${fmt};
  return (${t})neonc_mf_encode(x, &f, ${isFloat8(dt) ? "saturate" : "0"});
}`);
  return name;
}

/** The integer wrap helpers: a double truncated toward zero, taken modulo 2^32 or 2^64 (NaN, ±Inf: 0). */
function useWrap(ctx: KernelContext, bits: 32 | 64): string {
  const name = `neonc_wrap_u${bits}`;
  const t = `uint${bits}_t`, m = bits === 32 ? "4294967296.0" : "18446744073709551616.0";
  ctx.helper(name, `
static inline ${t} ${name}(double v) {
  double r;
  if (!(v - v == 0.0)) return 0;
  r = fmod(trunc(v), ${m});
  return r >= 0.0 ? (${t})r : (${t})0 - (${t})(-r);
}`);
  return name;
}

/** The value of storage expression `e` of dtype dt, in dt's value type. */
export function load(ctx: KernelContext, dt: DType, e: string): string {
  return kindOf(dt) === "packed" ? `${useDecoder(ctx, dt)}(${e})` : e;
}

/** Storage of dtype dt for a value `v` already in dt's value type (packed floats round to nearest even). */
export function store(ctx: KernelContext, dt: DType, v: string): string {
  return kindOf(dt) === "packed" ? fromDouble(ctx, dt, `(double)(${v})`) : v;
}

/** Storage of dtype dt for a double, by storeReals's rules; float8 overflow per `saturate` (a C expression). */
export function fromDouble(ctx: KernelContext, dt: DType, v: string, saturate = "1"): string {
  switch (kindOf(dt)) {
    case "f32": return `(float)(${v})`;
    case "f64": return `(${v})`;
    case "bool": return `(uint8_t)((${v}) != 0.0)`;
    case "sint": case "uint": return `(${ctype(dt)})${useWrap(ctx, 32)}(${v})`;
    case "i64": case "u64": return `(${ctype(dt)})${useWrap(ctx, 64)}(${v})`;
    case "packed": return isFloat8(dt) ? `${useEncode(ctx, dt)}(${v}, ${saturate})` : `${useEncode(ctx, dt)}(${v})`;
  }
}

/** The value of storage `e` of dtype dt as a double (64-bit integers round to nearest, as Number()). */
export function toDouble(ctx: KernelContext, dt: DType, e: string): string {
  return `(double)${load(ctx, dt, e)}`;
}

/** bf16 by dropping the low 16 bits of the f32 value (the ONNX reference's Cast; NaN gives 0x7fc0). */
function useBf16Truncate(ctx: KernelContext): string {
  ctx.helper("bf16_trunc", `
static inline uint16_t neonc_bf16_trunc(float v) {
  uint32_t u;
  if (v != v) return 0x7fc0u;
  memcpy(&u, &v, sizeof u);
  return (uint16_t)(u >> 16);
}`);
  return "neonc_bf16_trunc";
}

/** ONNX Cast of storage expression `e` from dtype `from` to dtype `to` (ir/kernels/elementwise-cast.ts). */
export function castExpr(ctx: KernelContext, from: DType, to: DType, e: string, saturate: boolean): string {
  if (from === to) return e;
  const fk = kindOf(from), tk = kindOf(to);
  const sat = saturate ? "1" : "0";
  const fromInt = fk === "sint" || fk === "uint" || fk === "i64" || fk === "u64" || fk === "bool";
  if (tk === "bool") return `(uint8_t)(${load(ctx, from, e)} != 0)`;
  // Integer to integer keeps the low bits (two's complement, as every target compiler does).
  if (fromInt && isIntKind(tk)) return `(${ctype(to)})(${e})`;
  const v = toDouble(ctx, from, e);
  // bf16 from anything but a 64-bit integer drops the low bits of the value rounded to f32.
  if (to === "bf16" && fk !== "i64" && fk !== "u64") return `${useBf16Truncate(ctx)}((float)${v})`;
  return fromDouble(ctx, to, v, sat);
}

/** Every float8 format (for tests that walk them). */
export const PACKED_FORMATS: readonly DType[] = ["f16", "bf16", ...FLOAT8_FORMATS];
