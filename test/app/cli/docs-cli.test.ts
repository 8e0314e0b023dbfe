// docs/cli.md documents every command and every flag: each command's --help lists its flags,
// and each must appear in docs/cli.md (as `--flag` in backquotes or in a usage block), with a
// section per command.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, neonc, ROOT } from "./helpers.js";

const doc = readFileSync(path.join(ROOT, "docs/cli.md"), "utf8");

/** The commands of `neonc --help`, with the subcommands of a command that has them (`tensor to-raw`). */
function commandsOf(help: string): string[] {
  const at = help.indexOf("\nCommands:\n");
  if (at < 0) return [];
  return [...help.slice(at).matchAll(/^ {2}([a-z-]+)(?: |$)/gm)].map((m) => m[1]!).filter((c) => c !== "help");
}

function commands(): string[] {
  return commandsOf(neonc("--help").stdout).flatMap((c) => [c, ...commandsOf(neonc(c, "--help").stdout).map((s) => `${c} ${s}`)]);
}

/** The long and short flags listed by `neonc COMMAND --help`. */
function flags(command: string): string[] {
  const help = neonc(...command.split(" "), "--help").stdout;
  const options = help.slice(help.indexOf("Options:"), help.indexOf("Commands:") > 0 ? help.indexOf("Commands:") : undefined);
  return [...options.matchAll(/^ {2}(?:(-[A-Za-z]), )?(--[a-z0-9-]+)|^ {2}(-[A-Za-z])\b/gm)].flatMap((m) => [m[1], m[2], m[3]].filter((f): f is string => !!f));
}

describe("docs/cli.md", () => {
  beforeAll(() => ensureBuilt());

  it("has a section for every command", () => {
    const list = commands();
    expect(list).toEqual(expect.arrayContaining(["inspect", "run", "compile", "check", "optimize", "passes", "tensor", "tensor to-raw"]));
    const missing = list.filter((c) => !new RegExp(`^#+ \`neonc ${c}\\b`, "m").test(doc));
    expect(missing).toEqual([]);
  });

  it("mentions every flag of every command", () => {
    const missing: string[] = [];
    for (const c of commands()) {
      for (const f of flags(c)) {
        if (f === "-h" || f === "--help") continue;
        const quoted = new RegExp(`\`${f.replace(/[-]/g, "\\-")}(?![a-z0-9-])`);
        const flag = f === "-O" ? /`-O[01]`|`-O`/ : quoted;
        if (!flag.test(doc)) missing.push(`${c}: ${f}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
