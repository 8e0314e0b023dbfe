// Turns anything thrown while running a command into the one-line message and exit code the
// user sees (DESIGN.md: one sentence on stderr, exit 1 for a bad model or input, 2 for bad usage).
import { CommanderError } from "commander";
import { NeoncError, errorMessage } from "../errors.js";

export interface Failure {
  /** 0 for commander's help/version exits, which are not failures. */
  readonly exitCode: number;
  /** One line, without the `neonc: ` prefix; empty when there is nothing to print. */
  readonly message: string;
  /** Printed only with --debug. */
  readonly stack?: string;
}

const FS_CODES: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  EEXIST: "already exists",
  EMFILE: "too many open files",
};

interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
}

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as Partial<SystemError>).code === "string" && /^E[A-Z]+$/.test((e as SystemError).code);
}

/** The reason of a file-system error in a few words ("no such file or directory"). */
export function fsReason(e: unknown): string {
  if (isSystemError(e)) return FS_CODES[e.code] ?? oneLine(e.message);
  return oneLine(errorMessage(e));
}

/** Folds a possibly multi-line message into one line. */
export function oneLine(message: string): string {
  return message.trim().split(/\s*\n\s*/).filter(Boolean).join("; ");
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
    const what = FS_CODES[e.code] ?? oneLine(e.message);
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
