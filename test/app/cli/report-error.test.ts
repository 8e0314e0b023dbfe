// How thrown errors become the one-line message and exit code (unit level, no process spawned).
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ModelError, UsageError } from "../../../ir/errors.js";
import { describeFailure, oneLine } from "../../../src/app/cli/report-error.js";

describe("describeFailure", () => {
  it("keeps the exit code of neonc's own errors and folds their lines", () => {
    expect(describeFailure(new ModelError("m.onnx: bad\n  node x"))).toMatchObject({ exitCode: 1, message: "m.onnx: bad; node x" });
    expect(describeFailure(new UsageError("no input given"))).toMatchObject({ exitCode: 2, message: "no input given" });
  });

  it("turns commander's errors into exit 2 sentences without the 'error:' prefix", () => {
    const unknown = new CommanderError(1, "commander.unknownOption", "error: unknown option '--jsn'\n(Did you mean --json?)");
    expect(describeFailure(unknown)).toMatchObject({ exitCode: 2, message: "unknown option '--jsn' (did you mean --json?)" });
    const choice = new CommanderError(1, "commander.invalidArgument", "error: option '--engine <engine>' argument 'gpu' is invalid. Allowed choices are interpreter, c.");
    expect(describeFailure(choice).message).toBe("option '--engine <engine>' argument 'gpu' is invalid; allowed choices are interpreter, c");
  });

  it("treats commander's help and version exits as success", () => {
    expect(describeFailure(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toMatchObject({ exitCode: 0, message: "" });
  });

  it("reports file-system errors as exit 1 with the path and the reason", () => {
    const e = Object.assign(new Error("ENOENT: no such file or directory, open 'x.pb'"), { code: "ENOENT", syscall: "open", path: "x.pb" });
    expect(describeFailure(e)).toMatchObject({ exitCode: 1, message: "x.pb: open failed: no such file or directory" });
  });

  it("reports anything else as an internal error to report, exit 1", () => {
    const f = describeFailure(new TypeError("cannot read properties of undefined"));
    expect(f.exitCode).toBe(1);
    expect(f.message).toMatch(/^internal error \(cannot read properties of undefined\); please report it/);
    expect(f.message).not.toContain("\n");
    expect(f.stack).toContain("TypeError");
  });

  it("oneLine joins lines and drops blank ones", () => {
    expect(oneLine("  a\n\n  b  \n")).toBe("a; b");
  });
});
