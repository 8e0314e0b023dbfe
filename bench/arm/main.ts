// `npm run bench:arm`: the ARM cost of neonc's generated C, without ARM hardware. For each
// shared model (../shared/models/*, on test_data_set_0, and ../shared/asr-digits on its first
// dev utterance), fp32 (-O1) and integer-only int8, and each ARM target, it compiles the model
// as `neonc compile --target T` does, runs it once under qemu-user counting the instructions
// of every executed block, and estimates cycles with llvm-mca's core models (aarch64:
// Cortex-A55 and Cortex-A76; armv7: Cortex-A9 and Cortex-A57 in AArch32). Prints per model,
// then per kernel (C function) and kind of node. docs/arm-cost.md has the method and its limits.
//
// bench:arm [MODEL...] [--targets aarch64,armv7] [--precisions fp32,int8] [--opt -O2]
//           [--passes PIPELINE] [--nodes] [--json FILE] [--calibration data|synthetic]
//           [--winograd auto|2|4|6]
// MODEL filters by name. int8 is calibrated on the model's own test sets (asr-digits: its dev
// folder) unless --calibration synthetic. --passes adds float passes (e.g. a new algorithm's).
// --winograd compiles with the winograd pass `neonc compile --winograd` adds (after int8
// quantization, before lowering; default off).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { bindInputs, compileModel, errorMessage, getTarget, importOnnxFile, largestDims, nodeHost, packageRoot, readTensorFile, type GivenTensor } from "neonc";
import { armTools, MCA_PROGRAMS } from "./cores.js";
import { measureArmCost } from "./measure.js";
import { kernelTables, modelTable, type Measured } from "./report.js";

interface Case {
  readonly name: string;
  readonly model: string;
  readonly inputs: readonly string[];
  readonly label: string;
  /** Folder of calibration inputs for int8. */
  readonly calibration: string;
}

function findCases(shared: string): Case[] {
  const cases: Case[] = [];
  const modelsDir = path.join(shared, "models");
  if (existsSync(modelsDir)) {
    for (const name of readdirSync(modelsDir).sort()) {
      const dir = path.join(modelsDir, name);
      const set = path.join(dir, "test_data_set_0");
      if (!existsSync(path.join(dir, "model.onnx")) || !existsSync(set)) continue;
      const inputs = readdirSync(set).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
      cases.push({ name, model: path.join(dir, "model.onnx"), inputs: inputs.map((f) => path.join(set, f)), label: "test_data_set_0", calibration: dir });
    }
  }
  const digits = path.join(shared, "asr-digits");
  const dev = path.join(digits, "dev");
  const first = existsSync(dev) ? readdirSync(dev).filter((f) => f.endsWith(".input.pb")).sort()[0] : undefined;
  if (first && existsSync(path.join(digits, "model.onnx"))) cases.push({ name: "asr-digits", model: path.join(digits, "model.onnx"), inputs: [path.join(dev, first)], label: `dev/${first.slice(0, 4)}`, calibration: dev });
  return cases;
}

/** --winograd's value, as compileModel takes it. */
function parseWinograd(v: string): "off" | "auto" | 2 | 4 | 6 {
  if (v === "off" || v === "auto") return v;
  if (v === "2" || v === "4" || v === "6") return Number(v) as 2 | 4 | 6;
  throw new Error(`--winograd is auto, off, 2, 4 or 6, not ${v}`);
}

const have = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      targets: { type: "string", default: "aarch64,armv7" },
      precisions: { type: "string", default: "fp32,int8" },
      opt: { type: "string", default: "-O2" },
      passes: { type: "string" },
      nodes: { type: "boolean", default: false },
      json: { type: "string" },
      calibration: { type: "string", default: "data" },
      winograd: { type: "string", default: "off" },
    },
  });
  const winograd = parseWinograd(values.winograd);
  const targets = values.targets.split(",").map((t) => getTarget(t.trim()));
  const precisions = values.precisions.split(",").map((p) => p.trim());
  if (precisions.some((p) => p !== "fp32" && p !== "int8")) throw new Error(`--precisions takes fp32 and int8, not ${values.precisions}`);
  if (values.calibration !== "data" && values.calibration !== "synthetic") throw new Error(`--calibration is data or synthetic, not ${values.calibration}`);
  const mca = MCA_PROGRAMS.find(have);
  const missing = [...(mca ? [] : ["llvm-mca (Debian: llvm-14)"]), ...targets.flatMap((t) => {
    const tools = armTools(t);
    return [t.cross!.cc, tools.qemu, tools.nm, tools.objdump].filter((p) => !have(p));
  })];
  if (missing.length > 0) throw new Error(`bench:arm needs ${[...new Set(missing)].join(", ")} (docs/arm-cost.md lists the packages)`);

  const shared = path.resolve(packageRoot(), "../shared");
  const cases = findCases(shared).filter((c) => positionals.length === 0 || positionals.some((p) => c.name.includes(p)));
  if (cases.length === 0) throw new Error(`no shared models${positionals.length ? ` named ${positionals.join(", ")}` : ""} under ${shared}`);

  const started = new Date();
  const rows: Measured[] = [];
  for (const c of cases) {
    const imported = importOnnxFile(c.model);
    const given: GivenTensor[] = c.inputs.map((file) => ({ file, ...readTensorFile(file) }));
    const inputs = bindInputs(imported.inputs, given);
    const maxDims = largestDims(imported, [inputs]);
    for (const precision of precisions) {
      for (const target of targets) {
        const t0 = performance.now();
        try {
          const int8 = precision === "int8" ? { int8: { calibration: values.calibration === "data" ? c.calibration : "synthetic" } } : {};
          const compiled = compileModel(imported, { target, maxDims, passes: values.passes, winograd, host: nodeHost(), log: () => {}, ...int8 });
          const cost = await measureArmCost(compiled.graph, compiled.model, inputs, { mca: mca!, opt: values.opt });
          rows.push({ model: c.name, precision, input: c.label, cost });
          // Written after every measurement, so a long run that is stopped keeps what it measured.
          if (values.json) writeFileSync(values.json, JSON.stringify({ date: started.toISOString(), opt: values.opt, passes: values.passes, winograd: values.winograd, rows }, null, 1));
          process.stderr.write(`${c.name} ${precision} ${target.name}: ${(cost.total.instructions / 1e6).toFixed(2)}M instructions (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
        } catch (e) {
          process.stderr.write(`${c.name} ${precision} ${target.name}: ${errorMessage(e)}\n`);
        }
      }
    }
  }
  const head = [
    `ARM cost of neonc's generated C (bench:arm), ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus()[0]?.model.trim() ?? "?"} (${os.cpus().length} cores);`,
    `C built ${values.opt} with the targets' cross GCC (-static), one run under qemu-user, cycles from ${mca} (iterations 100)${values.passes ? `; passes: ${values.passes}` : ""}${winograd !== "off" ? `; --winograd ${winograd}` : ""}.`,
    "",
  ];
  process.stdout.write([...head, modelTable(rows), "## Per kernel", "", ...rows.map((r) => kernelTables(r, values.nodes))].join("\n") + "\n");
  return rows.length === cases.length * precisions.length * targets.length ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`bench:arm: ${errorMessage(e)}\n`);
  process.exit(1);
});
