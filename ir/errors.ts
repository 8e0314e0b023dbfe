// Errors that reach the user as one clear sentence (no stack trace) with an exit code.
//
// Exit codes follow DESIGN.md: 1 for a bad model or input, 2 for bad usage.

export class NeoncError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = "NeoncError";
  }
}

/** A problem with the model or input data (exit 1). */
export class ModelError extends NeoncError {
  constructor(message: string) {
    super(message, 1);
    this.name = "ModelError";
  }
}

/**
 * An import that stops because an operand neonc needs at import (a Reshape shape, Slice starts,
 * Pad pads...) is computed at run time: `value` names it, so a caller holding the model's input
 * values can find the graph inputs that feed it and bind them (src/adapters/onnx/operand-binding.ts).
 */
export class RunTimeOperandError extends ModelError {
  constructor(message: string, readonly value: string, readonly operand: string, readonly node: string, readonly op: string) {
    super(message);
    this.name = "RunTimeOperandError";
  }
}

/** A problem with how neonc was called (exit 2). */
export class UsageError extends NeoncError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
