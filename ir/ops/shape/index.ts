// Op family group "shape": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";

export const shapeOps: OpDef<any>[] = [];
