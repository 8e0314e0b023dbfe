// `neonc optimize MODEL [PIPELINE] -o OUT.onnx`: imports a model, runs the pipeline and writes
// the result as standard ONNX (IR-only forms such as fused activations written as ONNX ops).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { exportOnnx } from "../../../adapters/onnx/export.js";
import { reportSummaryLine, writeReports } from "../../../adapters/report/index.js";
import { addReportFlags, reportSettings } from "../int8-flags.js";
import { loadModel } from "../../../adapters/onnx/load-model.js";
import { addPipelineFlags, preparePipeline, type PipelineFlags } from "../pipeline-flags.js";

interface OptimizeFlags extends PipelineFlags {
  output: string;
}

export function registerOptimize(program: Command): void {
  const cmd = program
    .command("optimize")
    .summary("run optimization passes and write the result as ONNX")
    .description("Import MODEL, run the pipeline given by --passes / -O1, and write the optimized graph as a standard ONNX model (opset 21) that ONNX Runtime runs.")
    .argument("<model>", "ONNX model file")
    .requiredOption("-o, --output <file>", "where to write the optimized ONNX model");
  addReportFlags(addPipelineFlags(cmd)).action(async (model: string, flags: OptimizeFlags) => {
    const pipeline = await preparePipeline(flags);
    const { graph, int8 } = pipeline.run(loadModel(model, { ...flags, inputShapes: flags.inputShape }));
    if (int8) {
      const r = writeReports(model, int8, reportSettings(int8.settings), { html: flags.report, json: flags.reportJson });
      if (r) process.stdout.write(`${reportSummaryLine(r, { html: flags.report, json: flags.reportJson })}\n`);
    }
    const bytes = exportOnnx(graph);
    mkdirSync(path.dirname(path.resolve(flags.output)), { recursive: true });
    writeFileSync(flags.output, bytes);
    const counts = new Map<string, number>();
    for (const n of graph.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
    const ops = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(", ");
    console.log(`wrote ${flags.output} (${(bytes.length / 1e6).toFixed(2)} MB): ${graph.nodes.length} nodes (${ops})`);
  });
}

