// Shared rules of the sliding-window ops (Conv, ConvTranspose, AveragePool, MaxPool): attribute
// defaults, auto_pad, ceil_mode, symbolic output lengths and the import-time normalisation.
//
// IR form: `pads` (begin..., end...), `strides` and `dilations` may be empty (meaning all 0 / all
// 1); `auto_pad` is "NOTSET" (explicit pads), "SAME_UPPER" or "SAME_LOWER". VALID is imported as
// NOTSET with zero pads, and SAME is turned into explicit pads when the input length is static;
// it stays SAME only for symbolic lengths, where the pads depend on the run (T mod stride).
import { addDim, ceilDivDim, dimToString, floorDivDim, isSymbolic, type Dim } from "../../dim.js";
import type { AttrValue } from "../../graph.js";
import { int, ints, str, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import type { ConvGeometry } from "../../kernels/conv-geometry.js";

/** Attribute schema of the convolutions (Conv, ConvTranspose, QConv); each adds its own. */
export const convAttrSchema = {
  /** Optional: inferred from the weight shape. */
  kernel_shape: ints(),
  strides: ints([]),
  pads: ints([]),
  dilations: ints([]),
  group: int(1),
  auto_pad: str("NOTSET"),
};

export interface WindowAttrs {
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
  readonly auto_pad: string;
}

/** Attributes with every per-dim array filled in for the kernel's spatial rank, checked. */
export interface WindowParams {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBegin: readonly number[];
  readonly padEnd: readonly number[];
  readonly autoPad: "NOTSET" | "SAME_UPPER" | "SAME_LOWER";
}

export function windowParams(kernel: readonly number[], a: WindowAttrs): WindowParams {
  const r = kernel.length;
  const fill = (v: readonly number[], def: number, name: string, n = r): readonly number[] => {
    if (v.length === 0) return new Array<number>(n).fill(def);
    if (v.length !== n) throw new Error(`${name} has ${v.length} values, expected ${n} for ${r} spatial dims`);
    return v;
  };
  const strides = fill(a.strides, 1, "strides");
  const dilations = fill(a.dilations, 1, "dilations");
  const pads = fill(a.pads, 0, "pads", 2 * r);
  for (const [name, v] of [["kernel_shape", kernel], ["strides", strides], ["dilations", dilations]] as const) {
    if (v.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${name} must be positive integers, got [${v.join(",")}]`);
  }
  if (pads.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`pads must be non-negative integers, got [${pads.join(",")}]`);
  let autoPad: WindowParams["autoPad"];
  switch (a.auto_pad) {
    case "NOTSET": case "": case "VALID": autoPad = "NOTSET"; break;
    case "SAME_UPPER": case "SAME_LOWER": autoPad = a.auto_pad; break;
    default: throw new Error(`auto_pad "${a.auto_pad}" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  const valid = a.auto_pad === "VALID";
  return {
    kernel, strides, dilations, autoPad,
    padBegin: valid ? new Array<number>(r).fill(0) : pads.slice(0, r),
    padEnd: valid ? new Array<number>(r).fill(0) : pads.slice(r),
  };
}

/**
 * Output length of spatial dim i of a conv or pool; `inp` may be symbolic.
 * Explicit pads: floor((in + pads - dil*(k-1) - 1) / s) + 1 (ceil with ceil_mode, dropping a last
 * window that would start in the end padding); SAME: ceil(in / s).
 */
export function windowOutDim(inp: Dim, p: WindowParams, i: number, ceilMode = false): Dim {
  const k = p.kernel[i]!, s = p.strides[i]!, d = p.dilations[i]!;
  if (p.autoPad !== "NOTSET") return ceilDivDim(inp, s);
  const eff = d * (k - 1) + 1;
  const span = addDim(inp, p.padBegin[i]! + p.padEnd[i]! - eff);
  if (!ceilMode) {
    const out = addDim(floorDivDim(span, s), 1);
    checkPositive(out, inp, i);
    return out;
  }
  let out = addDim(ceilDivDim(span, s), 1);
  if (typeof out === "number" && typeof inp === "number") {
    if ((out - 1) * s >= inp + p.padBegin[i]!) out -= 1;
  } else if (p.padEnd[i]! + s > eff) {
    // Whether the last window starts inside the end padding depends on the length itself.
    throw new Error(`with ceil_mode the output length for symbolic dim ${dimToString(inp)} depends on its value (kernel ${k}, stride ${s}, end pad ${p.padEnd[i]})`);
  }
  checkPositive(out, inp, i);
  return out;
}

function checkPositive(out: Dim, inp: Dim, i: number): void {
  if (typeof out === "number" && out < 1) {
    throw new Error(`spatial dim ${i} of length ${dimToString(inp)} is too short for the window (output length ${out})`);
  }
}

/** Concrete geometry for a run: SAME pads resolved from the actual input lengths. */
export function windowGeometry(inShape: readonly number[], p: WindowParams, ceilMode = false): ConvGeometry {
  const r = p.kernel.length;
  if (inShape.length !== r) throw new Error(`input has ${inShape.length} spatial dims, the kernel ${r}`);
  const outShape: number[] = [];
  const padBegin: number[] = [];
  const padEnd: number[] = [];
  for (let i = 0; i < r; i++) {
    const out = windowOutDim(inShape[i]!, p, i, ceilMode) as number;
    outShape.push(out);
    if (p.autoPad === "NOTSET") {
      padBegin.push(p.padBegin[i]!);
      padEnd.push(p.padEnd[i]!);
    } else {
      const [b, e] = samePads(inShape[i]!, out, p, i);
      padBegin.push(b);
      padEnd.push(e);
    }
  }
  return { inShape, kernel: p.kernel, strides: p.strides, dilations: p.dilations, padBegin, padEnd, outShape };
}

/**
 * Sizes and concrete geometry of one convolution run (Conv, QConv): x [N, C, ...spatial],
 * w [M, C/group, ...kernel]; kernel_shape defaults to w's spatial dims.
 */
export function convRun(
  xShape: readonly number[], wShape: readonly number[], a: WindowAttrs & { readonly kernel_shape: readonly number[] | undefined },
): { N: number; C: number; M: number; geometry: ConvGeometry } {
  const kernel = a.kernel_shape ?? wShape.slice(2);
  return { N: xShape[0]!, C: xShape[1]!, M: wShape[0]!, geometry: windowGeometry(xShape.slice(2), windowParams(kernel, a)) };
}

/** SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning. */
function samePads(inp: number, out: number, p: WindowParams, i: number): [number, number] {
  const eff = p.dilations[i]! * (p.kernel[i]! - 1) + 1;
  const total = Math.max(0, (out - 1) * p.strides[i]! + eff - inp);
  const small = Math.floor(total / 2);
  return p.autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
}

/** Symbolic output shape [N, channels, ...spatial] of a conv or pool. */
export function windowOutShape(x: readonly Dim[], channels: Dim, p: WindowParams, ceilMode = false): Dim[] {
  const spatial = x.slice(2);
  if (x.length < 3 || spatial.length !== p.kernel.length) {
    throw new Error(`input of rank ${x.length} does not match a ${p.kernel.length}-D window (expected rank ${p.kernel.length + 2})`);
  }
  if (spatial.length > 3) throw new Error(`${spatial.length} spatial dims are not supported (1 to 3 are)`);
  return [x[0]!, channels, ...spatial.map((d, i) => windowOutDim(d, p, i, ceilMode))];
}

/**
 * Import-time normalisation shared by Conv and the pools: VALID becomes zero pads, NOTSET is
 * dropped (it is the default), SAME becomes explicit pads when the spatial input dims are static.
 */
export function normalizeWindowAttrs(node: OnnxNodeIn, ctx: OnnxImportContext, kernel: readonly number[] | undefined, ceilMode = false): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = { ...node.attrs };
  const autoPad = (attrs.auto_pad as string | undefined) ?? "NOTSET";
  if (autoPad === "NOTSET" || autoPad === "") {
    delete attrs.auto_pad;
    return attrs;
  }
  if (!kernel) return attrs;
  const r = kernel.length;
  if (autoPad === "VALID") {
    delete attrs.auto_pad;
    attrs.pads = new Array<number>(2 * r).fill(0);
    return attrs;
  }
  const spatial = ctx.type(node.inputs[0]!)?.shape.slice(2);
  if (!spatial || spatial.length !== r || spatial.some(isSymbolic)) return attrs;
  try {
    const p = windowParams(kernel, {
      strides: (attrs.strides as readonly number[] | undefined) ?? [],
      dilations: (attrs.dilations as readonly number[] | undefined) ?? [],
      pads: [], auto_pad: autoPad,
    });
    const g = windowGeometry(spatial as number[], p, ceilMode);
    delete attrs.auto_pad;
    attrs.pads = [...g.padBegin, ...g.padEnd];
  } catch (e) {
    ctx.fail(e instanceof Error ? e.message : String(e));
  }
  return attrs;
}
