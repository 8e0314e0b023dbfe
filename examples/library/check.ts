// examples/library/check.ts — `neonc check MODEL --target c99 --input-dir DIR` as code: compile,
// build and run the generated C, and compare every output with the interpreter on the imported model.
import { CEngine, checkAgainstInterpreter, compileModel, largestDims, loadModel, readInputDir } from "neonc";

const imported = loadModel("examples/digits/model.onnx");
const sets = readInputDir("examples/digits/dev", imported.inputs).slice(0, 3);
const maxDims = largestDims(imported, sets.map((s) => s.inputs));
const { graph } = compileModel(imported, { target: "c99", maxDims }); // the pipeline; compiling it again below is cheap
const engine = CEngine.create(graph, { target: "c99", maxDims });     // compile and build (cached by the sources' hash)
const report = checkAgainstInterpreter(engine, imported, sets, { runs: 3 });
for (const c of report.comparisons) console.log(`${c.set}: ${c.output} max abs error ${c.maxAbs.toExponential(2)} (${c.rel.toExponential(2)} of max |ref|); ${c.medianMs.toFixed(3)} ms`);
if (!(report.worst <= 1e-4)) throw new Error(`the generated C differs from the interpreter by ${report.worst}`);
console.log("ok: within 1e-4 of the largest output magnitude");
