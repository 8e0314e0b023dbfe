// Turns anything thrown while running a command into the one-line message and exit code the
// user sees (DESIGN.md: one sentence on stderr, exit 1 for a bad model or input, 2 for bad usage).
import { CommanderError } from "commander";
import { NeoncError, errorMessage } from "../../../ir/errors.js";
import { fsReason, isSystemError, oneLine } from "../../adapters/fs-errors.js";

export { fsReason, oneLine };

export interface Failure {
  /** 0 for commander's help/version exits, which are not failures. */
  readonly exitCode: number;
  /** One line, without the `neonc: ` prefix; empty when there is nothing to print. */
  readonly message: string;
  /** Printed only with --debug. */
  readonly stack?: string;
}


/**
 * Commander's messages start with "error: ", may end in a "(Did you mean ...?)" line, and a few
 * hold two sentences ("... is invalid. Allowed choices are ...").
 */
function commanderSentence(message: string): string {
  return message
    .replace(/^error:\s*/, "")
    .trim()
    .replace(/\s*\n\s*\(Did you mean/g, " (did you mean")
    .replace(/\.\s+(Expected|Allowed)\b/g, (_m, w: string) => `; ${w.toLowerCase()}`)
    .replace(/ is invalid\.\s+/g, " is invalid: ")
    .split(/\s*\n\s*/)
    .join("; ")
    .replace(/\.$/, "");
}

export function describeFailure(e: unknown): Failure {
  const stack = e instanceof Error ? e.stack : undefined;
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return { exitCode: 0, message: "" };
    return { exitCode: 2, message: commanderSentence(e.message), stack };
  }
  if (e instanceof NeoncError) return { exitCode: e.exitCode, message: oneLine(e.message), stack };
  if (isSystemError(e)) {
    const what = fsReason(e);
    const where = e.path ? `${e.path}: ` : "";
    const verb = e.syscall ? `${e.syscall} failed: ` : "";
    return { exitCode: 1, message: `${where}${verb}${what}`, stack };
  }
  return {
    exitCode: 1,
    message: `internal error (${oneLine(errorMessage(e))}); please report it, with the output of the same command run with --debug`,
    stack,
  };
}

/** Prints a failure to stderr the way every neonc command does. */
export function printFailure(f: Failure, debug: boolean): void {
  if (f.message) process.stderr.write(`neonc: ${f.message}\n`);
  if (debug && f.stack) process.stderr.write(`${f.stack}\n`);
}
