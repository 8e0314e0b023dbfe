// Where the neonc package lives and which version it is, found from this file's location.
//
// The same code runs from src/ (tests, tsx) and from dist/src/ (the installed bin), so the
// package root is found by walking up to the package.json named "neonc" rather than by a
// fixed number of "..".
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface PackageJson {
  name?: string;
  version?: string;
}

let cached: { root: string; json: PackageJson } | undefined;

function findPackage(): { root: string; json: PackageJson } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
      if (json.name === "neonc") return (cached = { root: dir, json });
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the neonc package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Absolute path of the package root (the folder holding package.json). */
export function packageRoot(): string {
  return findPackage().root;
}

export function packageVersion(): string {
  return findPackage().json.version ?? "0.0.0";
}
