// The mutable scratch copy of a graph that `applyRules` rewrites, with producer/user indexes kept
// up to date, and its conversion back into a new immutable Graph.
//
// Rewriting one node at a time on the frozen Graph would rebuild every index per rewrite; here
// the input graph is only read (its frozen nodes are reused as they are), changes go into maps
// owned by this object, and `toGraph` produces the result through immer in one step.
import { castDraft } from "immer";
import { updateGraph, type Graph, type Node } from "../ir/graph.js";
import type { Tensor, TensorType } from "../ir/types.js";

type Id = number;

export class WorkGraph {
  private readonly nodes = new Map<Id, Node>();
  /** Order key: nodes created by a rewrite sort at the position of the node they replaced. */
  private readonly keys = new Map<Id, readonly [number, number]>();
  private readonly idOf = new Map<Node, Id>();
  private readonly producerIds = new Map<string, Id>();
  /** Readers of each value, by node id, with the number of input slots reading it. */
  private readonly readers = new Map<string, Map<Id, number>>();
  readonly types: Map<string, TensorType>;
  readonly constants: Map<string, Tensor>;
  readonly inputs: readonly string[];
  outputs: string[];
  private readonly nodeNames = new Set<string>();
  private nextId = 0;
  private seq = 0;
  changed = false;

  constructor(readonly source: Graph) {
    this.types = new Map(Object.entries(source.types));
    this.constants = new Map(Object.entries(source.constants));
    this.inputs = source.inputs;
    this.outputs = [...source.outputs];
    source.nodes.forEach((n, k) => this.insert(n, [k, 0]));
  }

  // ---- reading ------------------------------------------------------------------------------

  node(id: Id): Node | undefined {
    return this.nodes.get(id);
  }
  idOfNode(n: Node): Id | undefined {
    return this.idOf.get(n);
  }
  /** Live node ids in their current order. */
  orderedIds(): Id[] {
    return [...this.nodes.keys()].sort((a, b) => this.compareKeys(a, b));
  }
  producer(value: string): Node | undefined {
    const id = this.producerIds.get(value);
    return id === undefined ? undefined : this.nodes.get(id);
  }
  readerIds(value: string): Id[] {
    return [...(this.readers.get(value)?.keys() ?? [])];
  }
  /** Input slots reading the value (a node reading it twice counts twice). */
  readCount(value: string): number {
    let n = 0;
    for (const c of this.readers.get(value)?.values() ?? []) n += c;
    return n;
  }
  isOutput(value: string): boolean {
    return this.outputs.includes(value);
  }
  isInput(value: string): boolean {
    return this.inputs.includes(value);
  }
  /** True when the name is used by any value or node. */
  isTaken(name: string): boolean {
    return this.types.has(name) || this.constants.has(name) || this.producerIds.has(name) || this.readers.has(name);
  }

  /** A value name not used yet: the hint itself, or hint.1, hint.2, ... */
  freshValue(hint: string): string {
    const base = hint || "v";
    if (!this.isTaken(base)) return base;
    for (let k = 1; ; k++) if (!this.isTaken(`${base}.${k}`)) return `${base}.${k}`;
  }
  freshNodeName(hint: string): string {
    const base = hint || "node";
    let name = base;
    for (let k = 1; this.nodeNames.has(name); k++) name = `${base}_${k}`;
    return name;
  }

  // ---- changing -----------------------------------------------------------------------------

  /** Adds a node at the order position `key` (see `keyOf`); returns its id. */
  insert(n: Node, key: readonly [number, number]): Id {
    const id = this.nextId++;
    this.nodes.set(id, n);
    this.idOf.set(n, id);
    this.keys.set(id, key);
    this.nodeNames.add(n.name);
    for (const o of n.outputs) if (o) this.producerIds.set(o, id);
    for (const i of n.inputs) if (i) this.addReader(i, id);
    return id;
  }

  /**
   * Order key for a node created in place of `id` (after the ones already created there);
   * `fallback` is used once `id` itself is gone.
   */
  keyAt(id: Id, fallback?: readonly [number, number]): readonly [number, number] {
    return [(this.keys.get(id) ?? fallback)![0], ++this.seq];
  }

  remove(id: Id): void {
    const n = this.nodes.get(id);
    if (!n) return;
    this.nodes.delete(id);
    this.idOf.delete(n);
    this.keys.delete(id);
    this.nodeNames.delete(n.name);
    for (const o of n.outputs) if (o && this.producerIds.get(o) === id) this.producerIds.delete(o);
    for (const i of n.inputs) if (i) this.dropReader(i, id);
    this.changed = true;
  }

  /** Makes every reader of `from` read `to` instead; returns the ids of the nodes changed. */
  replaceUses(from: string, to: string): Id[] {
    const ids = this.readerIds(from);
    for (const id of ids) {
      const n = this.nodes.get(id)!;
      this.swap(id, { ...n, inputs: n.inputs.map((i) => (i === from ? to : i)) });
    }
    if (ids.length > 0) this.changed = true;
    return ids;
  }

  /** Renames a value produced by a node everywhere (producer output, readers, type). */
  renameValue(from: string, to: string): void {
    const pid = this.producerIds.get(from);
    if (pid !== undefined) {
      const p = this.nodes.get(pid)!;
      // A node named after the value follows it (the text form then needs no @name).
      const name = p.name === from && !this.nodeNames.has(to) ? to : p.name;
      this.swap(pid, { ...p, name, outputs: p.outputs.map((o) => (o === from ? to : o)) });
    }
    this.replaceUses(from, to);
    const t = this.types.get(from);
    if (t) {
      this.types.delete(from);
      this.types.set(to, t);
    }
    const c = this.constants.get(from);
    if (c) {
      this.constants.delete(from);
      this.constants.set(to, c);
    }
    this.outputs = this.outputs.map((o) => (o === from ? to : o));
    this.changed = true;
  }

  renameNode(id: Id, name: string): void {
    const n = this.nodes.get(id);
    if (n && n.name !== name) this.swap(id, { ...n, name });
  }

  private swap(id: Id, next: Node): void {
    const prev = this.nodes.get(id)!;
    const key = this.keys.get(id)!;
    this.nodes.delete(id);
    this.idOf.delete(prev);
    this.nodeNames.delete(prev.name);
    for (const o of prev.outputs) if (o && this.producerIds.get(o) === id) this.producerIds.delete(o);
    for (const i of prev.inputs) if (i) this.dropReader(i, id);
    this.nodes.set(id, next);
    this.idOf.set(next, id);
    this.keys.set(id, key);
    this.nodeNames.add(next.name);
    for (const o of next.outputs) if (o) this.producerIds.set(o, id);
    for (const i of next.inputs) if (i) this.addReader(i, id);
  }

  private addReader(value: string, id: Id): void {
    let m = this.readers.get(value);
    if (!m) this.readers.set(value, (m = new Map()));
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  private dropReader(value: string, id: Id): void {
    const m = this.readers.get(value);
    if (!m) return;
    m.delete(id);
    if (m.size === 0) this.readers.delete(value);
  }

  private compareKeys(a: Id, b: Id): number {
    const ka = this.keys.get(a)!;
    const kb = this.keys.get(b)!;
    return ka[0] - kb[0] || ka[1] - kb[1] || a - b;
  }

  // ---- result -------------------------------------------------------------------------------

  /**
   * The rewritten graph, or the source graph itself when nothing changed. Nodes are put in a
   * topological order that follows the order keys where it can; types of values that no longer
   * exist and constants that nothing reads are dropped.
   */
  toGraph(): Graph {
    if (!this.changed) return this.source;
    const order = this.topologicalOrder();
    const live = new Set<string>([...this.inputs, ...this.outputs]);
    for (const n of order) {
      for (const i of n.inputs) if (i) live.add(i);
      for (const o of n.outputs) if (o) live.add(o);
    }
    const types: Record<string, TensorType> = {};
    for (const [k, t] of this.types) if (live.has(k)) types[k] = t;
    const constants: Record<string, Tensor> = {};
    for (const [k, t] of this.constants) if (live.has(k)) constants[k] = t;
    return updateGraph(this.source, (d) => {
      d.nodes = castDraft(order);
      d.types = castDraft(types);
      d.constants = castDraft(constants);
      d.outputs = [...this.outputs];
    });
  }

  private topologicalOrder(): Node[] {
    const ids = this.orderedIds();
    const done = new Set<Id>();
    const visiting = new Set<Id>();
    const out: Node[] = [];
    const visit = (id: Id): void => {
      if (done.has(id)) return;
      if (visiting.has(id)) throw new Error(`the rewritten graph has a cycle through node ${this.nodes.get(id)!.name}`);
      visiting.add(id);
      const n = this.nodes.get(id)!;
      for (const i of n.inputs) {
        const p = i ? this.producerIds.get(i) : undefined;
        if (p !== undefined) visit(p);
      }
      visiting.delete(id);
      done.add(id);
      out.push(n);
    };
    for (const id of ids) visit(id);
    return out;
  }
}
