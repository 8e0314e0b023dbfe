// Op family group "recurrent": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";

export const recurrentOps: OpDef<any>[] = [];
