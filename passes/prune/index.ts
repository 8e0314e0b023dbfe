// prune{sparsity=0.5, block=8x1, method=magnitude, layers=}: block sparsity for the weights of
// Conv, MatMul and Gemm (float, constant), the first step of neonc's sparsity work. Each weight is
// seen as the GEMM it feeds (./blocks.ts); the given fraction of its blocks, those of least
// squared norm, become zero. The zeros stay dense in the graph and in ONNX export (any runtime
// runs the result, and int8 quantization keeps a zero weight zero), so every kernel computes the
// pruned model exactly. Layers stay dense with a reason `--explain prune` prints: depthwise (one
// input channel per output: nothing for a sparse GEMM to skip), weights computed at run time or
// not float, or already at least as sparse. `layers` ('a|b') limits the pass to those nodes.
// method=wanda scores each weight by |w| times the norm of the input channel it multiplies on
// calibration data (Sun et al., "A Simple and Effective Pruning Approach for LLMs"), blockwise:
// the host's calibration samples, or a folder named by `calibration`.
import type { Node } from "../../ir/graph.js";
import { definePass } from "../pass.js";
import { passSamples } from "../calibration-samples.js";
import { enumOption, floatOption, intOption, stringOption } from "../options.js";
import { f64Values, floatTensor, isComputeFloat } from "../float-constants.js";
import { applyRules, ensure, rule, type GraphView, type Rewrite } from "../patterns.js";
import { blocksOf, elementWeights, parseBlock, pruneBlocks, zeroBlocks, type BlockShape, type GemmView } from "./blocks.js";
import { inputChannelNorms } from "./activations.js";

export const BLOCKS = ["8x1", "4x1", "8x4", "1x1"] as const;

/** The GEMM view of the node's weight (its operand 1), or a decline. */
function gemmView(node: Node, g: GraphView): GemmView {
  const w = g.type(node.inputs[1]!);
  if (node.op === "Conv") {
    const a = g.attrs<{ group: number }>(node);
    const [M, Cg, ...kernel] = w.shape as number[];
    const taps = kernel.reduce((p, k) => p * k, 1);
    ensure(!(Cg === 1 && a.group > 1), () => `it is depthwise (group ${a.group}, one input channel per output): nothing for a sparse GEMM to skip`);
    const Mg = M! / a.group;
    // Column tap * Cg + c (tap-major, as the C GEMMs pack conv weights) of row m in group grp.
    return { groups: a.group, rows: Mg, cols: Cg! * taps, index: (grp, m, col) => ((grp * Mg + m) * Cg! + (col % Cg!)) * taps + Math.floor(col / Cg!), inputChannel: (grp, col) => grp * Cg! + (col % Cg!) };
  }
  if (node.op === "MatMul") {
    ensure(w.shape.length === 2, () => `its weight has rank ${w.shape.length} (block pruning takes a [K, N] matrix)`);
    const [K, N] = w.shape as [number, number];
    return { groups: 1, rows: N, cols: K, index: (_, n, k) => k * N + n, inputChannel: (_, k) => k };
  }
  // Gemm: y = alpha A' B' + C, B' = transB ? B^T : B, weight B [K, N] or [N, K].
  const { transB, transA } = g.attrs<{ transB: number; transA: number }>(node);
  ensure(!transA, "its first operand is transposed (transA=1): the weight is the second operand");
  const [d0, d1] = w.shape as [number, number];
  return transB
    ? { groups: 1, rows: d0, cols: d1, index: (_, n, k) => n * d1 + k, inputChannel: (_, k) => k }
    : { groups: 1, rows: d1, cols: d0, index: (_, n, k) => k * d1 + n, inputChannel: (_, k) => k };
}

/** norms: per activation value, its input channels' norms on calibration data (Wanda); absent: magnitude. */
function pruneRule(sparsity: number, block: BlockShape, blockText: string, layers: ReadonlySet<string>, norms?: ReadonlyMap<string, Float64Array>) {
  return rule(["Conv", "MatMul", "Gemm"], (node, g): Rewrite => {
    ensure(layers.size === 0 || layers.has(node.name), "not among the layers asked for");
    const wName = node.inputs[1];
    ensure(wName !== undefined && wName !== "", "it has no weight");
    const w = g.constant(wName!);
    ensure(w, "its weight is computed at run time");
    ensure(isComputeFloat(w!.dtype), () => `its weight is ${w!.dtype}, not float`);
    const view = gemmView(node, g);
    const blocks = blocksOf(view, block);
    const data = f64Values(w!);
    const target = Math.floor(sparsity * blocks.length);
    ensure(target > 0, () => `${pct(sparsity)} of its ${blocks.length} ${blockText} blocks rounds to none`);
    const already = zeroBlocks(data, blocks);
    ensure(already < target, () => `it already has ${already} of ${blocks.length} ${blockText} blocks zero (${pct(already / blocks.length)})`);
    let weight: Float64Array | undefined;
    if (norms) {
      const n = norms.get(node.inputs[0]!);
      ensure(n !== undefined, "no calibration sample reached its input (Wanda weighs weights by their inputs' norms)");
      weight = elementWeights(view, data.length, n!);
    }
    const { values, kept } = pruneBlocks(data, blocks, target, weight);
    const b = g.rewrite(node);
    const pruned = b.constant(`${wName}.pruned`, floatTensor(w!.dtype as "f32" | "f64", w!.shape, values));
    const inputs = node.inputs.map((v, k) => (k === 1 ? pruned : v));
    const outs = b.op(node.op, inputs, node.attrs, { name: node.name, outputs: node.outputs });
    const how = norms ? "by |w| x input norm (Wanda)" : "by magnitude";
    return b.explain(`${target} of its ${blocks.length} ${blockText} blocks zeroed ${how} (${pct(target / blocks.length)}); ${pct(kept)} of the ${norms ? "input-weighted " : ""}squared norm kept`).replaceWith(...outs);
  }, "prune-blocks");
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export const prune = definePass({
  name: "prune",
  keepsNumbersWith: { sparsity: "0" },
  doc: "Zeroes the given fraction of each Conv/MatMul/Gemm weight's blocks (8x1 by default), those of least magnitude (or |w| x input norm)",
  options: {
    sparsity: floatOption(0.5, "the fraction of each weight's blocks to zero", { min: 0, max: 0.99 }),
    block: enumOption(BLOCKS, "8x1", "block shape, output rows x reduction columns (conv columns are tap-major)"),
    method: enumOption(["magnitude", "wanda"], "magnitude", "how blocks are scored: magnitude (squared norm of w) or wanda (squared norm of w times its input channel's norm on calibration data)"),
    layers: stringOption("", "node names to prune, separated by '|' (empty: every layer it can)"),
    calibration: stringOption("", "method=wanda: a folder of input .pb files (read by the host); '' takes the host's calibration samples"),
    samples: intOption(8, "method=wanda: calibration samples run to measure the input norms", { min: 1 }),
  },
  run(graph, ctx) {
    const o = ctx.options;
    const layers = new Set(o.layers.split("|").map((s) => s.trim()).filter(Boolean));
    let norms: Map<string, Float64Array> | undefined;
    if (o.method === "wanda") {
      const samples = passSamples(graph, ctx, o.calibration, o.samples,
        "method=wanda weighs weights by the norms of their inputs on calibration data: give calibration=FOLDER (on the command line, --calibration DIR)", "Wanda");
      const count = Math.min(o.samples, samples.length);
      const task = ctx.progress("prune: measuring input norms", count);
      norms = inputChannelNorms(graph, samples, count);
      task.done();
    }
    return applyRules(graph, [pruneRule(o.sparsity, parseBlock(o.block), o.block, layers, norms)], { ctx });
  },
});
