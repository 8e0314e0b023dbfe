// Loads modules of user passes (`--load ./my-pass.js` or `./my-pass.ts`, `loadPassModule` in the
// library) and registers the passes they export. This is the one place neonc imports user code
// from a file, which is why it sits with the adapters, above the pass manager (passes read no
// files). JavaScript is imported by Node itself; TypeScript, which Node 20 cannot import, goes
// through tsx's tsImport (esbuild), scoped to that one import so nothing else changes. A module
// that imports "neonc" gets this same running copy of the library (the package's exports).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { errorMessage, UsageError } from "../../ir/errors.js";
import type { Pass } from "../../passes/pass.js";
import { allPasses, registerPass } from "../../passes/registry.js";

function isPass(v: unknown): v is Pass {
  if (v === null || typeof v !== "object") return false;
  const p = v as Partial<Pass>;
  return typeof p.name === "string" && typeof p.doc === "string" && typeof p.run === "function" && typeof p.options === "object";
}

/**
 * Loads a module of user passes (`--load ./my-pass.js`). Every exported pass (default or named
 * export, or an array of passes) is registered; a module may also call registerPass itself.
 * Returns the names of the passes it provided.
 */
export async function loadPassModule(file: string): Promise<string[]> {
  const before = new Set(allPasses().map((p) => p.name));
  let mod: Record<string, unknown>;
  const url = pathToFileURL(path.resolve(file)).href;
  try {
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      // Node cannot import .ts (and runtimes that can, like the test runner's, never get here).
      if ((e as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw e;
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new UsageError(`--load ${file}: cannot load the module (${errorMessage(e)})`);
  }
  const names = new Set<string>();
  for (const v of Object.values(mod)) {
    for (const p of Array.isArray(v) ? v : [v]) {
      if (!isPass(p)) continue;
      try {
        registerPass(p);
      } catch (e) {
        throw new UsageError(`--load ${file}: ${errorMessage(e)}`);
      }
      names.add(p.name);
    }
  }
  for (const p of allPasses()) if (!before.has(p.name)) names.add(p.name);
  if (names.size === 0) throw new UsageError(`--load ${file}: the module defines no pass (export one made with definePass)`);
  return [...names];
}
