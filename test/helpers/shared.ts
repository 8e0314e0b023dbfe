// Locates ../shared (models, ONNX backend tests, asr-digits) for the suites that need it.
//
// Without ../shared the suites skip with a visible message; with NEONC_REQUIRE_SHARED=1 (as CI
// sets it) a missing folder fails the run instead.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sharedRoot = path.resolve(repoRoot, "../shared");

/** Absolute path of a folder under ../shared, or undefined when it is absent (and allowed to be). */
export function sharedPath(sub: string): string | undefined {
  const p = path.join(sharedRoot, sub);
  if (existsSync(p)) return p;
  if (process.env.NEONC_REQUIRE_SHARED === "1") {
    throw new Error(`NEONC_REQUIRE_SHARED=1 but ${p} does not exist`);
  }
  console.warn(`skipping the suites that need ../shared/${sub}: ${p} does not exist`);
  return undefined;
}
