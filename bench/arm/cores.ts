// What the ARM cost measure uses per neonc target: the binutils that read the cross-built ELF,
// and the cores llvm-mca models for it. llvm-mca (LLVM 14) has scheduling models for the
// aarch64 Cortex-A55 (in order, the little core of most phones) and Cortex-A76 (out of order,
// a big core). For 32-bit ARM it has no Cortex-A7, A8 or A53 model (A7 and A8 have only
// itineraries, which llvm-mca does not read; the 32-bit A53 has neither), so armv7 code is
// priced on the Cortex-A9 model (an ARMv7-A core; LLVM gives the A15 the same model) and on the
// Cortex-A57 model running AArch32 code. Thumb-2 is what the armhf GCC emits by default.
// qemu emulates a Cortex-A76 for aarch64 (dot product, no SVE: its default "max" core has SVE,
// and glibc would then pick SVE routines no phone core runs) and a Cortex-A7 for armv7.
import type { Target } from "neonc";
import type { Isa } from "./disasm.js";
import type { McaCore } from "./mca.js";

export interface ArmTools {
  readonly isa: Isa;
  readonly qemu: string;
  readonly sysroot: string;
  /** The core qemu emulates: its features decide which libc routines (memcpy...) the run picks. */
  readonly qemuCpu: string;
  readonly nm: string;
  readonly objdump: string;
  readonly cores: readonly McaCore[];
}

/** The binutils prefix of a cross compiler: aarch64-linux-gnu-gcc -> aarch64-linux-gnu-. */
const prefixOf = (cc: string) => cc.replace(/gcc$/, "");

export function armTools(t: Target): ArmTools {
  if (!t.cross) throw new Error(`target ${t.name} is not an ARM target (the ARM cost measure takes aarch64, aarch64+dotprod or armv7)`);
  const p = prefixOf(t.cross.cc);
  const base = { qemu: t.cross.qemu, sysroot: t.cross.sysroot, nm: `${p}nm`, objdump: `${p}objdump` };
  if (t.arch === "armv7") {
    const triple = "thumbv7a-linux-gnueabihf";
    const mattr = "+neon,+vfp4";
    return { ...base, isa: "armv7", qemuCpu: "cortex-a7", cores: [{ label: "Cortex-A9", triple, cpu: "cortex-a9", mattr }, { label: "Cortex-A57 (AArch32)", triple, cpu: "cortex-a57", mattr }] };
  }
  const triple = "aarch64-linux-gnu";
  const mattr = t.dotprod ? "+dotprod" : undefined;
  return { ...base, isa: "aarch64", qemuCpu: "cortex-a76", cores: [{ label: "Cortex-A55", triple, cpu: "cortex-a55", mattr }, { label: "Cortex-A76", triple, cpu: "cortex-a76", mattr }] };
}

/** llvm-mca's program name: plain, or Debian's versioned one. */
export const MCA_PROGRAMS = ["llvm-mca", "llvm-mca-14"] as const;
