// A small FileCheck for golden tests: directives are matched in order against printed IR.
//
//   // CHECK: text        a later line contains text
//   // CHECK-NEXT: text   the line right after the previous match contains text
//   // CHECK-NOT: text    no line between the previous match and the next match (or the end) does
//
// Text matches literally except inside {{...}}, which is a regular expression
// (`%w{{.*}} = const`).

export interface Directive {
  readonly kind: "CHECK" | "CHECK-NEXT" | "CHECK-NOT";
  readonly pattern: string;
  /** 1-based line in the fixture, for messages. */
  readonly line: number;
}

/** The CHECK directives of a fixture, in order. */
export function parseDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  text.split("\n").forEach((l, k) => {
    const m = /^\s*\/\/\s*(CHECK(?:-NEXT|-NOT)?):(.*)$/.exec(l);
    if (m) out.push({ kind: m[1] as Directive["kind"], pattern: m[2]!.trim(), line: k + 1 });
    else if (/^\s*\/\/\s*CHECK/.test(l)) throw new Error(`line ${k + 1}: unknown directive: ${l.trim()}`);
  });
  return out;
}

function toRegExp(pattern: string): RegExp {
  let src = "";
  let i = 0;
  while (i < pattern.length) {
    const open = pattern.indexOf("{{", i);
    if (open < 0) {
      src += escape(pattern.slice(i));
      break;
    }
    const close = pattern.indexOf("}}", open + 2);
    if (close < 0) throw new Error(`unclosed {{ in CHECK pattern "${pattern}"`);
    src += escape(pattern.slice(i, open)) + `(?:${pattern.slice(open + 2, close)})`;
    i = close + 2;
  }
  return new RegExp(src);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Checks `output` against the directives; returns undefined when they all hold, else the first failure. */
export function fileCheck(output: string, directives: readonly Directive[]): string | undefined {
  const lines = output.split("\n");
  let pos = 0; // first line not yet consumed
  let pendingNot: Directive[] = [];
  const notFailure = (from: number, to: number): string | undefined => {
    for (const d of pendingNot) {
      const re = toRegExp(d.pattern);
      for (let k = from; k < to; k++) {
        if (re.test(lines[k]!)) return `CHECK-NOT (fixture line ${d.line}) "${d.pattern}" found on output line ${k + 1}: ${lines[k]}`;
      }
    }
    return undefined;
  };
  for (const d of directives) {
    if (d.kind === "CHECK-NOT") {
      pendingNot.push(d);
      continue;
    }
    const re = toRegExp(d.pattern);
    let found = -1;
    if (d.kind === "CHECK-NEXT") {
      if (pos === 0) return `CHECK-NEXT (fixture line ${d.line}) has no CHECK before it`;
      if (pos < lines.length && re.test(lines[pos]!)) found = pos;
      else return `CHECK-NEXT (fixture line ${d.line}) "${d.pattern}" is not on the next line, which is: ${lines[pos] ?? "<end>"}`;
    } else {
      for (let k = pos; k < lines.length; k++) {
        if (re.test(lines[k]!)) {
          found = k;
          break;
        }
      }
      if (found < 0) return `CHECK (fixture line ${d.line}) "${d.pattern}" not found after output line ${pos}`;
    }
    const bad = notFailure(pos, found);
    if (bad) return bad;
    pendingNot = [];
    pos = found + 1;
  }
  return notFailure(pos, lines.length);
}
