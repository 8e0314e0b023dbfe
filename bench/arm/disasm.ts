// The guest code of a statically linked ELF as text (`objdump -d`), so the instructions of a
// translation block can be handed to llvm-mca: a block is the instructions from its start
// address, as many as qemu counted in it. GNU objdump's syntax is turned into what LLVM's
// assembler reads: comments dropped, and each branch or address target ("7b0 <spin+0x10>")
// replaced by a label the caller defines (llvm-mca times instructions, not where they jump).
import { spawnSync } from "node:child_process";

export type Isa = "aarch64" | "armv7";

export class Disassembly {
  private readonly index = new Map<number, number>();
  private constructor(private readonly addrs: number[], private readonly text: string[]) {
    addrs.forEach((a, i) => this.index.set(a, i));
  }

  /** Parses `objdump -d --no-show-raw-insn` output. */
  static parse(out: string): Disassembly {
    const addrs: number[] = [];
    const text: string[] = [];
    for (const line of out.split("\n")) {
      const m = /^\s+([0-9a-f]+):\t(.+)$/.exec(line);
      if (!m) continue;
      addrs.push(parseInt(m[1]!, 16));
      text.push(m[2]!.trim());
    }
    return new Disassembly(addrs, text);
  }

  static read(objdump: string, elf: string): Disassembly {
    const r = spawnSync(objdump, ["-d", "--no-show-raw-insn", elf], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.error || r.status !== 0) throw new Error(`${objdump} failed on ${elf}: ${r.error?.message ?? r.stderr.trim()}`);
    return Disassembly.parse(r.stdout);
  }

  /** The n instructions from pc, as objdump prints them; undefined when pc starts no instruction. */
  block(pc: number, n: number): string[] | undefined {
    const i = this.index.get(pc);
    if (i === undefined || i + n > this.text.length) return undefined;
    return this.text.slice(i, i + n);
  }
}

/**
 * One objdump instruction as LLVM assembler text, with address targets replaced by `label`.
 * Thumb-2: the width suffixes (.w, .n) go, since LLVM refuses some of them (`strb.w r1, [r2, #1]!`)
 * and picks an encoding itself, and a VFP immediate objdump prints as its 8-bit encoding
 * (`vmov.f64 d0, #112`) is written as the number it encodes (1.0); a NEON one, which objdump prints
 * as its value, gets a decimal point when it is whole (`vmov.f32 q8, #2`), or LLVM refuses it, as it
 * refuses a negative integer one (`vmov.i32 q1, #-2147483648`, written in hex).
 */
export function forMca(insn: string, isa: Isa, label: string): string {
  const comment = isa === "aarch64" ? /\s*\/\/.*$/ : /\s*@.*$/;
  let s = insn.replace(comment, "").replace(/\b[0-9a-f]+ <[^>]*>/g, label).replace(/\t/g, " ").trim();
  if (isa === "armv7") {
    s = s
      .replace(/^(\S+?)\.[wn](?=\s|$)/, "$1")
      .replace(/^(vmov\.f32\s+s\d+,\s*|vmov\.f64\s+d\d+,\s*)#(\d+)$/, (_, head: string, imm: string) => `${head}#${vfpImmediate(Number(imm))}`)
      .replace(/^(vmov\.f32\s+[qd]\d+,\s*#-?\d+)$/, "$1.0")
      .replace(/^(v(?:mov|mvn)\.i32\s+[qd]\d+,\s*)#(-\d+)$/, (_, head: string, imm: string) => `${head}#0x${(Number(imm) >>> 0).toString(16)}`);
  }
  return s;
}

/** The value of a VFP 8-bit floating-point immediate abcdefgh: (-1)^a * 2^(NOT(b)cd - 3) * (16 + efgh) / 16. */
export function vfpImmediate(imm8: number): string {
  const sign = imm8 & 0x80 ? -1 : 1;
  const exp = ((((imm8 >> 6) & 1) ^ 1) << 2 | ((imm8 >> 4) & 3)) - 3;
  return (sign * 2 ** exp * (16 + (imm8 & 15)) / 16).toExponential();
}
