// The static memory plan: every activation and every scratch buffer gets a fixed offset in one
// arena, sized for the compile-time maximum of each symbolic dim.
//
// Buffers live from the node that writes them to the last node that reads them (or any view of
// them). Packing is greedy by size, largest first, each buffer going into the smallest gap that
// fits among the buffers whose lifetimes overlap it (best fit), at 16-byte aligned offsets. Views
// share their source's buffer; an in-place kernel's output takes over its input's buffer when
// the input dies at that node. The plan reports the arena size beside the lower bound: the
// largest total size of buffers live at the same step, which no plan that keeps each buffer
// contiguous can beat.
import { byteSize } from "../ir/dtype.js";
import { dimEquals, dimSymbols, evalDim, upperBoundDim, type Dim } from "../ir/dim.js";
import type { Graph, Node } from "../ir/graph.js";

export const ALIGN = 16;

export function alignUp(n: number, a = ALIGN): number {
  return Math.ceil(n / a) * a;
}

/** A buffer to place: bytes and the inclusive range of steps during which it is live. */
export interface BufferRequest {
  readonly id: string;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
}

export interface Placement extends BufferRequest {
  readonly offset: number;
}

export interface Packing {
  readonly placements: ReadonlyMap<string, Placement>;
  readonly arenaBytes: number;
  readonly lowerBound: number;
}

/** Places buffers in one arena: greedy by size, best-fit gaps among time-overlapping buffers. */
export function packBuffers(requests: readonly BufferRequest[]): Packing {
  const order = [...requests].sort((a, b) => b.bytes - a.bytes || a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const placed: Placement[] = [];
  const placements = new Map<string, Placement>();
  let arenaBytes = 0;
  for (const r of order) {
    const size = alignUp(r.bytes);
    const busy = placed
      .filter((p) => p.start <= r.end && r.start <= p.end)
      .map((p) => [p.offset, p.offset + alignUp(p.bytes)] as const)
      .sort((a, b) => a[0] - b[0]);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const [lo, hi] of busy) {
      const gap = lo - cursor;
      if (gap >= size && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, hi);
    }
    const offset = best >= 0 ? best : cursor;
    const p: Placement = { ...r, offset };
    placed.push(p);
    placements.set(r.id, p);
    arenaBytes = Math.max(arenaBytes, offset + size);
  }
  return { placements, arenaBytes, lowerBound: liveLowerBound(requests) };
}

/** Largest sum of aligned sizes of buffers live at one step. */
export function liveLowerBound(requests: readonly BufferRequest[]): number {
  const steps = new Set<number>();
  for (const r of requests) steps.add(r.start);
  let best = 0;
  for (const s of steps) {
    let sum = 0;
    for (const r of requests) if (r.start <= s && s <= r.end) sum += alignUp(r.bytes);
    best = Math.max(best, sum);
  }
  return best;
}

/**
 * Largest element count a shape takes for symbol values up to their maxima (a length computed at
 * run time at its bound: upperBoundDim).
 */
export function maxNumel(dims: readonly Dim[], maxDims: Readonly<Record<string, number>>): number {
  const shape = dims.map((d) => upperBoundDim(d));
  const syms = new Set<string>();
  for (const d of shape) dimSymbols(d, syms);
  const numelAt = (env: Record<string, number>) => shape.reduce<number>((n, d) => n * Math.max(0, evalDim(d, env)), 1);
  for (const s of syms) {
    if (maxDims[s] === undefined) throw new Error(`no maximum given for the symbolic dim ${s} (use --max-dim ${s}=N)`);
  }
  if (syms.size === 0) return numelAt({});
  if (syms.size === 1) {
    // Floors can make a size non-monotone in T, so try every length (cheap: a few thousand).
    const [s] = [...syms] as [string];
    const max = maxDims[s]!;
    if (max <= 1 << 16) {
      let best = 0;
      for (let v = 1; v <= max; v++) best = Math.max(best, numelAt({ [s]: v }));
      return best;
    }
  }
  return numelAt({ ...maxDims });
}

/** Where a value's bytes live at run time. */
export type Slot =
  | { readonly kind: "arena"; readonly offset: number }
  | { readonly kind: "input"; readonly name: string }
  | { readonly kind: "output"; readonly name: string }
  | { readonly kind: "const"; readonly name: string };

export interface GraphPlanOptions {
  readonly maxDims: Readonly<Record<string, number>>;
  /** The node's output 0 is a view of its input 0. */
  readonly isView: (node: Node) => boolean;
  /** Input index the node may overwrite with its output 0. */
  readonly inPlace: (node: Node) => number | undefined;
  /** Scratch bytes requested by node index. */
  readonly scratch?: ReadonlyMap<number, readonly number[]>;
}

export interface GraphPlan {
  /** Slot of every value (graph inputs, constants, node outputs). */
  readonly slots: ReadonlyMap<string, Slot>;
  /** Arena offsets of each node's scratch buffers, in request order. */
  readonly scratch: ReadonlyMap<number, readonly number[]>;
  /** The value each value aliases (itself when it owns its buffer). */
  readonly roots: ReadonlyMap<string, string>;
  /** Values that were given their input's buffer by an in-place kernel. */
  readonly inPlace: ReadonlySet<string>;
  readonly arenaBytes: number;
  readonly lowerBound: number;
  readonly buffers: readonly Placement[];
}

/** Plans the arena for a graph in its node order. */
export function planGraph(g: Graph, opts: GraphPlanOptions): GraphPlan {
  const bytesOf = (v: string) => {
    const t = g.types[v];
    if (!t) throw new Error(`value ${v} has no type`);
    return maxNumel(t.shape, opts.maxDims) * byteSize(t.dtype);
  };
  const graphInputs = new Set(g.inputs);
  const graphOutputs = new Set(g.outputs);
  const lastRead = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastRead.set(v, i)));
  for (const o of g.outputs) lastRead.set(o, Infinity);

  const roots = new Map<string, string>();
  const aliases = new Map<string, string[]>();
  const inPlace = new Set<string>();
  const start = new Map<string, number>();
  const rootOf = (v: string) => roots.get(v) ?? v;
  const isArenaRoot = (r: string) => !graphInputs.has(r) && !graphOutputs.has(r) && !(r in g.constants);
  const alias = (v: string, r: string) => {
    roots.set(v, r);
    aliases.get(r)!.push(v);
  };

  g.nodes.forEach((n, i) => {
    const out = n.outputs[0];
    for (const o of n.outputs) {
      if (!o) continue;
      roots.set(o, o);
      aliases.set(o, [o]);
      start.set(o, i);
    }
    if (!out) return;
    if (opts.isView(n) && n.inputs[0] && !graphOutputs.has(out)) {
      const r = rootOf(n.inputs[0]);
      aliases.delete(out);
      if (!aliases.has(r)) aliases.set(r, [r]);
      alias(out, r);
      return;
    }
    const k = opts.inPlace(n);
    const src = k === undefined ? undefined : n.inputs[k];
    if (!src || graphOutputs.has(out)) return;
    const r = rootOf(src);
    if (!isArenaRoot(r)) return;
    const others = n.inputs.some((v, j) => j !== k && v && v !== src && rootOf(v) === r);
    const dead = (aliases.get(r) ?? [r]).every((a) => (lastRead.get(a) ?? -1) <= i);
    const ts = g.types[src]!, to = g.types[out]!;
    const same = ts.dtype === to.dtype && ts.shape.length === to.shape.length && ts.shape.every((d, j) => dimEquals(d, to.shape[j]!));
    if (others || !dead || !same) return;
    aliases.delete(out);
    alias(out, r);
    inPlace.add(out);
  });

  const requests: BufferRequest[] = [];
  const slots = new Map<string, Slot>();
  for (const v of g.inputs) slots.set(v, { kind: "input", name: v });
  for (const c of Object.keys(g.constants)) slots.set(c, { kind: "const", name: c });
  for (const [r, list] of aliases) {
    if (!isArenaRoot(r) || !start.has(r)) continue;
    let end = start.get(r)!;
    for (const a of list) end = Math.max(end, lastRead.get(a) ?? end);
    requests.push({ id: r, bytes: bytesOf(r), start: start.get(r)!, end });
  }
  for (const [i, list] of opts.scratch ?? []) list.forEach((b, k) => requests.push({ id: `#scratch:${i}:${k}`, bytes: b, start: i, end: i }));
  const packing = packBuffers(requests);
  for (const [v, r] of roots) {
    if (graphOutputs.has(r)) slots.set(v, { kind: "output", name: r });
    else if (graphInputs.has(r)) slots.set(v, { kind: "input", name: r });
    else if (r in g.constants) slots.set(v, { kind: "const", name: r });
    else slots.set(v, { kind: "arena", offset: packing.placements.get(r)!.offset });
  }
  const scratch = new Map<number, number[]>();
  for (const [i, list] of opts.scratch ?? []) scratch.set(i, list.map((_, k) => packing.placements.get(`#scratch:${i}:${k}`)!.offset));
  return {
    slots, scratch, roots, inPlace,
    arenaBytes: packing.arenaBytes, lowerBound: packing.lowerBound,
    buffers: [...packing.placements.values()],
  };
}
