// The NEON store of 8 integer results at the end of a row kernel (qint-layernorm.ts,
// qint-softmax.ts): two int32x4_t already clamped to the output type's range, narrowed and stored
// as int8, uint8 or int16.
import type { DType } from "../../ir/dtype.js";

/** C statement storing the 8 values of the int32x4_t `a` then `b` as `yt` at pointer `p`. */
export function narrowStore8(yt: DType, a: string, b: string, p: string): string {
  const h = `vcombine_s16(vmovn_s32(${a}), vmovn_s32(${b}))`;
  if (yt === "i16") return `vst1q_s16(${p}, ${h});`;
  return yt === "i8" ? `vst1_s8(${p}, vmovn_s16(${h}));` : `vst1_u8(${p}, vmovn_u16(vreinterpretq_u16_s16(${h})));`;
}
