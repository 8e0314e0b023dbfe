// File-system errors in a few words ("no such file or directory"), for the one-sentence messages
// of everything that reads or writes files (adapters, CLI).
import { errorMessage } from "../../ir/errors.js";

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

export function isSystemError(e: unknown): e is SystemError {
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
