// The op registry: every OpDef by IR name, and the ONNX op types each one imports.
import type { OpDef } from "./op.js";

const byName = new Map<string, OpDef<any>>();
const byOnnx = new Map<string, OpDef<any>>();

export function registerOp(def: OpDef<any>): void {
  if (byName.has(def.name)) throw new Error(`op ${def.name} is defined twice`);
  byName.set(def.name, def);
  for (const t of def.onnxOps ?? [def.name]) byOnnx.set(t, def);
}

/** The definition of an IR op, or undefined. */
export function findOp(name: string): OpDef<any> | undefined {
  return byName.get(name);
}

/** The definition of an IR op; throws when it is unknown. */
export function getOp(name: string): OpDef<any> {
  const d = byName.get(name);
  if (!d) throw new Error(`unknown op ${name}`);
  return d;
}

/**
 * The definition importing an ONNX op type, or undefined. Ops of other domains than the default
 * one ("" or "ai.onnx") are listed in `onnxOps` as "domain:OpType" (e.g. "com.microsoft:QLinearAdd").
 */
export function findOnnxOp(opType: string, domain = ""): OpDef<any> | undefined {
  return byOnnx.get(domain === "" || domain === "ai.onnx" ? opType : `${domain}:${opType}`);
}

export function allOps(): OpDef<any>[] {
  return [...byName.values()];
}

/** How many ops are registered (caches built from the registry check it to stay current). */
export function opCount(): number {
  return byName.size;
}
