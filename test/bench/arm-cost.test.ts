// The ARM cost measure of `npm run bench:arm` (bench/arm/): the block counts from qemu's logs
// on a program whose instruction count is known (a loop of N iterations of 2 instructions, in
// inline assembly, so the compiler cannot change it), regions opened by markers, the node
// markers of a compiled model, and the text handed to and read from llvm-mca (llvm-mca itself
// is a benchmark tool, not installed in CI; its report format is checked on recorded output).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildModel, compileGraph, getTarget, parseGraph, rigFor, rigMissing } from "neonc";
import { armTools } from "../../bench/arm/cores.js";
import { Disassembly, forMca, vfpImmediate } from "../../bench/arm/disasm.js";
import { markedModel, markerName } from "../../bench/arm/markers.js";
import { parseMcaReport, regionsSource } from "../../bench/arm/mca.js";
import { parseNm, readFunctions, SymbolTable } from "../../bench/arm/symbols.js";
import { traceRun, TraceParser } from "../../bench/arm/trace.js";
import { skipOrFail } from "../helpers/skip.js";

const SPIN_C = `#include <stdlib.h>
__attribute__((noipa)) static void mark_a(void) { __asm__ volatile(""); }
__attribute__((noipa)) static void mark_b(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void spin(long n) { __asm__ volatile("1: subs %0, %0, #1\\n bne 1b" : "+r"(n) : : "cc"); }
int main(int argc, char **argv) { long n = argc > 1 ? atol(argv[1]) : 1; mark_a(); spin(n); mark_b(); return 0; }
`;

const tmp = mkdtempSync(path.join(os.tmpdir(), "neonc-armcost-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("TraceParser", () => {
  it("counts executions times block sizes, per region opened by a marker", () => {
    const p = new TraceParser(new Map([[0x500, 0]]));
    const log = [
      "----------------", "IN: main", "0x0000000000400100:  d503201f  nop", "0x0000000000400104:  d503201f  nop", "",
      "Trace 0: 0x7f0000000100 [0000000000000000/0000000000400100/00000001/00000200] main",
      "IN: mark", "0x0000000000000500:  d65f03c0  ret", "",
      "Trace 0: 0x7f0000000200 [0000000000000000/0000000000000500/00000001/00000200] mark",
      "IN: loop", "0x0000000000400200:  f1000400  subs x0, x0, #1", "0x0000000000400204:  54ffffe1  b.ne #0x400200", "0x0000000000400208:  d65f03c0  ret", "",
      "Trace 0: 0x7f0000000300 [0000000000000000/0000000000400200/00000001/00000200] loop",
      "Trace 0: 0x7f0000000300 [0000000000000000/0000000000400200/00000001/00000200] loop",
      "Trace 0: 0x7f0000000100 [0000000000000000/0000000000400100/00000001/00000200] main",
    ];
    for (const l of log) p.line(l);
    const t = p.finish();
    expect(t.blockSize.get(0x400200)).toBe(3);
    expect(t.regions.get(-1)!.instructions).toBe(2);
    expect(t.regions.get(0)!.instructions).toBe(3 + 3 + 2);
    expect(t.regions.get(0)!.execs.get(0x400200)).toBe(2);
    expect(t.markerHits.get(0)).toBe(1);
  });

  it("refuses a block it never saw listed (in_asm off)", () => {
    const p = new TraceParser(new Map());
    expect(() => p.line("Trace 0: 0x7f00 [0000000000000000/0000000000400100/00000001/00000200] ")).toThrow(/never listed/);
  });
});

describe("symbols and llvm-mca text", () => {
  it("names addresses by function, folding GCC's clones into their function", () => {
    const syms = parseNm(["0000000000400100 0000000000000020 T main", "0000000000400120 0000000000000010 t neonc_gemm_f32.constprop.0", "0000000000400200 0000000000000008 D data", "0000000000400130 0000000000000000 t empty"].join("\n"));
    const t = new SymbolTable(syms);
    expect(t.name(0x400104)).toBe("main");
    expect(t.name(0x40012c)).toBe("neonc_gemm_f32");
    expect(t.name(0x400130)).toBe("0x400130");
    expect(t.address("neonc_gemm_f32")).toBe(0x400120);
  });

  it("writes objdump's instructions as LLVM assembler text", () => {
    expect(forMca("b.ne\t4007b0 <spin+0x10>  // b.any", "aarch64", ".Lb0")).toBe("b.ne .Lb0");
    expect(forMca("mov\tx2, #0x0                   \t// #0", "aarch64", ".Lb0")).toBe("mov x2, #0x0");
    expect(forMca("strb.w\tr9, [lr, #1]!", "armv7", ".Lb1")).toBe("strb r9, [lr, #1]!");
    expect(forMca("ble.n\t10358 <main+0x18>", "armv7", ".Lb1")).toBe("ble .Lb1");
    expect(forMca("vmov.f64\td16, #112\t@ 0x3f800000  1.0", "armv7", ".Lb1")).toBe("vmov.f64 d16, #1e+0");
    expect(forMca("vmov.f32\ts15, #4\t@ 0x40200000  2.5", "armv7", ".Lb1")).toBe("vmov.f32 s15, #2.5e+0");
    expect(forMca("vmov.f32\tq8, #2\t@ 0x40000000", "armv7", ".Lb1")).toBe("vmov.f32 q8, #2.0");
    expect(forMca("vmov.f32\tq8, #2.5\t@ 0x40200000", "armv7", ".Lb1")).toBe("vmov.f32 q8, #2.5");
    expect(forMca("vmov.i32\tq8, #0\t@ 0x00000000", "armv7", ".Lb1")).toBe("vmov.i32 q8, #0");
    expect(forMca("vmov.i32\tq1, #-2147483648\t@ 0x80000000", "armv7", ".Lb1")).toBe("vmov.i32 q1, #0x80000000");
  });

  it("decodes every VFP 8-bit immediate to the float its f32 encoding holds", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), (imm8) => {
      // VFPExpandImm for single precision: sign a, exponent NOT(b) bbbbb cd, fraction efgh 0...
      const b = (imm8 >> 6) & 1;
      const bits = ((imm8 >> 7) << 31) | ((b ^ 1) << 30) | ((b ? 0x1f : 0) << 25) | (((imm8 >> 4) & 3) << 23) | ((imm8 & 15) << 19);
      const dv = new DataView(new ArrayBuffer(4));
      dv.setUint32(0, bits >>> 0);
      expect(Number(vfpImmediate(imm8))).toBe(dv.getFloat32(0));
    }), { numRuns: 256 });
  });

  it("maps every line of the regions file to its block and reads llvm-mca's report", () => {
    const src = regionsSource([{ id: 3, label: ".Lb3", lines: ["add x0, x0, #1"] }, { id: 7, label: ".Lb7", lines: ["subs x1, x1, #1", "b.ne .Lb7"] }]);
    expect(src.text.split("\n").slice(0, -1).length).toBe(src.lineBlock.length);
    expect(src.lineBlock).toEqual([3, 3, 3, 3, 7, 7, 7, 7, 7]);
    // Recorded from llvm-mca 14 (-mcpu=cortex-a76 -iterations=100 -instruction-info=false -resource-pressure=false).
    const report = "\n[0] Code Region - b3\n\nIterations:        100\nInstructions:      100\nTotal Cycles:      103\nTotal uOps:        100\n\n[1] Code Region - b7\n\nIterations:        100\nInstructions:      200\nTotal Cycles:      251\n";
    expect([...parseMcaReport(report)]).toEqual([["b3", 1.03], ["b7", 2.51]]);
  });

  it("reads objdump's listing and gives a block's instructions by start address and count", () => {
    const d = Disassembly.parse("00000000004007a0 <spin>:\n  4007a0:\tcmp\tx0, #0x0\n  4007a4:\tb.le\t4007cc <spin+0x2c>\n  4007a8:\tmov\tx2, #0x0\n");
    expect(d.block(0x4007a4, 2)).toEqual(["b.le\t4007cc <spin+0x2c>", "mov\tx2, #0x0"]);
    expect(d.block(0x4007a2, 1)).toBeUndefined();
    expect(d.block(0x4007a8, 2)).toBeUndefined();
  });
});

for (const name of ["aarch64", "armv7"] as const) {
  describe(`counting under qemu (${name})`, () => {
    const target = getTarget(name);
    const rig = rigFor(target, "qemu");
    const tools = armTools(target);
    const missing = () => rigMissing(rig) ?? (spawnSync(tools.nm, ["--version"]).status === 0 ? undefined : `${tools.nm} is missing`);

    it("a loop of N iterations of 2 instructions counts 2N + 1 in its function, and the markers split the run", async (ctx) => {
      const why = missing();
      if (why) return skipOrFail(ctx, `ARM cost tests for ${name} cannot run here: ${why}`, "NEONC_REQUIRE_TARGETS");
      const dir = path.join(tmp, name);
      spawnSync("mkdir", ["-p", dir]);
      writeFileSync(path.join(dir, "spin.c"), SPIN_C);
      const exe = path.join(dir, "spin");
      const cc = spawnSync(rig.cc, [...rig.cflags, "-static", "-o", exe, path.join(dir, "spin.c")], { encoding: "utf8" });
      expect(cc.stderr).toBe("");
      const syms = new SymbolTable(readFunctions(tools.nm, exe));
      const markers = new Map([[syms.address("mark_a")!, 0], [syms.address("mark_b")!, 1]]);
      const spinCount = async (n: number) => {
        const t = await traceRun({ qemu: tools.qemu, args: ["-cpu", tools.qemuCpu, exe, String(n)], markers });
        expect(t.markerHits.get(0)).toBe(1);
        let inSpin = 0;
        for (const [pc, k] of t.regions.get(0)!.execs) if (syms.name(pc) === "spin") inSpin += k * t.blockSize.get(pc)!;
        // Around the call: main's few instructions between the markers.
        expect(t.regions.get(0)!.instructions - inSpin).toBeLessThanOrEqual(8);
        return inSpin;
      };
      expect(await spinCount(1000)).toBe(2 * 1000 + 1);
      expect(await spinCount(3777)).toBe(2 * 3777 + 1);
    });

    it("a compiled model's node markers open one region per node, each passed once", async (ctx) => {
      const why = missing();
      if (why) return skipOrFail(ctx, `ARM cost tests for ${name} cannot run here: ${why}`, "NEONC_REQUIRE_TARGETS");
      const g = parseGraph(`graph @g(%x: f32[1,4,T]) -> (%y) {
  %a = Relu(%x)
  %b = Add(%a, %x)
  %y = Sigmoid(%b)
}`);
      const m = compileGraph(g, { target, maxDims: { T: 256 } });
      const marked = markedModel(m, g.nodes.length);
      expect(marked.files["model.c"]!.match(/neonc_cost_mark_\d+\(\);/g)).toHaveLength(g.nodes.length + 1);
      const b = buildModel(marked, rig, { extraFlags: ["-static"] });
      const syms = new SymbolTable(readFunctions(tools.nm, b.exe));
      const markers = new Map(Array.from({ length: g.nodes.length + 1 }, (_, k) => [syms.address(markerName(k))!, k] as const));
      const input = path.join(tmp, `${name}-x.bin`);
      writeFileSync(input, new Uint8Array(new Float32Array(4 * 200).fill(0.5).buffer));
      const t = await traceRun({ qemu: tools.qemu, args: ["-cpu", tools.qemuCpu, b.exe, "1", "200", input, path.join(tmp, `${name}-y.bin`)], markers });
      for (let k = 0; k <= g.nodes.length; k++) expect(t.markerHits.get(k)).toBe(1);
      // Each node touches 800 values: more than a few hundred instructions, and the sigmoid (expf) the most.
      const per = g.nodes.map((_, i) => t.regions.get(i)!.instructions);
      for (const n of per) expect(n).toBeGreaterThan(100);
      expect(per[2]).toBeGreaterThan(per[0]!);
    });
  });
}
