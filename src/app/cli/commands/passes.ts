// `neonc passes [--load MODULE]`: lists every registered pass and preset with its options.
import type { Command } from "commander";
import { describePasses } from "../../../../passes/index.js";
import { loadPassModule } from "../../../adapters/pass-modules.js";

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerPasses(program: Command): void {
  program
    .command("passes")
    .summary("list the optimization passes and presets with their options")
    .option("--load <module>", "load user passes from a JavaScript module first (repeatable)", collect)
    .action(async (flags: { load?: string[] }) => {
      for (const file of flags.load ?? []) await loadPassModule(file);
      process.stdout.write(describePasses());
    });
}
