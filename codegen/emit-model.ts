// Lowers an IR graph to C: model.h (the API), model.c (the run function: one block per node),
// weights.h / weights.c (const arrays), plus the test harness and Makefile (harness.ts).
//
// Emission runs twice: a first pass collects each node's scratch requests, the memory plan
// places activations and scratch, and a second pass emits the code with the final offsets.
// Kernels are pure functions of the node and context, so both passes agree. Output is
// deterministic: nothing depends on time, paths or iteration order of unordered maps.
import { byteSize } from "../ir/dtype.js";
import { dimExtents, dimSymbols, dimToString, evalDim, isSymbolic, type Dim } from "../ir/dim.js";
import { extentDeclarations, extentGuards, refuseExtentOutputs } from "./extents.js";
import { subgraphsOf, type Attrs, type Graph, type Node } from "../ir/graph.js";
import { resolveAttrs } from "../ir/op.js";
import { getOp } from "../ir/registry.js";
import type { Tensor, TensorType } from "../ir/types.js";
import { cComment, cDim, cIdent, cProduct, ctype, uniqueIdents } from "./c-util.js";
import { findKernel, type KernelContext, type ScratchType, type WeightData } from "./kernel.js";
import { maxNumel, planGraph, type GraphPlan } from "./memory-plan.js";
import type { Target } from "../ir/target.js";
import { WeightStore } from "./weights.js";
import { lowerForCodegen } from "./lowering.js";
import { isLoweredByTarget } from "../ir/traits.js";
import { harnessSource, makefileSource } from "./harness.js";
import { wasmModuleFiles } from "./wasm-harness.js";
import { WASM_SIMDE_OVERRIDES } from "./wasm-simde.js";
import { unsupportedMessage, type Refusal } from "./unsupported.js";
import { ifBlock, type BranchCode } from "./emit-if.js";
import "./kernels/index.js";
import "../ir/ops/index.js";

export interface CompileOptions {
  readonly target: Target;
  /** Compile-time maximum of every symbolic dim (the arena is sized for it). */
  readonly maxDims?: Readonly<Record<string, number>>;
  /** Prefix of every exported C name (default "model"). */
  readonly prefix?: string;
}

export interface IoDesc {
  readonly name: string;
  readonly ident: string;
  readonly dtype: Tensor["dtype"];
  readonly shape: readonly Dim[];
}

export interface CompiledModel {
  readonly prefix: string;
  readonly target: Target;
  /** File name -> contents: model.h, model.c, weights.h, weights.c, main.c, Makefile (wasm32: wasm.c, model.js, model.d.ts, main.mjs, Makefile). */
  readonly files: Readonly<Record<string, string>>;
  readonly symbols: readonly string[];
  readonly maxDims: Readonly<Record<string, number>>;
  readonly inputs: readonly IoDesc[];
  readonly outputs: readonly IoDesc[];
  readonly arenaBytes: number;
  readonly lowerBound: number;
  readonly weightBytes: number;
}

export class CodegenError extends Error {}

/** Symbolic dim names used by a graph's values, sorted. */
export function graphSymbols(g: Graph): string[] {
  const s = new Set<string>();
  for (const t of allTypes(g)) for (const d of t.shape) dimSymbols(d, s);
  return [...s].sort();
}

/** The types of g's values and of its nested graphs' values. */
function allTypes(g: Graph): TensorType[] {
  const out = Object.values(g.types);
  for (const n of g.nodes) for (const [, sub] of subgraphsOf(n)) out.push(...allTypes(sub));
  return out;
}

/** The nodes of g and of its If branches that no kernel takes or whose kernel refuses them (asked with their own graph). */
function kernelRefusals(g: Graph): Refusal[] {
  const out: Refusal[] = [];
  for (const n of g.nodes) {
    if (n.op === "If") {
      for (const [, sub] of subgraphsOf(n)) out.push(...kernelRefusals(sub));
      continue;
    }
    if (isLoweredByTarget(n.op)) continue;
    const k = findKernel(n.op);
    const why = k ? k.supports?.(n, resolveAttrs(getOp(n.op), n.attrs) as Attrs, g) : undefined;
    if (!k || why) out.push({ node: n, why });
  }
  return out;
}

/** Where a graph's own inputs and outputs live, and where its part of the arena starts. */
interface Scope {
  input(name: string): string;
  output(name: string): string;
  /** Arena offset of the graph's plan: 0 for the model, the If node's scratch for a branch. */
  readonly base: number;
}

interface Shared {
  readonly target: Target;
  readonly prefix: string;
  readonly maxDims: Readonly<Record<string, number>>;
  readonly ioIdents: ReadonlyMap<string, string>;
  readonly helpers: Map<string, string>;
}

/**
 * Plans and emits the nodes of one graph (the model, or an If branch placed in its node's
 * scratch): a dry pass collects the scratch requests, the plan places them, the real pass
 * writes the code with the final offsets.
 */
function emitBody(g: Graph, shared: Shared, weights: WeightStore, scope: Scope): { blocks: string[]; plan: GraphPlan; em: Emitter } {
  const isView = (n: Node) => findKernel(n.op)?.view === true;
  const inPlace = (n: Node) => findKernel(n.op)?.inPlace;
  const scratchReq = new Map<number, number[]>();
  const dryPlan = planGraph(g, { maxDims: shared.maxDims, isView, inPlace });
  const dry = new Emitter(g, shared, dryPlan, new WeightStore(shared.prefix), true, scope);
  g.nodes.forEach((n, i) => {
    const req = dry.emitNode(n, i);
    if (req.length > 0) scratchReq.set(i, req);
  });
  const plan = planGraph(g, { maxDims: shared.maxDims, isView, inPlace, scratch: scratchReq });
  const em = new Emitter(g, shared, plan, weights, false, scope);
  const blocks = g.nodes.map((n, i) => {
    em.emitNode(n, i);
    return em.lastCode;
  });
  return { blocks, plan, em };
}

export function compileGraph(input: Graph, opts: CompileOptions): CompiledModel {
  const { graph: g, unlowered } = lowerForCodegen(input, opts.target);
  const prefix = cIdent(opts.prefix ?? "model");
  const symbols = graphSymbols(g);
  const maxDims: Record<string, number> = {};
  const missing = symbols.filter((s) => opts.maxDims?.[s] === undefined);
  if (missing.length > 0) {
    throw new CodegenError(`the model has symbolic dims (${symbols.join(", ")}); give their maximum with ${missing.map((s) => `--max-dim ${s}=N`).join(" ")}`);
  }
  for (const s of symbols) maxDims[s] = opts.maxDims![s]!;
  const symIdents = symbols.map(cIdent);
  if (new Set(symIdents).size !== symIdents.length || symIdents.some((s) => ["in", "out", "a", "arena"].includes(s))) {
    throw new CodegenError(`symbolic dim names ${symbols.join(", ")} do not make distinct C variable names`);
  }

  // Every node the generator cannot handle goes into one sentence (codegen/unsupported.ts):
  // the nodes lower left to no algorithm, then those without a kernel or refused by theirs.
  const refusals: Refusal[] = [...unlowered, ...kernelRefusals(g)];
  const refused = unsupportedMessage(refusals);
  if (refused) throw new CodegenError(refused);
  refuseExtentOutputs(g, (m) => new CodegenError(m));

  const ioIdents = uniqueIdents([...g.inputs, ...g.outputs]);
  const inputs = g.inputs.map((name) => ({ name, ident: ioIdents.get(name)!, dtype: g.types[name]!.dtype, shape: g.types[name]!.shape }));
  const outputs = g.outputs.map((name) => ({ name, ident: ioIdents.get(name)!, dtype: g.types[name]!.dtype, shape: g.types[name]!.shape }));

  const shared: Shared = { target: opts.target, prefix, maxDims, ioIdents, helpers: new Map() };
  const weights = new WeightStore(prefix);
  const top: Scope = { input: (v) => `in->${ioIdents.get(v)!}`, output: (v) => `out->${ioIdents.get(v)!}`, base: 0 };
  const { blocks, plan, em } = emitBody(g, shared, weights, top);
  const copies = outputCopies(g, plan, em);

  const modelH = modelHeader(prefix, symbols, maxDims, inputs, outputs, plan.arenaBytes);
  const modelC = modelSource(g, opts.target, prefix, symbols, plan, shared.helpers, blocks, copies, inputs, outputs);
  const compiled: CompiledModel = {
    prefix, target: opts.target, symbols, maxDims, inputs, outputs,
    arenaBytes: plan.arenaBytes, lowerBound: plan.lowerBound, weightBytes: weights.totalBytes,
    files: {},
  };
  return {
    ...compiled,
    files: {
      "model.h": modelH,
      "model.c": modelC,
      "weights.h": weights.header(),
      "weights.c": weights.source(),
      ...(opts.target.wasm ? wasmModuleFiles(compiled) : { "main.c": harnessSource(compiled), Makefile: makefileSource(compiled) }),
    },
  };
}

class Emitter {
  lastCode = "";
  private readonly constPtrs = new Map<string, string>();
  readonly target: Target;
  readonly maxDims: Readonly<Record<string, number>>;
  readonly ioIdents: ReadonlyMap<string, string>;
  readonly helpers: Map<string, string>;

  constructor(
    readonly g: Graph,
    readonly shared: Shared,
    readonly plan: GraphPlan,
    readonly weights: WeightStore,
    readonly dry: boolean,
    readonly scope: Scope,
  ) {
    this.target = shared.target;
    this.maxDims = shared.maxDims;
    this.ioIdents = shared.ioIdents;
    this.helpers = shared.helpers;
  }

  /** Emits one node into lastCode; returns its scratch requests in bytes. */
  emitNode(node: Node, index: number): number[] {
    if (node.op === "If") return this.emitIf(node, index);
    const k = findKernel(node.op)!;
    const attrs = resolveAttrs(getOp(node.op), node.attrs) as Attrs;
    const header = `/* [${index}] ${node.op} ${cComment(node.name)}: ${node.outputs.filter(Boolean).map((o) => `${cComment(o)} ${this.g.types[o]!.dtype}[${this.g.types[o]!.shape.map(dimToString).join(",")}]`).join(", ")} */`;
    const scratch: number[] = [];
    let locals = 0;
    const self = this;
    const ctx: KernelContext = {
      target: this.target,
      graph: this.g,
      node,
      type: (v) => {
        const t = this.g.types[v];
        if (!t) return ctx.fail(`value ${v} has no type`);
        return t;
      },
      ptr: (v) => self.ptr(v, node),
      dim: cDim,
      shape: (v) => ctx.type(v).shape.map(cDim),
      numel: (v) => cProduct(ctx.type(v).shape),
      maxDim: (d) => Math.max(0, maxNumel([d], this.maxDims)),
      constant: (v) => this.g.constants[v],
      addWeights: (hint, data: WeightData) => this.weights.add(hint, data),
      helper: (key, code) => {
        if (!this.helpers.has(key)) this.helpers.set(key, code);
      },
      scratch: (count, ct = "float") => {
        const n = maxNumel([count], this.maxDims) * scratchBytes(ct);
        const k2 = scratch.length;
        scratch.push(Math.max(n, 1));
        const off = this.dry ? 0 : this.scope.base + this.plan.scratch.get(index)![k2]!;
        return `((${ct} *)(a + ${off}))`;
      },
      local: (hint) => `${cIdent(hint)}_${locals++}`,
      fail: (m) => {
        throw new CodegenError(`node ${node.name} (${node.op}): ${m}`);
      },
    };
    const out = node.outputs[0];
    const guard = extentGuards(this.g, node);
    if (k.view) {
      // A view that could not alias (its output is a graph output) copies its bytes.
      if (out && this.plan.roots.get(out) === out && node.inputs[0]) {
        const t = this.g.types[out]!;
        this.lastCode = `${header}\n${guard}memcpy(${ctx.ptr(out)}, ${ctx.ptr(node.inputs[0])}, (size_t)${ctx.numel(out)} * sizeof(${ctype(t.dtype)}));`;
      } else {
        this.lastCode = `${header}\n${guard}/* view: no code */`;
      }
      return scratch;
    }
    const body = k.emit(node, attrs, ctx).trimEnd();
    this.lastCode = `${header}\n${guard}{\n${indent(body)}\n}`;
    return scratch;
  }

  /**
   * An If: both branches are planned and emitted in the node's scratch (as large as the larger
   * branch's arena; only one runs), each reading the captured values where the outer graph
   * keeps them and writing the node's outputs directly.
   */
  private emitIf(node: Node, index: number): number[] {
    const base = this.dry ? 0 : this.scope.base + this.plan.scratch.get(index)![0]!;
    const branches: BranchCode[] = subgraphsOf(node).map(([attr, sub]) => {
      const scope: Scope = {
        input: (v) => this.ptr(node.inputs[1 + sub.inputs.indexOf(v)]!, node),
        output: (v) => this.ptr(node.outputs[sub.outputs.indexOf(v)]!, node),
        base,
      };
      const body = emitBody(sub, this.shared, this.weights, scope);
      // Outputs the branch does not compute into the node's buffer: captured values, constants,
      // and a value given as two outputs.
      const copies: string[] = [];
      const written = new Set<string>();
      sub.outputs.forEach((o, k) => {
        const slot = body.plan.slots.get(o);
        if (slot?.kind === "output" && !written.has(o)) {
          written.add(o);
          return;
        }
        const t = sub.types[o]!;
        copies.push(`memcpy(${this.ptr(node.outputs[k]!, node)}, ${body.em.ptr(o, node)}, (size_t)${cProduct(t.shape)} * sizeof(${ctype(t.dtype)}));`);
      });
      return { attr, blocks: body.blocks, copies, arenaBytes: body.plan.arenaBytes };
    });
    const outs = node.outputs.filter(Boolean).map((o) => `${cComment(o)} ${this.g.types[o]!.dtype}[${this.g.types[o]!.shape.map(dimToString).join(",")}]`).join(", ");
    this.lastCode = ifBlock(`/* [${index}] If ${cComment(node.name)}: ${outs} */`, this.ptr(node.inputs[0]!, node), branches);
    return [Math.max(1, ...branches.map((b) => b.arenaBytes))];
  }

  ptr(v: string, node: Node): string {
    const slot = this.plan.slots.get(v);
    const t = this.g.types[v];
    if (!slot || !t) throw new CodegenError(`node ${node.name} (${node.op}) reads "${v}", which has no storage`);
    const ct = ctype(t.dtype);
    switch (slot.kind) {
      case "input":
        return this.scope.input(slot.name);
      case "output":
        return this.scope.output(slot.name);
      case "arena":
        return `((${ct} *)(a + ${this.scope.base + slot.offset}))`;
      case "const": {
        const cached = this.constPtrs.get(slot.name);
        if (cached) return cached;
        const p = this.weights.add(slot.name, weightArray(this.g.constants[slot.name]!, node));
        this.constPtrs.set(slot.name, p);
        return p;
      }
    }
  }
}

/** Bytes per element of a scratch C type. */
function scratchBytes(ct: ScratchType): number {
  return /64|double/.test(ct) ? 8 : /32|float/.test(ct) ? 4 : /16/.test(ct) ? 2 : 1;
}

/** Every dtype but string is stored as its typed array's bytes (packed floats as their raw bits). */
function weightArray(t: Tensor, node: Node): WeightData {
  const d = t.data;
  if (Array.isArray(d)) throw new CodegenError(`node ${node.name} (${node.op}) reads a string constant; string tensors have no C form`);
  return d;
}

function indent(s: string, pad = "  "): string {
  return s.split("\n").map((l) => (l ? pad + l : l)).join("\n");
}

/** Graph outputs that are graph inputs or constants are copied at the end of run. */
function outputCopies(g: Graph, plan: GraphPlan, em: Emitter): string[] {
  const out: string[] = [];
  for (const o of g.outputs) {
    const slot = plan.slots.get(o);
    if (slot?.kind === "input" || slot?.kind === "const") {
      const t = g.types[o]!;
      const dst = `out->${em.ioIdents.get(o)!}`;
      const src = slot.kind === "input" ? `in->${em.ioIdents.get(slot.name)!}` : em.ptr(o, { name: "output", op: "copy", inputs: [], outputs: [], attrs: {} });
      out.push(`memcpy(${dst}, ${src}, (size_t)${cProduct(t.shape)} * sizeof(${ctype(t.dtype)}));`);
    }
  }
  return out;
}

function symParams(symbols: readonly string[]): string {
  return symbols.map((s) => `int ${cIdent(s)}`).join(", ");
}

function modelHeader(prefix: string, symbols: readonly string[], maxDims: Readonly<Record<string, number>>, inputs: readonly IoDesc[], outputs: readonly IoDesc[], arenaBytes: number): string {
  const P = prefix.toUpperCase();
  const sp = symbols.length > 0 ? `${symParams(symbols)}, ` : "";
  const io = (d: IoDesc, isConst: boolean) => `  ${isConst ? "const " : ""}${ctype(d.dtype)} *${d.ident}; /* ${cComment(d.name)}: ${d.dtype}[${d.shape.map(dimToString).join(",")}] */`;
  return [
    `/* Generated by neonc: the C API of the compiled model. */`,
    `#ifndef ${P}_MODEL_H`,
    `#define ${P}_MODEL_H`,
    `#include <stddef.h>`,
    `#include <stdint.h>`,
    `#ifdef __cplusplus`,
    `extern "C" {`,
    `#endif`,
    ``,
    ...symbols.map((s) => `#define ${P}_${cIdent(s).toUpperCase()}_MAX ${maxDims[s]} /* largest ${s} the arena is sized for */`),
    ...(symbols.length > 0 ? [""] : []),
    `/* Bytes of working memory ${prefix}_run needs for the largest dims above (the same as ${prefix}_arena_size()), for a`,
    `   static arena: static unsigned char arena[${P}_ARENA_BYTES] with 16-byte alignment (e.g. _Alignas(16) in C11). */`,
    `#define ${P}_ARENA_BYTES ${arenaBytes}u`,
    ``,
    `typedef struct {`,
    ...inputs.map((d) => io(d, true)),
    `} ${prefix}_inputs;`,
    ``,
    `typedef struct {`,
    ...outputs.map((d) => io(d, false)),
    `} ${prefix}_outputs;`,
    ``,
    `/* Bytes of working memory ${prefix}_run needs (for the largest dims); pass a 16-byte aligned block. */`,
    `size_t ${prefix}_arena_size(void);`,
    ``,
    `/* Element counts of input / output k for the given dims (0 when k is out of range). */`,
    `size_t ${prefix}_input_numel(int k${symbols.length > 0 ? ", " + symParams(symbols) : ""});`,
    `size_t ${prefix}_output_numel(int k${symbols.length > 0 ? ", " + symParams(symbols) : ""});`,
    ``,
    `/*`,
    ` * Runs the model. Reentrant: all state lives in \`arena\` (no malloc, no mutable globals).`,
    ` * Returns 0 on success, 1 when a dim exceeds its maximum or is below 1, 2 when a derived`,
    ` * length (e.g. after a strided convolution) would be empty, 3 on a null pointer, 4 when an index`,
    ` * read at run time (Gather) is out of range, 5 when a Dropout is asked at run time for training`,
    ` * mode with a ratio above 0 (a random mask), 6 when a length computed`,
    ` * at run time (from the inputs' values, e.g. max(lengths)) exceeds its bound or differs from the`,
    ` * dim it must equal.`,
    ` */`,
    `int ${prefix}_run(const ${prefix}_inputs *in, ${prefix}_outputs *out, ${sp}void *arena);`,
    ``,
    `#ifdef __cplusplus`,
    `}`,
    `#endif`,
    `#endif`,
    ``,
  ].join("\n");
}

function modelSource(
  g: Graph, target: Target, prefix: string, symbols: readonly string[], plan: GraphPlan,
  helpers: ReadonlyMap<string, string>, blocks: readonly string[], copies: readonly string[],
  inputs: readonly IoDesc[], outputs: readonly IoDesc[],
): string {
  const P = prefix.toUpperCase();
  const sp = symbols.length > 0 ? `${symParams(symbols)}, ` : "";
  const symArgs = symbols.length > 0 ? ", " + symParams(symbols) : "";
  // Every distinct symbolic dim must be positive for the run to make sense.
  const checks = new Map<string, string>();
  // (Dims with a length computed at run time are set and checked where the length is made.)
  for (const t of allTypes(g)) for (const d of t.shape) if (isSymbolic(d) && dimExtents(d).size === 0) checks.set(dimToString(d), cDim(d));
  const numelFn = (kind: "input" | "output", list: readonly IoDesc[]) => [
    `size_t ${prefix}_${kind}_numel(int k${symArgs}) {`,
    ...symbols.map((s) => `  (void)${cIdent(s)};`),
    `  switch (k) {`,
    ...list.map((d, i) => `  case ${i}: return (size_t)${cProduct(d.shape)};`),
    `  default: return 0;`,
    `  }`,
    `}`,
  ];
  const neonInclude = target.neon
    ? [
        `#if defined(__ARM_NEON) || defined(__ARM_NEON__)`,
        `#include <arm_neon.h>`,
        `#else`,
        `/* Not an ARM compiler: run the NEON code through SIMDe (NEON intrinsics on x86). */`,
        `#define SIMDE_ENABLE_NATIVE_ALIASES`,
        `#include <simde/arm/neon.h>`,
        ...(target.wasm ? WASM_SIMDE_OVERRIDES : []),
        `#endif`,
      ]
    : [];
  return [
    `/* Generated by neonc for target ${target.name} (${target.doc}). Do not edit. */`,
    `#include <math.h>`,
    `#include <stddef.h>`,
    `#include <stdint.h>`,
    `#include <string.h>`,
    ...neonInclude,
    `#include "model.h"`,
    `#include "weights.h"`,
    ``,
    `/* GCC's -Waggressive-loop-optimizations fires on the scalar tail loops of row and GEMM helpers once they`,
    `   are inlined with constant sizes (on 32-bit ARM: "iteration 1073741823 invokes undefined`,
    `   behavior", the iteration whose int32 byte offset would pass 2^32). Those iterations are never`,
    `   reached (a tail runs at most one block or vector width), so the warning is off for this file. */`,
    `#if defined(__GNUC__) && !defined(__clang__)`,
    `#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"`,
    `#endif`,
    ``,
    `/* Floor division for symbolic dims (C's / truncates toward zero). */`,
    `static inline int neonc_floordiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }`,
    ``,
    ...[...helpers.values()].map((h) => h.trimEnd() + "\n"),
    `size_t ${prefix}_arena_size(void) { return ${P}_ARENA_BYTES; }`,
    ``,
    ...numelFn("input", inputs),
    ``,
    ...numelFn("output", outputs),
    ``,
    `int ${prefix}_run(const ${prefix}_inputs *in, ${prefix}_outputs *out, ${sp}void *arena) {`,
    `  unsigned char *const a = (unsigned char *)arena;`,
    `  if (!in || !out || (!arena && ${plan.arenaBytes} > 0)) return 3;`,
    `  (void)a;`,
    ...extentDeclarations(g).map((l) => "  " + l),
    ...symbols.map((s) => `  if (${cIdent(s)} < 1 || ${cIdent(s)} > ${P}_${cIdent(s).toUpperCase()}_MAX) return 1;`),
    ...[...checks.values()].filter((c) => !symbols.map(cIdent).includes(c)).map((c) => `  if (${c} < 1) return 2;`),
    ...blocks.map((b) => indent(b)),
    ...copies.map((c) => "  " + c),
    `  return 0;`,
    `}`,
    ``,
  ].join("\n");
}

/** Bytes of a value for given dims (for the TS side of the harness). */
export function valueBytes(d: IoDesc, env: Readonly<Record<string, number>>): number {
  return d.shape.reduce<number>((n, x) => n * evalDim(x, env), 1) * byteSize(d.dtype);
}
