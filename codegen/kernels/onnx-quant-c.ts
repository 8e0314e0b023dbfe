// C pieces shared by the kernels of ONNX's quantization ops (QuantizeLinear, DequantizeLinear,
// MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv): scale and zero-point operands read at
// run time, the float8 encoder, and the f32 requantization multiplier. Every piece computes what
// the interpreter's reference kernels (ir/kernels/onnx-quant-*.ts) compute, operation for
// operation, so the C is bit-exact with them: f32 steps are single float operations (correctly
// rounded, as Math.fround of the double result), double steps are double operations.
import type { Dim } from "../../ir/dim.js";
import { float8Spec, type Float8Format } from "../../ir/float-formats.js";
import type { Graph, Node } from "../../ir/graph.js";
import { intRange } from "../../ir/dtype.js";
import { ctype } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import { useQuantizeHelper } from "./qint-boundary.js";

/** A scale or zero-point operand as the C reads it: `expr(i)` is its i-th value (a C int expression i). */
export interface ParamRead {
  /** Declarations to put first (the pointer). */
  readonly decl: string;
  /** C expression of value number `index` (an int expression), as int32 or float. */
  at(index: string): string;
  /** True when one value serves every element (a scalar, a one-element tensor, or absent). */
  readonly perTensor: boolean;
}

function allOnes(shape: readonly Dim[]): boolean {
  return shape.every((d) => d === 1);
}

/**
 * Reads input `k` of the node: absent gives 0, a tensor whose dims are all 1 gives its one value.
 * Integer values are read as int32_t, floats as float.
 */
export function paramRead(node: Node, k: number, name: string, ctx: KernelContext): ParamRead {
  const v = node.inputs[k];
  if (!v) return { decl: "", at: () => "0", perTensor: true };
  const t = ctx.type(v);
  const perTensor = allOnes(t.shape);
  const isFloat = t.dtype === "f32";
  const decl = `const ${ctype(t.dtype)} *${name} = ${ctx.ptr(v)};`;
  return {
    decl,
    perTensor,
    at: (i) => (isFloat ? `${name}[${perTensor ? "0" : i}]` : `(int32_t)${name}[${perTensor ? "0" : i}]`),
  };
}

/** Why scale inputs (by index) cannot be generated: only f32 scales are (f16/bf16 would need their rounding in C). */
export function f32Scales(node: Node, g: Graph, indices: readonly number[]): string | undefined {
  for (const k of indices) {
    const v = node.inputs[k];
    if (v && g.types[v]!.dtype !== "f32") return `its scale ${v} is ${g.types[v]!.dtype}; the C kernel handles float32 scales`;
  }
  return undefined;
}

/** `neonc_requant_mult(in_scale, w_scale, out_scale)`: fround(fround(in * w) / out), as requantMultiplier. */
export function useRequantMultiplier(ctx: KernelContext): string {
  ctx.helper("onnxq_requant_mult", `
/* The f32 requantization multiplier the ONNX reference forms: (in_scale * w_scale) rounded to
   float, divided by out_scale, rounded to float (each a single correctly rounded float op). */
static float neonc_requant_mult(float in_scale, float w_scale, float out_scale) {
  float p = in_scale * w_scale; /* C99: the assignment rounds to float */
  return p / out_scale;
}`);
  return "neonc_requant_mult";
}

/**
 * `neonc_to_<format>_<s|n>(float)`: the float8 bits of an f32 value, nearest even, overflow by the
 * ONNX `saturate` rules; the bit-level path of encodeFromF32 in ir/float-formats.ts, NaN as its
 * encodeExact (a positive NaN pattern). Returns the function's name.
 */
export function useFloat8Encoder(ctx: KernelContext, format: Float8Format, saturate: boolean): string {
  const f = float8Spec(format);
  const name = `neonc_to_${format}_${saturate ? "s" : "n"}`;
  const signBit = 1 << (f.expBits + f.manBits);
  const over = (neg: boolean) => {
    const s = neg ? signBit : 0;
    if (saturate) return s | f.maxBits;
    if (f.infBits >= 0) return s | f.infBits;
    return f.uz ? f.nanBits : s | f.nanBits;
  };
  const minExp = 1 - f.bias;
  ctx.helper(name, `
/* f32 -> ${format} bits (${saturate ? "saturating" : "overflow to " + (f.infBits >= 0 ? "Inf" : "NaN")}), round to nearest even. */
static uint8_t ${name}(float x) {
  union { float f; uint32_t u; } v;
  uint32_t b, m, sign, zero, h, rest, half;
  int neg, e, ex, shift;
  if (x != x) return ${f.nanBits}u;
  v.f = x;
  b = v.u;
  neg = (int)(b >> 31);
  sign = neg ? ${signBit}u : 0u;
  zero = ${f.uz ? "0u" : "sign"};
  e = (int)((b >> 23) & 0xffu);
  m = b & 0x7fffffu;
  if (e == 0xff) return (uint8_t)(neg ? ${over(true)}u : ${over(false)}u);
  if (e == 0) return (uint8_t)zero;
  ex = e - 127;
  if (ex + ${f.bias} >= ${1 << f.expBits}) return (uint8_t)(neg ? ${over(true)}u : ${over(false)}u);
  if (ex >= ${minExp}) {
    shift = ${23 - f.manBits};
    h = ((uint32_t)(ex + ${f.bias}) << ${f.manBits}) | (m >> shift);
    rest = m & ((1u << shift) - 1u);
  } else {
    uint32_t sig = m | 0x800000u;
    shift = ${23 - f.manBits} + (${minExp} - ex);
    if (shift > 24) return (uint8_t)zero;
    h = sig >> shift;
    rest = sig & ((1u << shift) - 1u);
  }
  half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u))) h++;
  if (h > ${f.maxBits}u) return (uint8_t)(neg ? ${over(true)}u : ${over(false)}u);
  return (uint8_t)(h == 0u ? zero : (sign | h));
}`);
  return name;
}

/** C product of dims (1 for none). */
export function cProd(dims: readonly string[]): string {
  return dims.length === 0 ? "1" : dims.map((d) => (/^[\w]+$/.test(d) ? d : `(${d})`)).join(" * ");
}

/** The decline for a node whose 8-bit data or f32 scales the com.microsoft kernels do not take. */
export function q8Unsupported(node: Node, g: Graph, data: readonly number[], scales: readonly number[]): string | undefined {
  for (const k of data) {
    const v = node.inputs[k];
    if (v && !["i8", "u8"].includes(g.types[v]!.dtype)) return `its input ${v} is ${g.types[v]!.dtype}; the C kernel takes int8 and uint8`;
  }
  return f32Scales(node, g, scales);
}

/** `neonc_quantize_f64(q, zp, lo, hi)` cast to the 8-bit output type. */
export function quantizeExpr(q: string, zp: string, dt: string): string {
  const [lo, hi] = intRange(dt as "i8" | "u8");
  return `(${ctype(dt as "i8")})neonc_quantize_f64(${q}, ${zp}, ${lo}, ${hi})`;
}

/**
 * The requantizing output of QLinearConv and QLinearMatMul (inputs 1, 4: the two operands'
 * scales; 6, 7: the output's scale and zero point): its C type, range, scale reads and the
 * multiplier helper, with the quantize helper declared.
 */
export function qlinearOutput(node: Node, ctx: KernelContext, scaleNames: readonly [string, string]) {
  const y = node.outputs[0]!, yt = ctx.type(y).dtype;
  const [lo, hi] = intRange(yt);
  const s1 = paramRead(node, 1, scaleNames[0], ctx), s2 = paramRead(node, 4, scaleNames[1], ctx);
  const sy = paramRead(node, 6, "ys", ctx), zy = paramRead(node, 7, "yzp", ctx);
  const mult = useRequantMultiplier(ctx);
  useQuantizeHelper(ctx);
  return { y, yt, lo, hi, s1, s2, sy, zy, mult };
}
