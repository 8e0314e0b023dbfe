// The repository's TypeScript sources (not .d.ts, not node_modules, dist or dot folders), as
// repository-relative paths, found by walking the tree: the architecture checks must run on a
// machine without git too (a fresh CI machine given a copy of the clone).
import { readdirSync } from "node:fs";
import path from "node:path";

const SKIP = new Set(["node_modules", "dist"]);

export function sourceTsFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith(".")) walk(rel);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  walk("");
  return out.sort();
}
