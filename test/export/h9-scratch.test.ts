import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { it } from "vitest";
import { importOnnxFile, readTensorFile, importOnnxBytes } from "../../src/frontend/onnx/index.js";
import { exportOnnx } from "../../src/export/onnx.js";
import { printGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import { onnx } from "../../src/frontend/onnx/proto.js";
import { runGraph } from "../../src/runtime/interpreter.js";
const root = "/work/shared/onnx-backend-tests";
const T: Record<string, ort.Tensor.Type> = { f32: "float32", f64: "float64", i8: "int8", u8: "uint8", i16: "int16", u16: "uint16", i32: "int32", i64: "int64", bool: "bool", u32: "uint32", u64: "uint64", string: "string", f16: "float16" };
function declaredInputs(model: string): string[] {
  const m = onnx.ModelProto.decode(readFileSync(model));
  const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  return (m.graph?.input ?? []).map((i) => i.name ?? "").filter((n) => !inits.has(n));
}
const text = (g: Graph) => printGraph({ ...g, meta: undefined });
it("backend export", async () => {
  const report: string[] = [];
  let ok = 0;
  for (const name of readdirSync(root).filter((d) => d.startsWith("test_")).sort()) {
    const dir = path.join(root, name);
    const model = path.join(dir, "model.onnx");
    const names = declaredInputs(model);
    const all: Record<string, Tensor> = {};
    names.forEach((n, k) => { const f = path.join(dir, "test_data_set_0", `input_${k}.pb`); if (existsSync(f)) all[n] = readTensorFile(f).tensor; });
    let g: Graph;
    try { g = importOnnxFile(model); } catch {
      const bind = Object.fromEntries(Object.entries(all).filter(([, t]) => t.dtype === "i64" || t.dtype === "i32" || t.shape.length === 0));
      try { g = importOnnxFile(model, { bind }); } catch { continue; }
    }
    let bytes: Uint8Array;
    try { bytes = exportOnnx(g); } catch (e) { report.push(`${name}: EXPORT ${(e as Error).message}`); continue; }
    let same = "";
    try { const b = importOnnxBytes(bytes, name); if (text(b) !== text(g)) same = " IR-DIFF"; } catch (e) { same = ` REIMPORT ${(e as Error).message}`; }
    const inputs: Record<string, Tensor> = {};
    for (const n of g.inputs) inputs[n] = all[n]!;
    try {
      const ours = runGraph(g, inputs);
      const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(inputs)) feeds[k] = new ort.Tensor(T[t.dtype]!, t.data as any, [...t.shape]);
      const out = await s.run(feeds);
      let bad = "";
      for (const o of g.outputs) {
        const a = Array.from(ours[o]!.data as any, Number) as number[]; const b = Array.from(out[o]!.data as any, Number) as number[];
        let err = 0, ref = 0;
        for (let i = 0; i < a.length; i++) { if (!(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) err = Math.max(err, Math.abs(a[i]! - b[i]!)); ref = Math.max(ref, Math.abs(a[i]!)); }
        if (a.length !== b.length || err > 1e-5 * ref + 1e-7) bad += ` ${o}: err ${err} ref ${ref} len ${a.length}/${b.length}`;
      }
      await s.release();
      if (bad || same) report.push(`${name}:${same}${bad}`); else ok++;
    } catch (e) { report.push(`${name}:${same} ORT ${(e as Error).message.slice(0, 200)}`); }
  }
  console.log(`OK ${ok}\n` + report.join("\n"));
}, 300000);
