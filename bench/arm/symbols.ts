// Function symbols of a statically linked ELF (`nm`), so a guest address can be named: the
// per-kernel counts group the executed blocks by the function that holds them. The generated
// kernels are static C functions; GCC may clone one (neonc_gemm_f32.constprop.0) or split off
// its cold part, and such pieces count as the function they came from.
import { spawnSync } from "node:child_process";

export interface FunctionSymbol {
  readonly start: number;
  readonly end: number;
  /** The C function's name, without GCC's clone suffixes. */
  readonly name: string;
}

/** Parses `nm -n -S --defined-only` output into sorted code ranges (text symbols only). */
export function parseNm(text: string): FunctionSymbol[] {
  const out: FunctionSymbol[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) ([tTwWi]) (\S+)$/.exec(line.trim());
    if (!m) continue;
    const start = parseInt(m[1]!, 16);
    const size = parseInt(m[2]!, 16);
    if (size === 0) continue;
    out.push({ start, end: start + size, name: baseName(m[4]!) });
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** neonc_gemm_f32.constprop.0 -> neonc_gemm_f32; memcpy_ifunc stays as it is. */
export function baseName(sym: string): string {
  return sym.replace(/\.(constprop|isra|part|cold|lto_priv|localalias)(\.\d+)*.*$/, "");
}

/** Reads an ELF's function symbols with the target's nm. */
export function readFunctions(nm: string, elf: string): FunctionSymbol[] {
  const r = spawnSync(nm, ["-n", "-S", "--defined-only", elf], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) throw new Error(`${nm} failed on ${elf}: ${r.error?.message ?? r.stderr.trim()}`);
  return parseNm(r.stdout);
}

/** Names addresses by binary search over sorted, non-overlapping symbols (the first of aliases wins). */
export class SymbolTable {
  private readonly syms: FunctionSymbol[];
  constructor(syms: readonly FunctionSymbol[]) {
    this.syms = [];
    for (const s of syms) {
      const last = this.syms[this.syms.length - 1];
      if (last && s.start < last.end) continue;
      this.syms.push(s);
    }
  }

  /** The function holding pc, or a hex label when no symbol covers it. */
  name(pc: number): string {
    let lo = 0;
    let hi = this.syms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.syms[mid]!;
      if (pc < s.start) hi = mid - 1;
      else if (pc >= s.end) lo = mid + 1;
      else return s.name;
    }
    return `0x${pc.toString(16)}`;
  }

  /** Start address of a function by name. */
  address(name: string): number | undefined {
    return this.syms.find((s) => s.name === name)?.start;
  }
}
