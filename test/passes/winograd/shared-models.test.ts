// Winograd on every shared model (and the asr-digits model), float: for each tile setting, every
// convolution the winograd pass takes matches direct convolution on the layer's real input (from
// test_data_set_0, or the first dev utterance) within the tolerance stated for its F(m, r)
// (passes/lower/winograd-cost.ts, winogradTolerance), and the whole model's output moves by no
// more than those layers' tolerances summed.
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnxFile, readTensorFile } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/run.js";
import "../../../passes/index.js";
import { getTarget } from "../../../ir/target.js";
import { getOp } from "../../../ir/registry.js";
import { resolveAttrs } from "../../../ir/op.js";
import type { Tensor } from "../../../ir/types.js";
import { compareTensors } from "../../../codegen/build.js";
import { winogradTolerance } from "../../../passes/lower/winograd-cost.js";
import { sharedPath } from "../../helpers/shared.js";

const models = sharedPath("models");
const digits = sharedPath("asr-digits");
const cases = [
  ...(models ? readdirSync(models, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => ({ file: path.join(models, d.name, "model.onnx"), input: path.join(models, d.name, "test_data_set_0", "input_0.pb") })) : []),
  ...(digits ? [{ file: path.join(digits, "model.onnx"), input: firstDev(digits) }] : []),
].filter((c) => existsSync(c.input));

function firstDev(dir: string): string {
  const dev = path.join(dir, "dev");
  if (!existsSync(dev)) return "";
  const f = readdirSync(dev).filter((n) => n.endsWith(".input.pb")).sort()[0];
  return f ? path.join(dev, f) : "";
}

describe.runIf(cases.length > 0)("winograd on the shared models (float)", () => {
  for (const { file, input } of cases) {
    const name = path.basename(path.dirname(file));
    for (const m of ["auto", "2", "4", "6"]) {
      it(`${name}, winograd{m=${m}}: every Winograd layer within its F(m, r)'s tolerance of direct`, () => {
        const g = runPipeline(importOnnxFile(file), "-O1", { log: () => {} });
        const w = runPipeline(g, `winograd{m=${m}}`, { target: getTarget("aarch64"), log: () => {} });
        const x = readTensorFile(input).tensor;
        const values = new Map<string, Tensor>([[g.inputs[0]!, x]]);
        const direct = runGraph(g, { [g.inputs[0]!]: x }, { onNode: (node, outs) => node.outputs.forEach((o, i) => values.set(o, outs[i]!)) });
        const layers = w.nodes.filter((n) => n.op === "ConvWinograd");
        let budget = 0;
        const def = getOp("ConvWinograd");
        for (const node of layers) {
          const ins = node.inputs.map((v) => (v ? values.get(v) ?? w.constants[v] : undefined));
          const [got] = def.evaluate(ins, resolveAttrs(def, node.attrs), {} as never);
          const a = resolveAttrs(def, node.attrs) as { m: number; segment: number };
          const r = w.types[node.inputs[1]!]!.shape[2] as number;
          const tol = winogradTolerance(a.m, a.segment > 0 ? a.segment : r);
          budget += tol;
          const c = compareTensors(got!, values.get(node.outputs[0]!)!);
          expect(c.rel, `${name} ${node.name} F(${a.m}, ${a.segment || r})`).toBeLessThanOrEqual(tol);
        }
        const out = runGraph(w, { [w.inputs[0]!]: x });
        const whole = compareTensors(out[w.outputs[0]!]!, direct[g.outputs[0]!]!);
        console.log(`${name} winograd{m=${m}}: ${layers.length} Winograd layers, whole-model rel ${whole.rel.toExponential(2)} (budget ${budget.toExponential(2)})`);
        expect(whole.rel).toBeLessThanOrEqual(Math.max(budget, 1e-6));
      });
    }
  }
});
