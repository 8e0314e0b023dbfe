import { it } from "vitest";
import { qconvAccumulate } from "../../../src/runtime/kernels/qint-conv.js";
import { requantizeChannels } from "../../../src/runtime/kernels/qint-requant.js";
it("prof2", () => {
  const C = 128, M = 128, T = 133, K = 3;
  const x = new Int8Array(C * T).map(() => (Math.random() * 255 - 128) | 0);
  const w = new Int8Array(M * C * K).map(() => (Math.random() * 255 - 128) | 0);
  const geom = { inShape: [T], kernel: [K], strides: [1], dilations: [1], padBegin: [1], padEnd: [1], outShape: [T] };
  const geom1 = { inShape: [T], kernel: [1], strides: [1], dilations: [1], padBegin: [0], padEnd: [0], outShape: [T] };
  for (const [name, g, k] of [["k3", geom, K], ["pw", geom1, 1]] as const) {
    let acc!: Int32Array;
    const ww = w.subarray(0, M * C * k);
    for (let r = 0; r < 5; r++) acc = qconvAccumulate(x, ww, undefined, { N: 1, C, M, group: 1, geometry: g, xZeroPoint: -3 });
    let t = performance.now();
    for (let r = 0; r < 20; r++) acc = qconvAccumulate(x, ww, undefined, { N: 1, C, M, group: 1, geometry: g, xZeroPoint: -3 });
    const ms = (performance.now() - t) / 20;
    console.log(name, "acc ms", ms, "ns/MAC", (ms * 1e6) / (M * C * k * T));
    const out = new Int8Array(acc.length);
    const p = { multiplier: new Array(M).fill(1500000000), shift: new Array(M).fill(-8), rounding: "gemmlowp" as const, zeroPoint: 3, qmin: -128, qmax: 127 };
    for (let r = 0; r < 5; r++) requantizeChannels(acc, out, 1, M, T, p);
    t = performance.now();
    for (let r = 0; r < 20; r++) requantizeChannels(acc, out, 1, M, T, p);
    const rq = (performance.now() - t) / 20;
    console.log("requant ms", rq, "ns/elt", (rq * 1e6) / acc.length, "max acc", Math.max(...acc.map(Math.abs)));
  }
}, 600000);
