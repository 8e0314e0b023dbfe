// `neonc run` over a folder of inputs against onnxruntime-node on the same files (not a test):
// the batch job of `neonc run --input-dir`, whole commands as a user runs them (start-up,
// reading every input file, the runs, writing every output file), taken in turn for several
// rounds on a shared, noisy machine, and reported as medians of CPU time (user + system, the
// child's own, read from /proc/self/stat) and wall time, with the ratio to onnxruntime.
//
//   npm run bench:run-batch [-- --rounds N] [-- --reference]
//
// onnxruntime-node runs through ../shared/asr-digits/run_ort.mjs, the reference runner that comes
// with the data (default session options). `--reference` adds `neonc run --no-fast-engine` (the
// pure TypeScript interpreter, about 10x slower). The outputs of each command are compared with
// onnxruntime's (max |difference|), so a fast wrong answer cannot pass for a speed-up.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readTensorFile } from "neonc";
import { maxAbsDiff } from "neonc/testing";
import { median } from "./stats.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const data = path.resolve(root, "../shared/asr-digits");
const model = path.join(data, "model.onnx");
const inputs = path.join(data, "dev");
const flag = (name: string) => process.argv.indexOf(name);
const rounds = flag("--rounds") > 0 ? Number(process.argv[flag("--rounds") + 1]) : 5;

interface Command { name: string; argv: (out: string) => string[] }
const commands: Command[] = [
  { name: "onnxruntime-node (run_ort.mjs)", argv: (out) => [path.join(data, "run_ort.mjs"), model, inputs, out] },
  { name: "neonc run", argv: (out) => [path.join(root, "dist/neonc.mjs"), "run", model, "--input-dir", inputs, "--output-dir", out] },
];
if (flag("--reference") > 0) {
  commands.push({ name: "neonc run --no-fast-engine", argv: (out) => [...commands[1]!.argv(out), "--no-fast-engine"] });
}

/** CPU seconds (user + system) of this process's waited-for children so far. */
function childCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
  // After the command name: field 16 cutime and 17 cstime of proc(5), here at indexes 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Largest |a - b| over every output file of two output folders (same names). */
function maxDiff(a: string, b: string): number {
  let worst = 0;
  for (const f of readdirSync(a)) {
    const x = readTensorFile(path.join(a, f)).tensor, y = readTensorFile(path.join(b, f)).tensor;
    if (x.data.length !== y.data.length) return Infinity;
    worst = Math.max(worst, maxAbsDiff(x, y));
  }
  return worst;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "neonc-run-batch-"));
const cpu = commands.map(() => [] as number[]), wall = commands.map(() => [] as number[]);
const diffs = commands.map(() => 0);
try {
  console.error(`${readdirSync(inputs).filter((f) => f.endsWith(".input.pb")).length} inputs, ${rounds} rounds, commands in turn`);
  for (let r = 0; r < rounds; r++) {
    commands.forEach((c, i) => {
      const out = path.join(tmp, `${r}-${i}`);
      const c0 = childCpu(), t0 = performance.now();
      const res = spawnSync("node", c.argv(out), { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
      wall[i]!.push((performance.now() - t0) / 1000);
      cpu[i]!.push(childCpu() - c0);
      if (res.status !== 0) throw new Error(`${c.name} failed: ${res.stderr}`);
      if (i > 0) diffs[i] = Math.max(diffs[i]!, maxDiff(path.join(tmp, `${r}-0`), out));
      console.error(`round ${r + 1}: ${c.name} ${cpu[i]!.at(-1)!.toFixed(2)} s CPU, ${wall[i]!.at(-1)!.toFixed(2)} s wall`);
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const base = { cpu: median(cpu[0]!), wall: median(wall[0]!) };
console.log(`\n${path.relative(root, model)} over ${path.relative(root, inputs)}: medians of ${rounds} rounds (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}, Node ${process.versions.node})\n`);
console.log("| command | CPU s (each round) | CPU median | vs onnxruntime | wall median | vs onnxruntime | max |diff| vs onnxruntime |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
commands.forEach((c, i) => {
  const m = { cpu: median(cpu[i]!), wall: median(wall[i]!) };
  console.log(`| ${c.name} | ${cpu[i]!.map((v) => v.toFixed(2)).join(", ")} | ${m.cpu.toFixed(2)} | ${(m.cpu / base.cpu).toFixed(2)}x | ${m.wall.toFixed(2)} | ${(m.wall / base.wall).toFixed(2)}x | ${i === 0 ? "" : diffs[i]!.toExponential(2)} |`);
});
