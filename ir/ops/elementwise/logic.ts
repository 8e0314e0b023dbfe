// Boolean logic: Not, And, Or, Xor (bool tensors stored as 0/1 bytes; And/Or/Xor broadcast).
import { defineOp } from "../../op.js";
import { broadcastShapes } from "../../shape-util.js";
import { makeTensor } from "../../types.js";
import { andRow, broadcast2, orRow, planBroadcast, xorRow, type Row2 } from "../../kernels/elementwise.js";
import { broadcastBinaryParts, inferUnary, need } from "./common.js";

const BOOL = ["bool"] as const;

export const Not = defineOp({
  name: "Not",
  doc: "Elementwise logical negation.",
  attrs: {},
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: BOOL,
  infer: (inputs) => inferUnary("Not", inputs, BOOL),
  evaluate: (inputs) => {
    const [x] = need("Not", inputs, 1);
    const out = makeTensor("bool", x!.shape);
    const s = x!.data as Uint8Array, o = out.data as Uint8Array;
    for (let i = 0; i < s.length; i++) o[i] = s[i] ? 0 : 1;
    return [out];
  },
});

function logicOp(name: "And" | "Or" | "Xor", doc: string, row: Row2<Uint8Array, Uint8Array, Uint8Array>) {
  return defineOp({
    name,
    doc,
    ...broadcastBinaryParts(name, BOOL),
    evaluate: (inputs) => {
      const [a, b] = need(name, inputs, 2);
      const shape = broadcastShapes(a!.shape, b!.shape);
      const out = makeTensor("bool", shape);
      broadcast2(planBroadcast(shape, [a!.shape, b!.shape]), out.data as Uint8Array, a!.data as Uint8Array, b!.data as Uint8Array, row);
      return [out];
    },
  });
}

export const And = logicOp("And", "Elementwise logical and with broadcasting.", andRow);
export const Or = logicOp("Or", "Elementwise logical or with broadcasting.", orRow);
export const Xor = logicOp("Xor", "Elementwise logical exclusive or with broadcasting.", xorRow);

export const logicOps = [Not, And, Or, Xor];
