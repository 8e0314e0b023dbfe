// examples/library/pipeline.ts — a pipeline with the instruments of the CLI's diagnostics flags
// (--verify-each, --print-ir-after, --timing, --explain), all written to one log.
import { importOnnxFile, runPipeline } from "neonc";

const g = importOnnxFile("examples/digits/model.onnx");
let log = "";
const optimized = runPipeline(g, "-O1", {
  verifyEach: true,                // run the verifier after every pass
  printIrAfter: ["fold-batchnorm"], // or printIrAfterAll: true; printIrWeights: true prints constants in full
  timing: true,                    // time per pass run, and the total
  explain: ["fuse-activation"],    // per node: which rule fired, or why each declined
  log: (text) => (log += text),    // where all of the above goes (default: stderr)
});
console.log(`${g.nodes.length} nodes -> ${optimized.nodes.length}; ${log.split("\n").length} lines of diagnostics, e.g.:`);
console.log(log.split("\n").filter((l) => l.startsWith("Relu ")).slice(0, 2).join("\n"));
