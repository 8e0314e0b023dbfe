// The toolchain probe behind rigMissing: a rig whose programs exist but cannot build, link or run
// a C program (a cross gcc without its C library, a qemu without the target's loader) is
// reported missing with the failing step's first error line, and the codegen suites skip with it.
// Fake compilers and runners (shell scripts in a temp folder) stand in for broken toolchains.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance, type RunnerTestSuite } from "vitest";
import { rigMissing } from "../../codegen/build.js";
import type { Rig } from "../../codegen/targets.js";
import { firstErrorLine } from "../../codegen/toolchain.js";
import { itOnRigs, rigHere, rigOrSkip } from "./helpers.js";

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

/** A gcc that cannot build C, in a folder to put first on PATH: the c99 rig must not count as present. */
function brokenGccDir(): string {
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  script("bin/gcc", `[ "$1" = "--version" ] && { echo "gcc 0"; exit 0; }\n${NO_LIBC}`);
  return bin;
}

const BROKEN_C99 = "codegen tests for c99 (native) cannot run here: gcc cannot build a test C program: probe.c:2:10: fatal error: bits/libc-header-start.h: No such file or directory";

// Tests on a broken rig, run with the broken gcc first on PATH; the test after this block checks
// that vitest reports them as skipped with the reason (a test that returns early would pass).
describe("tests on a broken rig", () => {
  const saved = { path: process.env.PATH, require: process.env.NEONC_REQUIRE_TARGETS };
  let warn: MockInstance<typeof console.warn> | undefined;
  beforeAll(() => {
    process.env.PATH = `${brokenGccDir()}:${saved.path}`;
    delete process.env.NEONC_REQUIRE_TARGETS;
    // The skip warnings these tests print are expected here: kept out of the run's output.
    warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterAll(() => {
    process.env.PATH = saved.path;
    if (saved.require !== undefined) process.env.NEONC_REQUIRE_TARGETS = saved.require;
    warn?.mockRestore();
  });
  itOnRigs([["c99", "native"]], () => {
    throw new Error("the body ran on a broken rig");
  }, "made by itOnRigs on");
  it("asking rigOrSkip for c99 (native)", (ctx) => {
    rigOrSkip(ctx, "c99", "native");
    throw new Error("rigOrSkip returned on a broken rig");
  });
});

describe("the codegen suites skip a broken rig with the reason", () => {
  it("reports the tests on a broken rig as skipped, with the reason as the skip note", (ctx) => {
    const suite = ctx.task.file.tasks.find((t) => t.name === "tests on a broken rig") as RunnerTestSuite;
    // vitest keeps a skip's note on the task's result (its reporters print it from there) without
    // declaring the field on TaskResult.
    const note = (t: RunnerTestSuite["tasks"][number]) => (t.result as { note?: string } | undefined)?.note;
    expect(suite.tasks.map((t) => [t.name, t.result?.state, note(t)])).toEqual([
      ["made by itOnRigs on c99 (native)", "skip", BROKEN_C99],
      ["asking rigOrSkip for c99 (native)", "skip", BROKEN_C99],
    ]);
  });

  it("skips with the reason and a warning, or fails under NEONC_REQUIRE_TARGETS=1", () => {
    const bin = brokenGccDir();
    const saved = { path: process.env.PATH, require: process.env.NEONC_REQUIRE_TARGETS };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    // Stands in for vitest's context: its skip() throws, as vitest's does.
    const ctx = { skip: vi.fn((note?: string): never => { throw new Error(`skipped: ${note}`); }) };
    try {
      process.env.PATH = `${bin}:${saved.path}`;
      delete process.env.NEONC_REQUIRE_TARGETS;
      expect(() => rigOrSkip(ctx, "c99", "native")).toThrow(`skipped: ${BROKEN_C99}`);
      expect(warn).toHaveBeenCalledWith(`skipping: ${BROKEN_C99}`);
      process.env.NEONC_REQUIRE_TARGETS = "1";
      ctx.skip.mockClear();
      expect(() => rigOrSkip(ctx, "c99", "native")).toThrow(/^codegen tests for c99 \(native\) cannot run here: gcc cannot build a test C program: .*bits\/libc-header-start\.h.*NEONC_REQUIRE_TARGETS=1/);
      expect(ctx.skip).not.toHaveBeenCalled();
      expect(rigHere("c99", "native")).toBeUndefined();
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
