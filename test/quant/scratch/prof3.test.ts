import { it } from "vitest";
import { qconvAccumulate } from "../../../src/runtime/kernels/qint-conv.js";
import { convFloat } from "../../../src/runtime/kernels/conv.js";
it("prof3", () => {
  const C = 128, M = 128, T = 266, K = 3;
  const x = new Int8Array(C * T).map(() => (Math.random() * 255 - 128) | 0);
  const w = new Int8Array(M * C * K).map(() => (Math.random() * 255 - 128) | 0);
  const xf = Float32Array.from(x), wf = Float32Array.from(w), yf = new Float32Array(M * T);
  const geom = { inShape: [T], kernel: [K], strides: [1], dilations: [1], padBegin: [1], padEnd: [1], outShape: [T] };
  for (let rep = 0; rep < 3; rep++) {
    let t = performance.now();
    for (let r = 0; r < 10; r++) qconvAccumulate(x, w, undefined, { N: 1, C, M, group: 1, geometry: geom, xZeroPoint: -3 });
    const a = (performance.now() - t) / 10;
    t = performance.now();
    for (let r = 0; r < 10; r++) convFloat(xf, wf, undefined, yf, { N: 1, C, M, group: 1, geometry: geom });
    const b = (performance.now() - t) / 10;
    console.log("int", a.toFixed(2), "float", b.toFixed(2));
  }
}, 600000);
