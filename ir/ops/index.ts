// Registers every op definition. Importing this module (as src/index.ts does) makes all ops known.
import { registerOp } from "../registry.js";
import { elementwiseOps } from "./elementwise/index.js";
import { nnOps } from "./nn/index.js";
import { shapeOps } from "./shape/index.js";
import { recurrentOps } from "./recurrent/index.js";
import { quantOps } from "./onnx-quant/index.js";
import { qintOps } from "./integer/index.js";
import { loweredOps } from "./lowered/index.js";
import { controlOps } from "./control/if.js";

for (const def of [...elementwiseOps, ...nnOps, ...shapeOps, ...recurrentOps, ...quantOps, ...qintOps, ...loweredOps, ...controlOps]) registerOp(def);
