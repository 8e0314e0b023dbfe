// The algorithm ops of the lower stage, one file per op family they implement.
import type { OpDef } from "../../op.js";
import { convAlgorithms } from "./conv.js";
import { ConvWinograd } from "./conv-winograd.js";
import { QConvWinograd } from "./qconv-winograd.js";
import { QConvWinogradScaled } from "./qconv-winograd-scaled.js";
import { matmulAlgorithms } from "./matmul.js";
import { qconvAlgorithms } from "./qconv.js";
import { qmatmulAlgorithms } from "./qmatmul.js";

export const loweredOps: OpDef<any>[] = [...convAlgorithms, ConvWinograd, ...matmulAlgorithms, ...qconvAlgorithms, QConvWinograd, QConvWinogradScaled, ...qmatmulAlgorithms];
