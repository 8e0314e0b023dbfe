// Recurrent layers for the codegen tests (rnn.test.ts): a graph of RNN, GRU and LSTM nodes (float,
// or hybrid with int8 weights) in any form the C frame handles (direction, layout, sequence_lens,
// initial states, weights as graph inputs, a symbolic batch N) and seeded input sets for it.
import { parseGraph, formatTensor } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import { Rng } from "../../src/testing/rng.js";

export type RecurrentOp = "RNN" | "GRU" | "LSTM";
const GATES: Record<RecurrentOp, number> = { RNN: 1, GRU: 3, LSTM: 4 };

export interface LayerSpec {
  readonly op: RecurrentOp;
  readonly I: number;
  readonly H: number;
  /** A static batch, or "N" (symbolic). */
  readonly B: number | "N";
  readonly dir: "forward" | "reverse" | "bidirectional";
  readonly layout: 0 | 1;
  readonly lens: boolean;
  readonly initial: boolean;
  /** W, R and B (and the LSTM's P) are graph inputs instead of constants (float layers only). */
  readonly runtime: boolean;
  /** int8 W and R with per-row scales (HybridRNN/GRU/LSTM). */
  readonly hybrid: boolean;
  /** Extra attributes, e.g. `clip=0.8, activations=["Relu"]` (RNN), `linear_before_reset=1` (GRU). */
  readonly attrs?: string;
  /** LSTM peepholes. */
  readonly peepholes?: boolean;
}

interface Input {
  readonly name: string;
  readonly type: string;
  readonly make: (env: Readonly<Record<string, number>>, r: Rng) => Tensor;
}

function floats(shape: number[], r: Rng, lo: number, hi: number): Tensor {
  const t = makeTensor("f32", shape);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = r.uniform(lo, hi);
  return t;
}

function int8s(shape: number[], r: Rng): Tensor {
  const t = makeTensor("i8", shape);
  const d = t.data as Int8Array;
  for (let i = 0; i < d.length; i++) d[i] = r.int(-127, 127);
  return t;
}

/** One graph holding every layer (prefixed l<k>_), each with its own inputs, and a maker of input sets. */
export function recurrentGraph(specs: readonly LayerSpec[], seed: number): { g: Graph; sets: (env: Record<string, number>[]) => Record<string, Tensor>[] } {
  const r = new Rng(seed);
  const inputs: Input[] = [];
  const body: string[] = [];
  const outputs: string[] = [];
  specs.forEach((s, k) => {
    const p = `l${k}_`, D = s.dir === "bidirectional" ? 2 : 1, G = GATES[s.op] * s.H;
    const bd = (env: Readonly<Record<string, number>>) => (s.B === "N" ? env.N! : s.B);
    const xShape = s.layout === 1 ? `${s.B},T,${s.I}` : `T,${s.B},${s.I}`;
    inputs.push({ name: `${p}x`, type: `f32[${xShape}]`, make: (env, rr) => floats(s.layout === 1 ? [bd(env), env.T!, s.I] : [env.T!, bd(env), s.I], rr, -1.5, 1.5) });
    const weight = (name: string, shape: number[], lo: number, hi: number) => {
      if (s.runtime) {
        inputs.push({ name: `${p}${name}`, type: `f32[${shape.join(",")}]`, make: (_env, rr) => floats(shape, rr, lo, hi) });
      } else body.push(`  %${p}${name} = const ${formatTensor(floats(shape, r, lo, hi))}`);
      return `%${p}${name}`;
    };
    const scale = 1 / Math.sqrt(s.H + s.I);
    let W: string, R: string, scales = "";
    if (s.hybrid) {
      body.push(`  %${p}W = const ${formatTensor(int8s([D, G, s.I], r))}`, `  %${p}R = const ${formatTensor(int8s([D, G, s.H], r))}`);
      const sc = () => `[${Array.from({ length: D * G }, () => ((r.uniform(0.5, 1.5) * scale) / 127).toPrecision(6)).join(", ")}]`;
      scales = `, w_scales=${sc()}, r_scales=${sc()}`;
      W = `%${p}W`;
      R = `%${p}R`;
    } else {
      W = weight("W", [D, G, s.I], -scale, scale);
      R = weight("R", [D, G, s.H], -scale, scale);
    }
    const B = weight("B", [D, 2 * G], -0.3, 0.3);
    let seq = "_";
    if (s.lens) {
      inputs.push({
        name: `${p}s`, type: `i32[${s.B}]`,
        make: (env, rr) => {
          const t = makeTensor("i32", [bd(env)]);
          (t.data as Int32Array).forEach((_, i, d) => { d[i] = rr.int(0, env.T!); });
          return t;
        },
      });
      seq = `%${p}s`;
    }
    const state = (name: string) => {
      if (!s.initial) return "_";
      const shape = s.layout === 1 ? `${s.B},${D},${s.H}` : `${D},${s.B},${s.H}`;
      inputs.push({ name: `${p}${name}`, type: `f32[${shape}]`, make: (env, rr) => floats(s.layout === 1 ? [bd(env), D, s.H] : [D, bd(env), s.H], rr, -1, 1) });
      return `%${p}${name}`;
    };
    const ins = [`%${p}x`, W, R, B, seq, state("h0")];
    const outs = [`%${p}y`, `%${p}yh`];
    if (s.op === "LSTM") {
      ins.push(state("c0"));
      if (s.peepholes) ins.push(weight("P", [D, 3 * s.H], -0.5, 0.5));
      outs.push(`%${p}yc`);
    }
    while (ins[ins.length - 1] === "_") ins.pop();
    const op = s.hybrid ? `Hybrid${s.op}` : s.op;
    const attrs = `hidden_size=${s.H}, direction="${s.dir}", layout=${s.layout}${s.attrs ? `, ${s.attrs}` : ""}${scales}`;
    body.push(`  ${outs.join(", ")} = ${op}(${ins.join(", ")}) {${attrs}}`);
    outputs.push(...outs);
  });
  const g = parseGraph(`graph @recurrent(${inputs.map((i) => `%${i.name}: ${i.type}`).join(", ")}) -> (${outputs.join(", ")}) {
${body.join("\n")}
}`);
  const sets = (envs: Record<string, number>[]) => envs.map((env) => {
    const rr = new Rng(seed + 1 + env.T! * 31 + (env.N ?? 0));
    return Object.fromEntries(inputs.map((i) => [i.name, i.make(env, rr)]));
  });
  return { g, sets };
}
