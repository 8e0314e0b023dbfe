// examples/library/inspect.ts — `neonc inspect MODEL --dim T=100` as code: the model's inputs,
// ops, parameters and MACs per layer (symbolic in T and evaluated at T=100).
import { formatInspectText, inspectOnnxFile } from "neonc";

const report = inspectOnnxFile("examples/digits/model.onnx", { dims: { T: 100 } });
process.stdout.write(formatInspectText(report)); // the text `neonc inspect` prints; JSON.stringify(report) is --json
console.log(`MACs per run at T=100: ${report.macs?.totalAtDims}; unsupported ops: ${report.unsupportedOps.length}`);
