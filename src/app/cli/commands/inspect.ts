// `neonc inspect MODEL [--json] [--dim T=100]`: what a model is made of and what it costs.
//
// The report goes to stdout even when the model cannot be imported; the import error then
// also goes to stderr and the exit status is 1, so scripts can tell a usable model apart.
import type { Command } from "commander";
import { ModelError } from "../../../../ir/errors.js";
import { formatInspectText } from "../../../adapters/inspect/format-inspect.js";
import { DEFAULT_DIMS, inspectOnnxFile } from "../../../adapters/inspect/inspect-onnx.js";
import { parseDimAssignment } from "../option-parsers.js";
import { addQdqFlag } from "../qdq-detect.js";

interface InspectFlags {
  json?: boolean;
  dim?: Record<string, number>;
  importQdq?: boolean;
}

export function registerInspect(program: Command): void {
  const defaults = Object.entries(DEFAULT_DIMS).map(([k, v]) => `${k}=${v}`).join(", ");
  const cmd = program
    .command("inspect")
    .summary("show a model's ops, parameters, MACs, inputs and outputs, and unsupported ops")
    .description(
      "Show a model's op histogram, parameter count and size, MACs per layer (symbolic, and evaluated at " +
        `given dims; default ${defaults}, i.e. one second of 10 ms frames), its inputs and outputs, and the ops neonc cannot import.`,
    )
    .argument("<model>", "ONNX model file")
    .option("--json", "print one JSON object instead of text (fields: docs/cli.md)")
    .option("--dim <name=value>", `value of a symbolic dim for evaluating MACs (repeatable; default ${defaults})`, parseDimAssignment);
  addQdqFlag(cmd).action((model: string, flags: InspectFlags) => {
    const report = inspectOnnxFile(model, { dims: flags.dim, importQdq: flags.importQdq });
    process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatInspectText(report));
    if (report.importError !== null) throw new ModelError(report.importError);
  });
}
