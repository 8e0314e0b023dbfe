// The algorithm ops of the lower stage, one file per op family they implement.
import type { OpDef } from "../../op.js";
import { convAlgorithms } from "./conv.js";
import { matmulAlgorithms } from "./matmul.js";

export const loweredOps: OpDef<any>[] = [...convAlgorithms, ...matmulAlgorithms];
