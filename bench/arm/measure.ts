// The ARM cost of one run of a compiled model on one input: the marked model (markers.ts) built
// statically with the target's cross compiler (one ELF holds every function the run executes,
// libc's memcpy and libm's expf included, at the addresses nm lists), run once under qemu with
// block logging (trace.ts), its executed blocks named by function (symbols.ts) and node (the
// markers), and the hottest blocks priced by llvm-mca per modelled core (disasm.ts, mca.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bindDims, buildModel, implementedOp, rigFor, type CompiledModel, type Graph, type Node, type Target, type Tensor } from "neonc";
import { armTools } from "./cores.js";
import { Disassembly, forMca } from "./disasm.js";
import { markedModel, markerName } from "./markers.js";
import { mcaCycles, type McaBlock } from "./mca.js";
import { readFunctions, SymbolTable } from "./symbols.js";
import { traceRun } from "./trace.js";

export interface CostOptions {
  /** Optimisation flag of the build (the generated Makefile's default is -O2). */
  readonly opt?: string;
  /** Share of the dynamic instructions whose blocks llvm-mca prices (the rest at the average CPI). */
  readonly hotShare?: number;
  /** llvm-mca program. */
  readonly mca: string;
}

/** Instructions and estimated cycles (per core label) of one part of the run. */
export interface Cost {
  readonly name: string;
  instructions: number;
  readonly cycles: Record<string, number>;
}

export interface NodeCost extends Cost {
  readonly index: number;
  readonly op: string;
  /** The op with what decides its cost (convolutions: algorithm and kernel size). */
  readonly kind: string;
}

export interface ArmCost {
  readonly target: string;
  readonly cores: readonly string[];
  /** The whole run (the nodes, without the markers). */
  readonly total: Cost;
  readonly nodes: NodeCost[];
  /** By C function (the kernels, model_run's own inline code, libc). */
  readonly functions: Cost[];
  /** Per core: share of dynamic instructions in blocks llvm-mca priced, and the blocks it could not read. */
  readonly coverage: Record<string, { priced: number; rejected: string[] }>;
  /** Distinct blocks executed by the nodes, and how many were given to llvm-mca. */
  readonly blocks: { executed: number; hot: number };
}

export const DEFAULT_HOT_SHARE = 0.995;

/** Convolutions differ in cost by algorithm and filter size, so they are grouped by both. */
export function kindOf(n: Node, g: Graph): string {
  const base = implementedOp(n.op);
  if (base !== "Conv" && base !== "QConv") return n.op;
  const w = g.types[n.inputs[1] ?? ""]?.shape;
  if (!w) return n.op;
  return `${n.op} k=${w.slice(2).map((d) => (typeof d === "number" ? String(d) : "?")).join("x")}`;
}

/** Measures one run of `model` (compiled from `graph` for an ARM target) on `inputs`. */
export async function measureArmCost(graph: Graph, model: CompiledModel, inputs: Readonly<Record<string, Tensor>>, opts: CostOptions): Promise<ArmCost> {
  const target: Target = model.target;
  const tools = armTools(target);
  const nodeCount = graph.nodes.length;
  const rig = rigFor(target, "qemu", opts.opt ?? "-O2");
  const build = buildModel(markedModel(model, nodeCount), rig, { extraFlags: ["-static"] });
  const syms = new SymbolTable(readFunctions(tools.nm, build.exe));
  const markers = new Map<number, number>();
  for (let k = 0; k <= nodeCount; k++) {
    const a = syms.address(markerName(k));
    if (a === undefined) throw new Error(`the built model has no ${markerName(k)}`);
    markers.set(a, k);
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-armcost-"));
  let trace;
  try {
    const env = bindDims(model, inputs);
    const inFiles = model.inputs.map((d, k) => {
      const t = inputs[d.name];
      if (!t) throw new Error(`missing input "${d.name}"`);
      const f = path.join(dir, `input_${k}.bin`);
      const data = t.data as Float32Array;
      writeFileSync(f, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return f;
    });
    const outFiles = model.outputs.map((_, k) => path.join(dir, `output_${k}.bin`));
    trace = await traceRun({ qemu: tools.qemu, args: ["-cpu", tools.qemuCpu, "-L", tools.sysroot, build.exe, "1", ...model.symbols.map((s) => String(env[s])), ...inFiles, ...outFiles], markers });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (trace.markerHits.get(0) !== 1 || trace.markerHits.get(nodeCount) !== 1) throw new Error("the traced run did not pass each node marker once");

  // Executions per block (pc) and per (node, block).
  const perBlock = new Map<number, number>();
  for (let i = 0; i < nodeCount; i++) {
    for (const [pc, n] of trace.regions.get(i)?.execs ?? []) perBlock.set(pc, (perBlock.get(pc) ?? 0) + n);
  }
  const size = (pc: number) => trace.blockSize.get(pc)!;
  const totalInsns = [...perBlock].reduce((a, [pc, n]) => a + n * size(pc), 0);

  // The hottest blocks, up to hotShare of the dynamic instructions, go to llvm-mca.
  const hotShare = opts.hotShare ?? DEFAULT_HOT_SHARE;
  const byHeat = [...perBlock].sort((a, b) => b[1] * size(b[0]) - a[1] * size(a[0]));
  const hot: number[] = [];
  let acc = 0;
  for (const [pc, n] of byHeat) {
    if (acc >= hotShare * totalInsns) break;
    hot.push(pc);
    acc += n * size(pc);
  }
  const dis = Disassembly.read(tools.objdump, build.exe);
  const blocks: McaBlock[] = [];
  const unreadable: string[] = [];
  hot.forEach((pc, id) => {
    const text = dis.block(pc, size(pc));
    const label = `.Lb${id}`;
    if (text) blocks.push({ id, label, lines: text.map((l) => forMca(l, tools.isa, label)) });
    else unreadable.push(`0x${pc.toString(16)}: not in objdump's listing`);
  });

  // Cycles per execution of every executed block, per core.
  const cores = tools.cores.map((c) => c.label);
  const blockCycles = new Map<string, Map<number, number>>();
  const coverage: ArmCost["coverage"] = {};
  for (const core of tools.cores) {
    const r = mcaCycles(opts.mca, core, blocks);
    let pricedInsns = 0;
    let pricedCycles = 0;
    const cyc = new Map<number, number>();
    for (const [id, c] of r.cycles) {
      const pc = hot[id]!;
      cyc.set(pc, c);
      pricedInsns += perBlock.get(pc)! * size(pc);
      pricedCycles += perBlock.get(pc)! * c;
    }
    const cpi = pricedInsns > 0 ? pricedCycles / pricedInsns : 1;
    for (const pc of perBlock.keys()) if (!cyc.has(pc)) cyc.set(pc, cpi * size(pc));
    blockCycles.set(core.label, cyc);
    coverage[core.label] = { priced: totalInsns > 0 ? pricedInsns / totalInsns : 1, rejected: [...unreadable, ...[...r.rejected].map(([id, why]) => `0x${hot[id]!.toString(16)}: ${why}`)] };
  }

  const zero = () => Object.fromEntries(cores.map((c) => [c, 0])) as Record<string, number>;
  const add = (cost: Cost, pc: number, n: number) => {
    cost.instructions += n * size(pc);
    for (const c of cores) cost.cycles[c] = cost.cycles[c]! + n * blockCycles.get(c)!.get(pc)!;
  };
  const total: Cost = { name: "total", instructions: 0, cycles: zero() };
  const fns = new Map<string, Cost>();
  const nodes: NodeCost[] = graph.nodes.map((n, i) => {
    const cost: NodeCost = { index: i, op: n.op, kind: kindOf(n, graph), name: n.name, instructions: 0, cycles: zero() };
    for (const [pc, k] of trace.regions.get(i)?.execs ?? []) {
      add(cost, pc, k);
      add(total, pc, k);
      const fn = syms.name(pc);
      let f = fns.get(fn);
      if (!f) fns.set(fn, (f = { name: fn, instructions: 0, cycles: zero() }));
      add(f, pc, k);
    }
    return cost;
  });
  const functions = [...fns.values()].sort((a, b) => b.instructions - a.instructions);
  return { target: target.name, cores, total, nodes, functions, coverage, blocks: { executed: perBlock.size, hot: hot.length } };
}
