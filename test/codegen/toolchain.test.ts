// The toolchain probe behind rigMissing: a rig whose programs exist but cannot build, link or run
// a C program (a cross gcc without its C library, a qemu without the target's loader) is
// reported missing with the failing step's first error line, and the codegen suites skip with it.
// Fake compilers and runners (shell scripts in a temp folder) stand in for broken toolchains.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { rigMissing } from "../../codegen/build.js";
import type { Rig } from "../../codegen/targets.js";
import { firstErrorLine } from "../../codegen/toolchain.js";
import { rigOrSkip } from "./helpers.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-toolchain-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an executable shell script `name` into the temp folder and returns its path. */
function script(name: string, body: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

// What gcc-aarch64-linux-gnu prints without libc6-dev-arm64-cross (the failure).
const NO_LIBC = `echo "In file included from /usr/include/stdio.h:27," >&2
echo "probe.c:2:10: fatal error: bits/libc-header-start.h: No such file or directory" >&2
echo "compilation terminated." >&2
exit 1`;

// Answers --version like a real compiler and logs every call, so a test can count them.
function fakeCc(name: string, onCompile: string): string {
  const log = path.join(dir, `${name}.log`);
  return script(name, `echo "$*" >> ${log}\n[ "$1" = "--version" ] && { echo "${name} 1.0"; exit 0; }\n${onCompile}`);
}

// "Compiles" by writing, at the -o path, a script that prints what the probe program prints.
const WRITES_PROGRAM = `for a; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
printf '#!/bin/sh\\necho probe 3.0\\n' > "$out"; chmod +x "$out"`;

describe("rigMissing probes the toolchain", () => {
  it("reports a compiler that cannot build C as missing, naming its first error line", () => {
    const cc = fakeCc("broken-cc", NO_LIBC);
    const rig: Rig = { mode: "native", cc, cflags: ["-O2"], runPrefix: [] };
    const why = rigMissing(rig);
    expect(why).toBe(`${cc} cannot build a test C program: probe.c:2:10: fatal error: bits/libc-header-start.h: No such file or directory`);
  });

  it("probes a rig once per process", () => {
    const cc = fakeCc("counted-cc", NO_LIBC);
    const rig: Rig = { mode: "native", cc, cflags: [], runPrefix: [] };
    for (let i = 0; i < 5; i++) expect(rigMissing(rig)).toMatch(/cannot build a test C program/);
    const calls = readFileSync(`${cc}.log`, "utf8").trim().split("\n");
    expect(calls.filter((c) => c !== "--version")).toHaveLength(1);
  });

  it("reports a qemu rig whose runner cannot run the program, naming the runner's error", () => {
    const cc = fakeCc("cross-cc", WRITES_PROGRAM);
    const qemu = script("broken-qemu", `[ "$1" = "--version" ] && exit 0\necho "qemu-aarch64: Could not open '/lib/ld-linux-aarch64.so.1': No such file or directory" >&2\nexit 255`);
    const rig: Rig = { mode: "qemu", cc, cflags: ["-march=armv8-a"], runPrefix: [qemu, "-L", dir] };
    expect(rigMissing(rig)).toBe(`${qemu} -L ${dir} cannot run a test program built by ${cc}: qemu-aarch64: Could not open '/lib/ld-linux-aarch64.so.1': No such file or directory`);
  });

  it("counts a rig as present only when the program it built runs and prints the right answer", () => {
    const cc = fakeCc("working-cc", WRITES_PROGRAM);
    const qemu = script("working-qemu", `[ "$1" = "--version" ] && exit 0\nshift 2\nexec "$@"`);
    expect(rigMissing({ mode: "qemu", cc, cflags: [], runPrefix: [qemu, "-L", dir] })).toBeUndefined();
    // The native probe program computes sqrtf(2.25) = 1.5, not 3.0: a wrong answer is a broken rig.
    expect(rigMissing({ mode: "native", cc, cflags: [], runPrefix: [] })).toBe(`a test program built by ${cc} printed "probe 3.0" instead of "probe 1.5"`);
  });
});

describe("the codegen suites skip a broken rig with the reason", () => {
  it("skips with a warning, or fails under NEONC_REQUIRE_TARGETS=1", () => {
    // A gcc first on PATH that cannot build C: the c99 rig must not count as present.
    mkdirSync(path.join(dir, "bin"));
    const gcc = script("bin/gcc", `[ "$1" = "--version" ] && { echo "gcc 0"; exit 0; }\n${NO_LIBC}`);
    const saved = { path: process.env.PATH, require: process.env.NEONC_REQUIRE_TARGETS };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      process.env.PATH = `${path.dirname(gcc)}:${saved.path}`;
      delete process.env.NEONC_REQUIRE_TARGETS;
      expect(rigOrSkip("c99", "native")).toBeUndefined();
      expect(warn).toHaveBeenCalledWith("skipping: codegen tests for c99 (native) cannot run here: gcc cannot build a test C program: probe.c:2:10: fatal error: bits/libc-header-start.h: No such file or directory");
      process.env.NEONC_REQUIRE_TARGETS = "1";
      expect(() => rigOrSkip("c99", "native")).toThrow(/^codegen tests for c99 \(native\) cannot run here: gcc cannot build a test C program: .*bits\/libc-header-start\.h.*NEONC_REQUIRE_TARGETS=1/);
    } finally {
      process.env.PATH = saved.path;
      if (saved.require === undefined) delete process.env.NEONC_REQUIRE_TARGETS;
      else process.env.NEONC_REQUIRE_TARGETS = saved.require;
      warn.mockRestore();
    }
  });
});

describe("firstErrorLine", () => {
  it("picks the linker's reason, not collect2's summary", () => {
    expect(firstErrorLine("/usr/bin/ld: cannot find -lm: No such file or directory\ncollect2: error: ld returned 1 exit status\n")).toBe("/usr/bin/ld: cannot find -lm: No such file or directory");
  });

  it("falls back to the first non-empty line", () => {
    expect(firstErrorLine("\n  Segmentation fault\n")).toBe("Segmentation fault");
  });
});
