// Op family group "elementwise": the definitions listed here are registered by ir/ops/index.ts.
//
// Arithmetic (with Mod), math, activations, comparisons, logic, Where, the variadic reductions across inputs
// (Max/Min/Sum/Mean) and Cast. All broadcast like numpy; kernels live in ir/kernels/elementwise*.ts.
import type { OpDef } from "../../op.js";
import { activationOps } from "./activation.js";
import { binaryOps } from "./binary.js";
import { castOps } from "./cast.js";
import { Clip } from "./clip.js";
import { compareOps } from "./compare.js";
import { logicOps } from "./logic.js";
import { Mod } from "./mod.js";
import { unaryOps } from "./unary.js";
import { variadicOps } from "./variadic.js";
import { Where } from "./where.js";

export const elementwiseOps: OpDef<any>[] = [
  ...binaryOps, Mod, ...unaryOps, ...activationOps, Clip, ...compareOps, ...logicOps, Where, ...variadicOps, ...castOps,
];
