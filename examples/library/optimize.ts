// examples/library/optimize.ts — `neonc optimize MODEL -O1 --passes P --timing -o OUT.onnx` as
// code: the model pipeline (the preset, then the user's passes) and the ONNX exporter.
import { mkdirSync, writeFileSync } from "node:fs";
import { exportOnnx, loadModel, runModelPipeline } from "neonc";

const imported = loadModel("examples/digits/model.onnx");
const { graph } = runModelPipeline(imported, { preset: "O1", passes: "canonicalize" }, {
  timing: true,            // --timing: the time of each pass, on stderr (or `log`)
  explain: ["fold-batchnorm"], // --explain fold-batchnorm
  log: () => {},           // where diagnostics go (default: stderr); dropped here
});
mkdirSync("out/library", { recursive: true });
writeFileSync("out/library/optimized.onnx", exportOnnx(graph));
console.log(`${imported.nodes.length} nodes -> ${graph.nodes.length} (${[...new Set(graph.nodes.map((n) => n.op))].join(", ")}); wrote out/library/optimized.onnx`);
