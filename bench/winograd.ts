// `npm run bench:winograd`: fp32 Winograd against direct convolution in the generated C on this
// machine (the c99 target built natively with -O3 -march=native, the rig of `npm run bench`).
//
// For each model (../shared/models/wav2letter, quartznet5x5, convdfsmn and ../shared/asr-digits,
// on test_data_set_0 or the first dev utterance) it runs -O1, then winograd{m=auto} for the c99
// target, and times (1) every layer the pass chose, alone, as a one-Conv graph on the input that
// layer sees in the model, built once with its direct algorithm and once as ConvWinograd, and
// (2) the whole model both ways. Timing takes the two builds in turn for ROUNDS rounds; each
// round is the median of its harness's repeated runs (no process start inside the timing), and
// the table gives the median over rounds of each build and of the per-round speed-ups, with
// their range, so a busy machine shows as spread instead of as a false result. Arguments filter
// the models by name.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { CEngine, dimSymbols, errorMessage, importOnnxFile, makeGraph, packageRoot, readTensorFile, runGraph, runPipeline, type Graph, type Node, type Tensor } from "neonc";

const ROUNDS = 7;
const LAYER_BUDGET_MS = 300;

const shared = path.resolve(packageRoot(), "../shared");
const cases = [
  ...["wav2letter", "quartznet5x5", "convdfsmn"].map((name) => ({ name, model: path.join(shared, "models", name, "model.onnx"), input: path.join(shared, "models", name, "test_data_set_0", "input_0.pb") })),
  { name: "asr-digits", model: path.join(shared, "asr-digits", "model.onnx"), input: firstDev(path.join(shared, "asr-digits", "dev")) },
].filter((c) => (process.argv.length <= 2 || process.argv.slice(2).some((a) => c.name.includes(a))) && existsSync(c.model) && existsSync(c.input));

function firstDev(dir: string): string {
  if (!existsSync(dir)) return "";
  const f = readdirSync(dir).filter((n) => n.endsWith(".input.pb")).sort()[0];
  return f ? path.join(dir, f) : "";
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

interface Timing { direct: number; winograd: number; speedup: number; lo: number; hi: number }

/** Both graphs built for c99, timed in alternating rounds on one input set. */
function race(direct: Graph, winograd: Graph, feeds: Record<string, Tensor>, maxDims: Record<string, number>): Timing {
  const opts = { target: "c99", mode: "native" as const, maxDims, opt: "-O3", extraFlags: ["-march=native"] };
  const [d, w] = [CEngine.create(direct, opts), CEngine.create(winograd, opts)];
  const first = d.run([feeds], { runs: 1 }).runs[0]!.medianMs;
  const runs = Math.max(5, Math.min(400, Math.round(LAYER_BUDGET_MS / Math.max(first, 1e-3))));
  const ds: number[] = [], ws: number[] = [], ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = d.run([feeds], { runs }).runs[0]!.medianMs;
    const b = w.run([feeds], { runs }).runs[0]!.medianMs;
    ds.push(a); ws.push(b); ratios.push(a / b);
  }
  return { direct: median(ds), winograd: median(ws), speedup: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios) };
}

/** The one-Conv graph of `node` on its input `x` (as the model gives it), with its weights. */
function layerGraph(node: Node, g: Graph, x: Tensor, y: Tensor, op: "Conv" | "ConvWinograd"): Graph {
  const [, wName, bName] = node.inputs as [string, string, string | undefined];
  const names = ["x", "w", ...(bName ? ["b"] : [])];
  const constants: Record<string, Tensor> = { w: g.constants[wName]!, ...(bName ? { b: g.constants[bName]! } : {}) };
  const { m: _m, segment: _s, ...convAttrs } = node.attrs as Record<string, unknown>;
  return makeGraph({
    name: "layer",
    inputs: ["x"],
    outputs: ["y"],
    nodes: [{ ...node, op, name: "layer", inputs: names, outputs: ["y"], attrs: (op === "Conv" ? convAttrs : node.attrs) as Node["attrs"] }],
    types: { x: { dtype: "f32", shape: x.shape }, w: g.types[wName]!, ...(bName ? { b: g.types[bName]! } : {}), y: { dtype: "f32", shape: y.shape } },
    constants,
  });
}

const f = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(3));
const line = (t: Timing) => `${f(t.direct)} | ${f(t.winograd)} | ${t.speedup.toFixed(2)}x (${t.lo.toFixed(2)}-${t.hi.toFixed(2)})`;

console.log(`# fp32 Winograd vs direct, c99 -O3 -march=native, ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), load ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`medians of ${ROUNDS} alternating rounds; speed-up = direct / Winograd per round (median, range)\n`);
console.log("| model | layer | F(m, r) | C x M (groups) | length | direct ms | Winograd ms | speed-up |");
console.log("|---|---|---|---|---:|---:|---:|---:|");
for (const c of cases) {
  try {
    const g = runPipeline(importOnnxFile(c.model), "-O1", { log: () => {} });
    const w = runPipeline(g, "winograd{m=auto}", { log: () => {} });
    const x = readTensorFile(c.input).tensor;
    const values = new Map<string, Tensor>([[g.inputs[0]!, x]]);
    runGraph(g, { [g.inputs[0]!]: x }, { onNode: (n, outs) => n.outputs.forEach((o, i) => values.set(o, outs[i]!)) });
    for (const node of w.nodes.filter((n) => n.op === "ConvWinograd")) {
      const xin = values.get(node.inputs[0]!)!, yout = values.get(node.outputs[0]!)!;
      const t = race(layerGraph(node, w, xin, yout, "Conv"), layerGraph(node, w, xin, yout, "ConvWinograd"), { x: xin }, {});
      const a = node.attrs as { m: number; segment?: number };
      const wt = w.types[node.inputs[1]!]!.shape as number[];
      const form = a.segment ? `${Math.ceil(wt[2]! / a.segment)} x F(${a.m}, ${a.segment})` : `F(${a.m}, ${wt[2]})`;
      const group = (node.attrs.group as number | undefined) ?? 1;
      console.log(`| ${c.name} | ${node.name} | ${form} | ${xin.shape[1]} x ${wt[0]}${group > 1 ? ` (${group})` : ""} | ${xin.shape[2]} | ${line(t)} |`);
    }
    const maxDims: Record<string, number> = {};
    g.types[g.inputs[0]!]!.shape.forEach((d, i) => dimSymbols(d).forEach((s) => (maxDims[s] = x.shape[i]!)));
    const t = race(g, w, { [g.inputs[0]!]: x }, maxDims);
    console.log(`| ${c.name} | whole model (${w.nodes.filter((n) => n.op === "ConvWinograd").length} Winograd layers) | | | ${x.shape.at(-1)} | ${line(t)} |`);
  } catch (e) {
    console.log(`| ${c.name} | failed: ${errorMessage(e)} | | | | | | |`);
  }
}
