// The neonc command line: global options, the commands, and the mapping of every failure to
// one line on stderr and an exit code (0 ok, 1 bad model or input, 2 bad usage).
import { Command } from "commander";
import { UsageError } from "../../../ir/errors.js";
import { registerCheck } from "./commands/check.js";
import { registerCompile } from "./commands/compile.js";
import { registerInspect } from "./commands/inspect.js";
import { registerRun } from "./commands/run.js";
import { registerOptimize } from "./commands/optimize.js";
import { registerPasses } from "./commands/passes.js";
import { registerOps } from "./commands/ops.js";
import { registerTensor } from "./commands/tensor.js";
import { packageVersion } from "../../adapters/package-info.js";
import { describeFailure, printFailure } from "./report-error.js";
import { installNativeKernels } from "../../adapters/native-kernels.js";

export function createProgram(): Command {
  const program = new Command("neonc")
    .description("Compile ONNX speech models to small integer-only C; inspect and run them on the way.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--debug", "print stack traces of errors")
    .showSuggestionAfterError(true)
    // Errors are printed by runCli in neonc's one-line style, so commander only throws them.
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  // Subcommands made with .command() inherit the output settings and exitOverride above.
  registerInspect(program);
  registerRun(program);
  registerCompile(program);
  registerCheck(program);
  registerOptimize(program);
  registerPasses(program);
  registerOps(program);
  registerTensor(program);
  return program;
}

/** Runs the command line `args` (without node and script) and returns the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  const debug = args.includes("--debug");
  installNativeKernels();
  try {
    if (!args.some((a) => !a.startsWith("-")) && !args.some((a) => ["-h", "--help", "-V", "--version"].includes(a))) {
      throw new UsageError("no command given; run neonc --help to see the commands");
    }
    const program = createProgram();
    // `neonc help NAME` for an unknown NAME would print the whole help to stderr; say it in one line.
    const names = program.commands.map((c) => c.name());
    if (args[0] === "help" && args[1] !== undefined && !args[1].startsWith("-") && !names.includes(args[1])) {
      throw new UsageError(`unknown command '${args[1]}' (the commands are ${names.filter((n) => n !== "help").join(", ")})`);
    }
    await program.parseAsync([...args], { from: "user" });
    return 0;
  } catch (e) {
    const failure = describeFailure(e);
    printFailure(failure, debug);
    return failure.exitCode;
  }
}
