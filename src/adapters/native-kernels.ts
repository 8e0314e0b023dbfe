// The fast engine's native kernels (GEMM, depthwise conv forward and input gradient):
// src/runtime/fast/c/native.c (carried as text in src/runtime/fast/native-source.ts, with the
// headers it shares with the WebAssembly build), compiled at first use with this machine's C
// compiler into a Node-API addon and loaded in process. It lives here, above the runtime, because
// it runs a compiler and writes files; the runtime's fast engine only receives the kernels
// (installNativeKernels, called by the library entry point and the CLI).
//
// Why: the WebAssembly kernels are capped by 128-bit SIMD (four float lanes) and copy their
// operands into the module's memory; the native build uses the machine's full vector width
// (-march=native) and reads the typed arrays where they are. Same sums, same bits
// (docs/fast-engine.md): built with -ffp-contract=off and without fast-math.
//
// The addon is cached under os.tmpdir()/neonc-fast-native-UID/ (a folder private to the user: code
// is loaded from it), named by a hash of the source, the flags, the compiler and its version, the
// CPU, Node's ABI and the headers, and written by rename so that concurrent processes never load a
// half-written file. Where there is no C compiler, or the build
// or the load fails, `nativeKernels` returns undefined and says why (`nativeUnavailableReason`):
// the engine then runs the WebAssembly kernels, which compute the same numbers.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { FastKernels, SgemmArgs } from "../../ir/kernels/fast-slots.js";
import { geometryInts } from "../runtime/fast/kernels.js";
import { setNativeKernelsProvider } from "../runtime/fast/index.js";
import { NATIVE_KERNELS_C } from "../runtime/fast/native-source.js";

const FLAGS = ["-O2", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC", "-Wall", "-Werror"];

interface NativeAddon {
  sgemm(...args: SgemmArgs): void;
  depthwiseConv(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, N: number, C: number, mult: number, g: Int32Array): void;
  depthwiseInputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, N: number, C: number, mult: number, g: Int32Array): void;
}

let addon: NativeAddon | undefined | null = null;
let why = "";

/** The C compiler the addon is built with and its version text: $CC, else the first of cc, gcc, clang that runs. */
function compiler(): { cc: string; version: string } | undefined {
  for (const cc of process.env.CC ? [process.env.CC] : ["cc", "gcc", "clang"]) {
    const r = spawnSync(cc, ["--version"], { encoding: "utf8" });
    if (!r.error && r.status === 0) return { cc, version: r.stdout };
  }
  return undefined;
}

/** The folder holding node_api.h: the node-api-headers package, else Node's own include folder. */
function nodeApiHeaders(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("node-api-headers/package.json");
    const dir = path.join(path.dirname(pkg), "include");
    if (existsSync(path.join(dir, "node_api.h"))) return dir;
  } catch {
    // fall through to Node's own headers
  }
  const dir = path.join(path.dirname(process.execPath), "..", "include", "node");
  return existsSync(path.join(dir, "node_api.h")) ? dir : undefined;
}

/**
 * The cache folder, os.tmpdir()/neonc-fast-native-UID, made private to this user (mode 700). Code
 * is loaded from it, so a folder that someone else owns or can write into is refused.
 */
function cacheDir(): string | undefined {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = path.join(os.tmpdir(), `neonc-fast-native-${uid ?? os.userInfo().username}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    why = `the native kernels' cache folder ${dir} is not a private folder of this user`;
    return undefined;
  }
  return dir;
}

/** Builds (or finds in the cache) and loads the addon; undefined with `why` set when it cannot. */
function load(): NativeAddon | undefined {
  const found = compiler();
  if (!found) {
    why = `no C compiler (${process.env.CC || "cc, gcc or clang"}) to build the native kernels`;
    return undefined;
  }
  const { cc, version } = found;
  const headers = nodeApiHeaders();
  if (!headers) {
    why = "node_api.h was not found (package node-api-headers, or Node's include folder)";
    return undefined;
  }
  const key = createHash("sha256")
    .update([NATIVE_KERNELS_C, FLAGS.join(" "), cc, version, os.cpus()[0]?.model ?? "", process.arch, process.versions.napi ?? "", headers].join("\0"))
    .digest("hex").slice(0, 16);
  const dir = cacheDir();
  if (!dir) return undefined;
  const file = path.join(dir, `kernels-${key}.node`);
  if (!existsSync(file)) {
    const work = mkdtempSync(path.join(dir, "build-"));
    try {
      const src = path.join(work, "native.c"), out = path.join(work, "kernels.node");
      writeFileSync(src, NATIVE_KERNELS_C);
      const r = spawnSync(cc, [...FLAGS, `-I${headers}`, src, "-o", out], { encoding: "utf8" });
      if (r.status !== 0) {
        why = `building the native kernels with ${cc} failed: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`;
        return undefined;
      }
      renameSync(out, file);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  try {
    return createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    why = `loading the native kernels failed: ${(e as Error).message.split("\n")[0]}`;
    return undefined;
  }
}

function native(): NativeAddon | undefined {
  if (addon === null) {
    try {
      addon = load();
    } catch (e) {
      // A file-system failure (the cache folder, the rename): the WebAssembly kernels still run.
      why = `the native kernels could not be built: ${(e as Error).message.split("\n")[0]}`;
      addon = undefined;
    }
  }
  return addon;
}

/** The native kernels for the fast-kernel slots, or undefined when the addon cannot be built or loaded here. */
export function nativeKernels(): FastKernels | undefined {
  const a = native();
  if (!a) return undefined;
  return {
    sgemm: (...args) => {
      const [, , M, N, K, alpha, A, , , B, , , , C] = args;
      // Tiny products stay in TypeScript (the call costs more); overlapping C stays there too.
      if (K <= 0 || alpha === 0 || M * N * K < 512 || C.buffer === A.buffer || C.buffer === B.buffer) return false;
      a.sgemm(...args);
      return true;
    },
    depthwiseConvF32: (x, w, b, y, N, C, mult, g) => {
      a.depthwiseConv(x, w, b ?? null, y, N, C, mult, Int32Array.from(geometryInts(g)));
      return true;
    },
    depthwiseInputGradF32: (dy, w, dx, N, C, mult, g) => {
      a.depthwiseInputGrad(dy, w, dx, N, C, mult, Int32Array.from(geometryInts(g)));
      return true;
    },
  };
}

/** Why the native kernels are not available here ("" when they are, or have not been tried). */
export function nativeUnavailableReason(): string {
  native();
  return addon ? "" : why;
}

/** Lets the fast engine use the native kernels where they build (it asks on first use). */
export function installNativeKernels(): void {
  setNativeKernelsProvider(() => ({ kernels: nativeKernels(), why: nativeUnavailableReason() }));
}
