// examples/library/run-c.ts — `neonc run MODEL --engine c --target c99 --input-dir DIR` as code:
// the model pipeline for C (-O1, then the codegen stages), one build of the generated C, and every
// input set through it in one batch.
import { CEngine, codegenStages, getTarget, largestDims, loadModel, readInputDir, runModelPipeline } from "neonc";

const target = getTarget("c99");
const imported = loadModel("examples/digits/model.onnx");
const { graph } = runModelPipeline(imported, { preset: "O1", stages: codegenStages() }, { target });
const sets = readInputDir("examples/digits/dev", graph.inputs);
const engine = CEngine.create(graph, { target: target.name, maxDims: largestDims(graph, sets.map((s) => s.inputs)) });
const { runs } = engine.run(sets.map((s) => s.inputs), { labels: sets.map((s) => s.label) });
console.log(`ran ${runs.length} inputs through the generated C (${engine.model.target.name}, ${engine.rig.mode}); median ${runs[0]!.medianMs.toFixed(2)} ms for ${sets[0]!.label}`);
