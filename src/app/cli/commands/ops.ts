// `neonc ops [--markdown]`: the op-coverage table (interpreter, C, int8, gradient per op), as
// docs/op-coverage.md holds it.
import type { Command } from "commander";
import { opCoverageMarkdown, opCoverageText } from "../../../adapters/report/op-coverage.js";
import { loadPassModule } from "../../../adapters/pass-modules.js";

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerOps(program: Command): void {
  program
    .command("ops")
    .summary("list every op with its support: interpreter, C, int8, gradient")
    .option("--markdown", "print the table as Markdown (docs/op-coverage.md)")
    .option("--load <module>", "load a module that registers ops or kernels first (repeatable)", collect)
    .action(async (flags: { markdown?: boolean; load?: string[] }) => {
      for (const file of flags.load ?? []) await loadPassModule(file);
      process.stdout.write(flags.markdown ? opCoverageMarkdown() : opCoverageText());
    });
}
