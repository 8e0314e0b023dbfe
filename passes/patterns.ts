// Rewrite patterns: match an op and its producers, build the replacement, and apply a set of
// rules to a fixed point.
//
// A rule is `rule(opType, (node, g) => rewrite | decline(reason))`. `g` is a GraphView (producer,
// users, constants, types) plus `g.rewrite(root)`, a builder whose new values get fresh names and
// types from their op's `infer`. A rule that does not apply says why, like MLIR's
// notifyMatchFailure: it returns `decline(reason)` or calls `ensure(cond, reason)` /
// `g.matchProducer(...)`, which throw the decline; `--explain` prints these reasons per node.
// Returning undefined means "not my pattern" and is not reported.
import type { AttrValue, Attrs, Graph, Node } from "../ir/graph.js";
import { resolveAttrs, type OpDef } from "../ir/op.js";
import { findOp } from "../ir/registry.js";
import { tensorType, typeToString, typesEqual, type Quant, type Tensor, type TensorType } from "../ir/types.js";
import type { PassContext } from "./pass.js";
import { WorkGraph } from "./work-graph.js";

// ---- declining ------------------------------------------------------------------------------

/** A rule's reason for not firing on a node. */
export class Decline {
  constructor(readonly reason: string) {}
}

export function decline(reason: string): Decline {
  return new Decline(reason);
}

/** Declines (by throwing, caught by applyRules) unless `cond` holds. */
export function ensure(cond: unknown, reason: string | (() => string)): asserts cond {
  if (!cond) throw new Decline(typeof reason === "function" ? reason() : reason);
}

// ---- rules ----------------------------------------------------------------------------------

export type RuleResult = Rewrite | Decline | undefined;
export type RuleFn = (node: Node, g: GraphView) => RuleResult;

/**
 * The op types a rule looks at: a list, "*" for every op, or a question about an op type —
 * usually a trait (ir/traits.ts: `isUnaryElementwise`, `isView`...), so that a rule covers every
 * op with the trait, including ops defined after the rule was written.
 */
export type OpMatch = readonly string[] | "*" | ((op: string) => boolean);

export interface Rule {
  readonly name: string;
  readonly ops: OpMatch;
  readonly fn: RuleFn;
}

/** A rewrite rule on nodes of `op` (a type, a list of types, "*", or a test of the op type). */
export function rule(op: string | OpMatch, fn: RuleFn, name?: string): Rule {
  const ops = op === "*" || typeof op === "function" ? op : typeof op === "string" ? [op] : op;
  return { name: name ?? (ops === "*" ? "any-op" : typeof ops === "function" ? ops.name || "op-test" : ops.join("|")), ops, fn };
}

/** Whether a rule looks at nodes of op type `op`. */
export function ruleMatches(r: Rule, op: string): boolean {
  return r.ops === "*" || (typeof r.ops === "function" ? r.ops(op) : r.ops.includes(op));
}

// ---- rewrites -------------------------------------------------------------------------------

export interface NewNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

/** What a rule asks for: replace `root`'s outputs by `results`, adding nodes and constants. */
export interface Rewrite {
  readonly kind: "rewrite";
  readonly root: Node;
  /** One value per output of root ("" for an output nothing reads). Empty: erase a dead root. */
  readonly results: readonly string[];
  readonly nodes: readonly NewNode[];
  readonly constants: ReadonlyMap<string, Tensor>;
  readonly types: ReadonlyMap<string, TensorType>;
  /** Producers folded into the rewrite: erased when nothing reads them any more. */
  readonly absorbed: readonly Node[];
  /** Shown by --explain when the rule fires. */
  readonly note?: string;
  /** New value names that differ from the name asked for (taken at the time), by the name asked for. */
  readonly suffixed?: ReadonlyMap<string, string>;
}

/** Replaces `root`'s outputs by existing values: `replace(mulByOne, x)`. */
export function replace(root: Node, ...results: string[]): Rewrite {
  return { kind: "rewrite", root, results, nodes: [], constants: new Map(), types: new Map(), absorbed: [] };
}

/** Erases a node whose outputs nothing reads. */
export function erase(root: Node): Rewrite {
  return { kind: "rewrite", root, results: [], nodes: [], constants: new Map(), types: new Map(), absorbed: [] };
}

/** Builds a replacement: new constants and op nodes with fresh names and inferred types. */
export class RewriteBuilder {
  private readonly nodes: NewNode[] = [];
  private readonly constants = new Map<string, Tensor>();
  private readonly types = new Map<string, TensorType>();
  private readonly absorbed: Node[] = [];
  private readonly taken = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private note?: string;

  constructor(private readonly view: GraphView, readonly root: Node) {}

  private readonly suffixed = new Map<string, string>();

  private fresh(hint: string): string {
    let name = this.view.work.freshValue(hint);
    for (let k = 1; this.taken.has(name); k++) name = this.view.work.freshValue(`${hint}.${k}`);
    this.taken.add(name);
    if (name !== hint && !this.taken.has(hint)) this.suffixed.set(name, hint);
    return name;
  }

  /** Type of a value of the graph or of this rewrite. */
  type(value: string): TensorType {
    return this.types.get(value) ?? this.view.type(value);
  }

  /**
   * Adds a constant; returns its (fresh) name, based on `hint`. `type` records a quantization
   * annotation along with the tensor's dtype and shape.
   */
  constant(hint: string, t: Tensor, type?: TensorType): string {
    const name = this.fresh(hint);
    this.constants.set(name, t);
    this.types.set(name, type?.quant ? { dtype: t.dtype, shape: t.shape, quant: type.quant } : { dtype: t.dtype, shape: t.shape });
    return name;
  }

  /**
   * Adds a node; returns its output names. Output types come from the op's `infer`; a rewrite
   * that would not type-check declines with infer's message. `quant` gives outputs the
   * quantization annotation infer does not (a node rewritten into another op computing the same
   * quantized values keeps theirs).
   */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, opts: { name?: string; outputs?: readonly string[]; quant?: readonly (Quant | undefined)[] } = {}): string[] {
    const def = findOp(op);
    ensure(def, `op ${op} is not registered`);
    const outHints = opts.outputs ?? [`${this.root.outputs[0] || this.root.name}.${op.toLowerCase()}`];
    const ins = [...inputs];
    while (ins.length > 0 && ins[ins.length - 1] === "") ins.pop();
    const inTypes = ins.map((i) => (i ? this.type(i) : undefined));
    let outTypes: TensorType[];
    try {
      outTypes = def.infer(inTypes, resolveAttrs(def, attrs), {
        numOutputs: outHints.length,
        constant: (k: number) => (ins[k] ? this.constants.get(ins[k]!) ?? this.view.constant(ins[k]!) : undefined),
      });
    } catch (e) {
      throw new Decline(`the new ${op} would not type-check: ${e instanceof Error ? e.message : String(e)}`);
    }
    const outputs = outHints.map((h) => this.fresh(h));
    outputs.forEach((o, k) => {
      const t = outTypes[k];
      ensure(t, `the new ${op} gives no type for output ${k}`);
      const quant = opts.quant?.[k];
      this.types.set(o, quant ? tensorType(t.dtype, t.shape, quant) : t);
    });
    // Without a name the node is named after its output when the rewrite is applied.
    let name = "";
    if (opts.name) {
      // The root's own name is free once the rewrite replaces the root (it is removed first).
      name = opts.name === this.root.name && !this.nodeNames.has(opts.name) ? opts.name : this.view.work.freshNodeName(opts.name);
      for (let k = 1; this.nodeNames.has(name); k++) name = this.view.work.freshNodeName(`${opts.name}_${k}`);
      this.nodeNames.add(name);
    }
    this.nodes.push({ name, op, inputs: ins, outputs, attrs: stripUndefined(attrs) });
    return outputs;
  }

  /** `op` for single-output ops. */
  op1(op: string, inputs: readonly string[], attrs: Attrs = {}, opts: { name?: string; output?: string } = {}): string {
    return this.op(op, inputs, attrs, { name: opts.name, outputs: opts.output ? [opts.output] : undefined })[0]!;
  }

  /** Marks producers folded into the replacement; they are erased when nothing else reads them. */
  absorb(...nodes: Node[]): this {
    this.absorbed.push(...nodes);
    return this;
  }

  /** A note printed by --explain when the rewrite fires. */
  explain(note: string): this {
    this.note = note;
    return this;
  }

  /** The rewrite: root's outputs (in order) become `results`. */
  replaceWith(...results: string[]): Rewrite {
    return {
      kind: "rewrite", root: this.root, results, nodes: this.nodes, constants: this.constants,
      types: this.types, absorbed: this.absorbed, note: this.note, suffixed: this.suffixed,
    };
  }
}

function stripUndefined(attrs: Attrs): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

// ---- the view rules read ---------------------------------------------------------------------

export interface ProducerSpec {
  /** Op type(s) the producer must have. */
  readonly op: string | readonly string[];
  /** The value must be read by exactly one input slot and not be a graph output. */
  readonly singleUse?: boolean;
  /** Inputs (by index) that must be constants. */
  readonly constantInputs?: readonly number[];
  /** Extra condition on the producer: true, or the reason it fails. */
  readonly where?: (node: Node, g: GraphView) => true | string;
}

/** Read access to the graph being rewritten, for rules. */
export class GraphView {
  /** Memo for analyses run by rules (e.g. known shape values); cleared after every rewrite. */
  readonly memo = new Map<string, unknown>();

  constructor(readonly work: WorkGraph) {}

  get inputs(): readonly string[] {
    return this.work.inputs;
  }
  get outputs(): readonly string[] {
    return this.work.outputs;
  }
  producer(value: string): Node | undefined {
    return value ? this.work.producer(value) : undefined;
  }
  /** Nodes reading the value (each once). */
  users(value: string): Node[] {
    return this.work.readerIds(value).map((id) => this.work.node(id)!);
  }
  /** Input slots reading the value, plus one if it is a graph output. */
  useCount(value: string): number {
    return this.work.readCount(value) + (this.work.isOutput(value) ? 1 : 0);
  }
  hasSingleUse(value: string): boolean {
    return this.useCount(value) === 1 && !this.work.isOutput(value);
  }
  isGraphOutput(value: string): boolean {
    return this.work.isOutput(value);
  }
  isGraphInput(value: string): boolean {
    return this.work.isInput(value);
  }
  isConstant(value: string): boolean {
    return value !== "" && this.work.constants.has(value);
  }
  constant(value: string): Tensor | undefined {
    return value ? this.work.constants.get(value) : undefined;
  }
  type(value: string): TensorType {
    const t = this.work.types.get(value);
    if (!t) throw new Error(`value %${value} has no type`);
    return t;
  }
  /** The op definition of a node (undefined for ops nobody registered). */
  def(node: Node): OpDef<any> | undefined {
    return findOp(node.op);
  }
  /** The node's attributes with schema defaults filled in. */
  attrs<A = Record<string, any>>(node: Node): A {
    const def = findOp(node.op);
    return (def ? resolveAttrs(def, node.attrs) : node.attrs) as A;
  }

  /** The producer of `value` if it matches `spec`; otherwise declines saying which condition failed. */
  matchProducer(value: string, spec: ProducerSpec): Node {
    const ops = typeof spec.op === "string" ? [spec.op] : spec.op;
    const want = ops.join(" or ");
    const p = this.producer(value);
    ensure(p, () => (this.isConstant(value) ? `%${value} is a constant, not produced by ${want}` : `%${value} is a graph input, not produced by ${want}`));
    ensure(ops.includes(p.op), () => `%${value} is produced by ${p.op}, not ${want}`);
    if (spec.singleUse) {
      ensure(!this.isGraphOutput(value), () => `%${value} (the ${p.op} output) is a graph output`);
      ensure(this.useCount(value) === 1, () => `%${value} (the ${p.op} output) has ${this.useCount(value)} uses`);
    }
    for (const k of spec.constantInputs ?? []) {
      ensure(this.isConstant(p.inputs[k] ?? ""), () => `input ${k} of ${p.op} ${p.name} is not a constant`);
    }
    if (spec.where) {
      const r = spec.where(p, this);
      ensure(r === true, () => r as string);
    }
    return p;
  }

  /** Starts building a replacement for `root`. */
  rewrite(root: Node): RewriteBuilder {
    return new RewriteBuilder(this, root);
  }
}

// ---- applying rules ---------------------------------------------------------------------------

export interface ApplyOptions {
  readonly ctx?: PassContext<any>;
  /** Upper bound on rewrites before the pass is declared non-terminating (default 50 per node + 1000). */
  readonly maxRewrites?: number;
}

/**
 * Applies rules by worklist until none fires; returns a new graph (or `graph` itself when nothing
 * changed). The first rule (in order) that fires on a node wins; the nodes it creates and the
 * readers of the values it replaced are revisited.
 */
export function applyRules(graph: Graph, rules: readonly Rule[], opts: ApplyOptions = {}): Graph {
  const work = new WorkGraph(graph);
  const view = new GraphView(work);
  // Rules that look at each op type, in the order given (so "*" rules can come first).
  const byOp = new Map<string, Rule[]>();
  const rulesFor = (op: string): Rule[] => {
    let list = byOp.get(op);
    if (!list) byOp.set(op, (list = rules.filter((r) => ruleMatches(r, op))));
    return list;
  };

  const queue: number[] = work.orderedIds();
  const queued = new Set<number>(queue);
  const push = (id: number | undefined) => {
    if (id !== undefined && !queued.has(id)) {
      queued.add(id);
      queue.push(id);
    }
  };
  const limit = opts.maxRewrites ?? 50 * graph.nodes.length + 1000;
  let rewrites = 0;
  const ctx = opts.ctx;

  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    queued.delete(id);
    const node = work.node(id);
    if (!node) continue;
    for (const r of rulesFor(node.op)) {
      let result: RuleResult;
      try {
        result = r.fn(node, view);
      } catch (e) {
        if (!(e instanceof Decline)) throw e;
        result = e;
      }
      if (result === undefined) continue;
      if (result instanceof Decline) {
        if (ctx?.explaining) ctx.explain({ node: node.name, op: node.op, rule: r.name, fired: false, message: result.reason });
        continue;
      }
      const problem = applyRewrite(work, result, push);
      if (problem !== undefined) {
        if (ctx?.explaining) ctx.explain({ node: node.name, op: node.op, rule: r.name, fired: false, message: problem });
        continue;
      }
      view.memo.clear();
      // The rewrite may have been rooted elsewhere (a BatchNormalization rewriting the Conv after
      // it): the matched node, if it survived, is looked at again.
      if (work.node(id)) push(id);
      if (ctx?.explaining) ctx.explain({ node: node.name, op: node.op, rule: r.name, fired: true, message: result.note ?? describeRewrite(result) });
      if (++rewrites > limit) {
        throw new Error(`${ctx ? `pass ${ctx.pass}: ` : ""}rules did not reach a fixed point after ${limit} rewrites (rule ${r.name} keeps firing, last on ${node.op} ${node.name})`);
      }
      break;
    }
  }
  return work.toGraph();
}

function describeRewrite(r: Rewrite): string {
  if (r.results.length === 0) return "erased (nothing reads its outputs)";
  const made = r.nodes.map((n) => n.op);
  const consts = r.constants.size > 0 ? ` and ${r.constants.size} constant${r.constants.size > 1 ? "s" : ""}` : "";
  const by = made.length > 0 ? `a new ${made.join(", ")}${consts}` : r.constants.size > 0 ? `constant ${[...r.constants.keys()].map((c) => `%${c}`).join(", ")}` : r.results.map((v) => `%${v}`).join(", ");
  return `replaced by ${by}`;
}

/**
 * Checks and applies one rewrite to the work graph. Returns undefined on success or the reason
 * it cannot be applied (the rule is then reported as declining).
 */
function applyRewrite(work: WorkGraph, rw: Rewrite, push: (id: number | undefined) => void): string | undefined {
  const root = rw.root;
  // The root may be another node than the one the rule matched (a BatchNormalization rule can
  // rewrite the Conv after it).
  const rootId = work.idOfNode(root);
  if (rootId === undefined) return `the rewrite's root ${root.op} ${root.name} is not in the graph`;
  const outs = root.outputs;
  const created = new Set<string>([...rw.constants.keys(), ...rw.nodes.flatMap((n) => n.outputs)]);

  // Validate before touching anything, so a refused rewrite leaves no trace.
  if (rw.results.length === 0) {
    for (const o of outs) {
      if (o && (work.readCount(o) > 0 || work.isOutput(o))) return `cannot erase: %${o} is still read`;
    }
  } else {
    if (rw.results.length !== outs.length) return `the rewrite gives ${rw.results.length} results for ${outs.length} outputs`;
    for (let k = 0; k < outs.length; k++) {
      const o = outs[k]!;
      const v = rw.results[k]!;
      if (!o) continue;
      if (!v) {
        if (work.readCount(o) > 0 || work.isOutput(o)) return `output %${o} is read but the rewrite gives no replacement`;
        continue;
      }
      if (outs.includes(v) && !created.has(v)) return `the replacement %${v} is an output of the node being replaced`;
      const tv = rw.types.get(v) ?? work.types.get(v);
      if (!tv) return `replacement %${v} has no type`;
      const to = work.types.get(o)!;
      if (!typesEqual(tv, to)) return `the replacement %${v} has type ${typeToString(tv)} but %${o} has ${typeToString(to)}`;
      if (work.isOutput(o) && !created.has(v) && (work.isInput(v) || work.isOutput(v))) {
        return `%${o} is a graph output and its replacement %${v} is a graph ${work.isInput(v) ? "input" : "output"}`;
      }
    }
  }

  const absorbedIds = rw.absorbed.map((n) => work.idOfNode(n));
  const pushProducer = (value: string) => {
    const p = value ? work.producer(value) : undefined;
    if (p) push(work.idOfNode(p));
  };
  // A value the rewrite creates takes the name of the output it replaces, so names stay stable
  // (graph outputs above all) and readers need no change.
  const rename = new Map<string, string>();
  outs.forEach((o, k) => {
    const v = rw.results[k];
    if (o && v && created.has(v) && !rename.has(v)) rename.set(v, o);
  });
  const rn = (x: string) => rename.get(x) ?? x;

  const keyAt = work.keyAt(rootId);
  work.remove(rootId);
  for (const [k, t] of rw.constants) work.constants.set(rn(k), t);
  for (const [k, t] of rw.types) work.types.set(rn(k), t);
  for (const n of rw.nodes) {
    const outputs = n.outputs.map(rn);
    const name = n.name || work.freshNodeName(outputs[0] || root.name);
    push(work.insert({ ...n, name, inputs: n.inputs.map(rn), outputs }, work.keyAt(rootId, keyAt)));
  }

  outs.forEach((o, k) => {
    const v = rw.results[k];
    if (!o) return;
    if (!v) {
      work.types.delete(o);
      return;
    }
    if (rn(v) === o) {
      for (const id of work.readerIds(o)) push(id);
      return;
    }
    for (const id of work.replaceUses(o, v)) push(id);
    work.types.delete(o);
    if (!work.isOutput(o)) return;
    // The graph output keeps its name: an existing constant is aliased (its data is shared), a
    // node's output is renamed.
    if (work.constants.has(v)) {
      work.constants.set(o, work.constants.get(v)!);
      work.types.set(o, work.types.get(v)!);
      return;
    }
    work.renameValue(v, o);
    for (const id of work.readerIds(o)) push(id);
  });

  // Erase what the rewrite left dead: the absorbed producers and, transitively, producers whose
  // last reader was the root (nodes that were dead before are canonicalize's business).
  const dead = (n: Node) => n.outputs.every((o) => !o || (work.readCount(o) === 0 && !work.isOutput(o)));
  const candidates: Node[] = [];
  for (const id of absorbedIds) {
    const n = id === undefined ? undefined : work.node(id);
    if (n) candidates.push(n);
  }
  for (const i of root.inputs) {
    const p = i ? work.producer(i) : undefined;
    if (p) candidates.push(p);
  }
  while (candidates.length > 0) {
    const n = candidates.pop()!;
    const id = work.idOfNode(n);
    if (id === undefined || !dead(n)) continue;
    work.remove(id);
    for (const o of n.outputs) if (o) work.types.delete(o);
    for (const i of n.inputs) {
      const p = i ? work.producer(i) : undefined;
      if (p) candidates.push(p);
    }
  }
  // New values got a suffix when the name they asked for was still held by a node this rewrite
  // erased (MatMul %m folded into a new MatMul became %m.1): give them the name they asked for.
  for (const [name, wanted] of rw.suffixed ?? []) {
    if (rn(name) !== name || work.isTaken(wanted) || !work.types.has(name)) continue;
    work.renameValue(name, wanted);
    const p = work.producer(wanted);
    const pid = p ? work.idOfNode(p) : undefined;
    if (p && pid !== undefined && p.name === name) work.renameNode(pid, work.freshNodeName(wanted));
  }
  // Producers of the root's inputs may have lost their last other reader.
  for (const i of root.inputs) pushProducer(i);
  work.changed = true;
  return undefined;
}
