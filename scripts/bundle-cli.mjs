// Bundles the compiled CLI (dist/src/app/cli/main.js and the ~750 modules it imports) into one
// file, dist/neonc.mjs, the package's `neonc` executable. Why: Node loads each ES module
// separately, and loading them was most of a command's start-up (0.6 s of CPU for
// `neonc --version`, 0.25 s bundled), paid again by every script that calls neonc in a loop.
// Dependencies stay imports of node_modules (--packages=external); the library entry points
// (dist/src/index.js) are not bundled.
//
//   node scripts/bundle-cli.mjs        (part of npm run build, after tsc)
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const result = await build({
  entryPoints: [path.join(root, "dist/src/app/cli/main.js")],
  outfile: path.join(root, "dist/neonc.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
// A warning (a duplicate case clause, an import that does not exist) is a bug in the sources.
if (result.warnings.length > 0) process.exit(1);
