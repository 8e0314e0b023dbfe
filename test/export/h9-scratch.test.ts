import { it } from "vitest";
import "../../ir/ops/index.js";
import { allOps } from "../../ir/registry.js";
it("list", () => {
for (const d of allOps()) console.log(d.name, JSON.stringify(Object.fromEntries(Object.entries(d.attrs).map(([k,v]:any)=>[k, v.kind+(v.default!==undefined?"="+JSON.stringify(v.default):"")]))), d.onnxOps ? "onnx:"+d.onnxOps.join(",") : "", d.fromOnnx ? "from" : "");
});
