// What one algorithm of the lower stage is: the algorithm op it makes (an op definition with the
// `implements` trait, ir/ops/lowered) and a rule saying, for a node on a target, whether the
// algorithm applies — declining with the reason when it does not — and why it was chosen when
// it does; `--explain lower` prints both. Adding an algorithm (Winograd, block-sparse) is one
// such rule, one op and one C emitter.
import type { Attrs, Node } from "../../ir/graph.js";
import { getOp } from "../../ir/registry.js";
import type { Target } from "../../ir/target.js";
import { implementedOp } from "../../ir/traits.js";
import { ensure, rule, type GraphView, type Rewrite, type Rule } from "../patterns.js";

/** The lower stage's options, as every rule sees them (lower{winograd=...}, or the winograd pass). */
export interface LowerOptions {
  /** Winograd convolution: off (the default), auto (the cost model picks m), or a fixed output tile m. */
  readonly winograd: "off" | "auto" | "2" | "4" | "6";
}

export const DEFAULT_LOWER_OPTIONS: LowerOptions = { winograd: "off" };

export interface AlgorithmRule {
  /** The algorithm op it makes: a registered op with the `implements` trait. */
  readonly algorithm: string;
  /**
   * Whether the algorithm runs `node` on `target`: declines (ensure) with the reason when it does
   * not; returns why it was chosen, for --explain, and the attributes the algorithm op gets when
   * they differ from the node's (auto_pad resolved into pads, say).
   */
  choose(node: Node, g: GraphView, target: Target, options: LowerOptions): string | { readonly why: string; readonly attrs: Attrs };
  /**
   * The rewrite when it is more than renaming the node (new constants, nodes around it); by
   * default the node becomes the algorithm op with the same operands and attributes.
   */
  rewrite?(node: Node, g: GraphView, target: Target, why: string): Rewrite;
  /**
   * Whether lower tries the rule at all under these options (default: always). An algorithm the
   * user must ask for (Winograd) stays out of `--explain lower` and out of the reasons of a node
   * nothing takes unless it was asked for.
   */
  enabled?(options: LowerOptions): boolean;
}

export function defineAlgorithmRule(r: AlgorithmRule): AlgorithmRule {
  return r;
}

/** The pattern rule of an algorithm for a target (named after the algorithm op). */
export function algorithmPattern(r: AlgorithmRule, target: Target, options: LowerOptions = DEFAULT_LOWER_OPTIONS): Rule {
  const op = implementedOp(r.algorithm);
  if (!op) throw new Error(`lower rule ${r.algorithm}: ${r.algorithm} is not an algorithm op (no 'implements' trait)`);
  getOp(op);
  return rule(op, (node, g) => {
    const chosen = r.choose(node, g, target, options);
    const [why, attrs] = typeof chosen === "string" ? [chosen, node.attrs] : [chosen.why, chosen.attrs];
    return r.rewrite ? r.rewrite(node, g, target, why) : renameTo(r.algorithm, node, g, why, attrs);
  }, r.algorithm);
}

/** The node as algorithm op `algorithm`: same operands, outputs (quantization annotations included) and name, the node's attributes unless given. */
export function renameTo(algorithm: string, node: Node, g: GraphView, why: string, attrs: Attrs = node.attrs): Rewrite {
  const b = g.rewrite(node);
  const quant = node.outputs.map((o) => (o ? g.type(o).quant : undefined));
  const outs = b.op(algorithm, node.inputs, attrs, { name: node.name, outputs: node.outputs, quant });
  return b.explain(why).replaceWith(...outs);
}

/** Declines unless every listed input of `node` is a constant. */
export function ensureConstant(node: Node, g: GraphView, slots: readonly number[], names: readonly string[]): void {
  slots.forEach((k, i) => {
    const v = node.inputs[k];
    // "weights" is the one plural among the operand names the rules use (bias, B, C are not).
    const plural = names[i] === "weights";
    if (v) ensure(g.isConstant(v), `its ${names[i]} ${plural ? "are" : "is"} computed at run time (the C packs ${plural ? "them" : "it"} at compile time)`);
  });
}
