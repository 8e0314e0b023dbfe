// Where: picks X where the condition is true and Y elsewhere, broadcasting all three.
import { defineOp } from "../../op.js";
import { broadcastShapes } from "../../shape-util.js";
import { makeTensor, tensorType } from "../../types.js";
import { broadcast3, planBroadcast, whereRow, type AnyArr } from "../../kernels/elementwise.js";
import { broadcastOf, need, present } from "./common.js";
import { foldWhere } from "./fold-select.js";

export const Where = defineOp({
  name: "Where",
  doc: "Elementwise condition ? X : Y with numpy broadcasting of all three inputs (any dtype).",
  attrs: {},
  inputs: ["condition", "X", "Y"],
  outputs: ["output"],
  dtypes: ["bool"],
  infer: (inputs) => {
    const [c, x, y] = present("Where", inputs, ["condition", "X", "Y"]);
    if (c!.dtype !== "bool") throw new Error(`Where: condition must be bool, got ${c!.dtype}`);
    if (x!.dtype !== y!.dtype) throw new Error(`Where: X and Y must have the same dtype, got ${x!.dtype} and ${y!.dtype}`);
    return [tensorType(x!.dtype, broadcastOf("Where", [c!.shape, x!.shape, y!.shape]))];
  },
  evaluate: (inputs) => {
    const [c, x, y] = need("Where", inputs, 3);
    if (x!.dtype !== y!.dtype) throw new Error(`Where: X and Y must have the same dtype, got ${x!.dtype} and ${y!.dtype}`);
    const shape = broadcastShapes(c!.shape, x!.shape, y!.shape);
    const out = makeTensor(x!.dtype, shape);
    broadcast3(planBroadcast(shape, [c!.shape, x!.shape, y!.shape]), out.data as AnyArr, c!.data as Uint8Array, x!.data as AnyArr, y!.data as AnyArr, whereRow);
    return [out];
  },
  foldDims: (inputs) => foldWhere(inputs),
});
