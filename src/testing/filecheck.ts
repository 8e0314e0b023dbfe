// FileCheck for golden tests: directives in a fixture's `//` comments are matched against a
// text (printed IR, a pass log), with the meaning of LLVM's FileCheck:
//
//   // CHECK: text        matches after the previous match (later on its line, or a later line)
//   // CHECK-NEXT: text   matches on the line right after the previous match's line
//   // CHECK-SAME: text   matches on the previous match's line, after it
//   // CHECK-NOT: text    occurs nowhere between the previous match and the next one (or the end)
//   // CHECK-DAG: text    consecutive CHECK-DAG lines match in any order, without overlapping,
//                         between the checks around the group; the next check starts after the
//                         group's last match
//
// Text matches literally except inside {{...}}, a regular expression (`%w{{.*}} = const`), and
// variables: [[NAME:regex]] matches regex and binds NAME to the text it matched; [[NAME]]
// matches exactly the text NAME was last bound to, in this directive or an earlier one. A
// pattern never matches across lines. The prefix is a parameter (`LOG:`, `LOG-NOT:` check a
// pass log in the golden fixtures). A failure is one message naming the directive, its fixture
// line, the variables it used and the output lines it scanned.

export type DirectiveKind = "" | "-NEXT" | "-SAME" | "-NOT" | "-DAG";

export interface Directive {
  /** The prefix (CHECK, LOG...), and the suffix: "" for the plain directive. */
  readonly prefix: string;
  readonly kind: DirectiveKind;
  readonly pattern: string;
  /** 1-based line in the fixture, for messages. */
  readonly line: number;
}

const KINDS: readonly DirectiveKind[] = ["", "-NEXT", "-SAME", "-NOT", "-DAG"];

/** The directives of a fixture with the given prefix, in order. Throws on an unknown suffix. */
export function parseDirectives(text: string, prefix = "CHECK"): Directive[] {
  if (!/^[A-Z][A-Z0-9]*$/.test(prefix)) throw new Error(`FileCheck prefix "${prefix}" must be upper-case letters and digits`);
  const out: Directive[] = [];
  const head = new RegExp(`^\\s*//\\s*${prefix}(?![A-Z0-9])(-[A-Z]+)?(:?)(.*)$`);
  text.split("\n").forEach((l, k) => {
    const m = head.exec(l);
    if (!m) return;
    const kind = (m[1] ?? "") as DirectiveKind;
    if (!KINDS.includes(kind) || m[2] !== ":") {
      throw new Error(`fixture line ${k + 1}: unknown directive "${l.trim()}" (known: ${KINDS.map((s) => `${prefix}${s}:`).join(", ")})`);
    }
    const d: Directive = { prefix, kind, pattern: m[3]!.trim(), line: k + 1 };
    if (d.pattern === "") throw new Error(`fixture line ${k + 1}: ${name(d)} has an empty pattern`);
    compile(d, new Map(), true); // syntax errors surface here, at parse time
    out.push(d);
  });
  return out;
}

/** "CHECK-NEXT (fixture line 12)". */
function name(d: Directive): string {
  return `${d.prefix}${d.kind}`;
}

function where(d: Directive): string {
  return `${name(d)} (fixture line ${d.line}) "${d.pattern}"`;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Compiled {
  readonly re: RegExp;
  /** Variables the pattern binds, in order. */
  readonly defines: readonly string[];
  /** Variables it reads from earlier directives. */
  readonly uses: readonly string[];
}

/**
 * The pattern as a global regular expression (for exec from a column). Variables bound earlier
 * are substituted as literal text; ones bound inside the pattern are named groups.
 */
function compile(d: Directive, vars: ReadonlyMap<string, string>, syntaxOnly = false): Compiled {
  const p = d.pattern;
  let src = "";
  const defines: string[] = [];
  const uses: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${where(d)}: ${why}`);
  };
  while (i < p.length) {
    const regex = p.indexOf("{{", i);
    let variable = p.indexOf("[[", i);
    // In "[[[N]]]" the first "[" is literal text (an IR shape around a variable).
    while (variable >= 0 && p[variable + 2] === "[") variable++;
    const next = [regex, variable].filter((x) => x >= 0);
    if (next.length === 0) {
      src += escape(p.slice(i));
      break;
    }
    const at = Math.min(...next);
    src += escape(p.slice(i, at));
    if (at === regex) {
      const close = p.indexOf("}}", at + 2);
      if (close < 0) fail("has {{ without }}");
      const body = p.slice(at + 2, close);
      checkRegex(body, fail);
      src += `(?:${body})`;
      i = close + 2;
      continue;
    }
    const close = variableEnd(p, at + 2);
    if (close < 0) fail("has [[ without ]]");
    const body = p.slice(at + 2, close);
    const colon = body.indexOf(":");
    if (colon >= 0) {
      const v = body.slice(0, colon), re = body.slice(colon + 1);
      if (!VAR_NAME.test(v)) fail(`[[${body}]] defines "${v}", which is not a variable name (letters, digits, _)`);
      if (d.kind === "-NOT") fail(`${name(d)} cannot define a variable ([[${v}:...]]): nothing it matches is kept`);
      if (defines.includes(v)) fail(`defines [[${v}]] twice`);
      if (re === "") fail(`[[${v}:]] has an empty regular expression`);
      checkRegex(re, fail);
      defines.push(v);
      src += `(?<v_${v}>${re})`;
    } else {
      if (!VAR_NAME.test(body)) fail(`[[${body}]] is not a variable use ([[NAME]]) or definition ([[NAME:regex]])`);
      if (defines.includes(body)) src += `\\k<v_${body}>`;
      else {
        uses.push(body);
        const value = vars.get(body);
        if (value === undefined && !syntaxOnly) fail(`uses [[${body}]], which no earlier directive defined`);
        src += escape(value ?? "");
      }
    }
    i = close + 2;
  }
  let re: RegExp;
  try {
    re = new RegExp(src, "g");
  } catch (e) {
    return fail(`is not a valid pattern: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { re, defines, uses };
}

/** Index of the "]]" closing a variable whose text starts at `from`, skipping [character classes]. */
function variableEnd(p: string, from: number): number {
  let depth = 0;
  for (let k = from; k < p.length; k++) {
    const ch = p[k];
    if (ch === "\\") k++;
    else if (ch === "[") depth++;
    else if (ch === "]") {
      if (depth > 0) depth--;
      else if (p[k + 1] === "]") return k;
    }
  }
  return -1;
}

function checkRegex(body: string, fail: (why: string) => never): void {
  try {
    new RegExp(body);
  } catch (e) {
    fail(`has an invalid regular expression "${body}": ${e instanceof Error ? e.message : String(e)}`);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A position in the output: 0-based line and column. */
interface Pos {
  readonly line: number;
  readonly col: number;
}

interface Match {
  readonly start: Pos;
  readonly end: Pos;
  readonly groups: Readonly<Record<string, string>>;
}

const before = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.col < b.col);
const atOrBefore = (a: Pos, b: Pos) => !before(b, a);

class Failure extends Error {}

/**
 * Checks `output` against the directives; returns undefined when they all hold, else a message
 * about the first that fails.
 */
export function fileCheck(output: string, directives: readonly Directive[]): string | undefined {
  try {
    new Checker(output.split("\n")).run(directives);
    return undefined;
  } catch (e) {
    if (e instanceof Failure) return e.message;
    throw e;
  }
}

class Checker {
  private readonly vars = new Map<string, string>();
  /** End of the previous match; undefined before the first. */
  private prev: Match | undefined;

  constructor(private readonly lines: readonly string[]) {}

  run(directives: readonly Directive[]): void {
    let pendingNot: Directive[] = [];
    for (let k = 0; k < directives.length;) {
      const d = directives[k]!;
      if (d.kind === "-NOT") {
        pendingNot.push(d);
        k++;
        continue;
      }
      if (d.kind === "-DAG") {
        let j = k;
        while (j < directives.length && directives[j]!.kind === "-DAG") j++;
        const group = directives.slice(k, j);
        const matches = this.dag(group);
        const first = matches.reduce((a, m) => (before(m.start, a) ? m.start : a), matches[0]!.start);
        this.checkNot(pendingNot, first, `before the CHECK-DAG group at fixture line ${d.line}`);
        pendingNot = [];
        this.prev = matches.reduce((a, m) => (before(a.end, m.end) ? m : a));
        this.afterDag = true;
        k = j;
        continue;
      }
      const m = this.ordered(d);
      this.checkNot(pendingNot, m.start, `before the match of ${where(d)} on output line ${m.start.line + 1}`);
      pendingNot = [];
      this.bind(m);
      this.prev = m;
      this.afterDag = false;
      k++;
    }
    this.checkNot(pendingNot, { line: this.lines.length - 1, col: this.lines[this.lines.length - 1]!.length }, "up to the end of the output");
  }

  private afterDag = false;

  private start(): Pos {
    return this.prev ? this.prev.end : { line: 0, col: 0 };
  }

  private bind(m: Match): void {
    for (const [k, v] of Object.entries(m.groups)) this.vars.set(k, v);
  }

  /** The first match of `c` in [from, to), by lines; per line from `col` on the first. */
  private find(c: Compiled, from: Pos, to?: Pos, accept: (m: Match) => boolean = () => true): Match | undefined {
    const last = to ? to.line : this.lines.length - 1;
    for (let line = from.line; line <= last; line++) {
      const text = this.lines[line]!;
      c.re.lastIndex = line === from.line ? from.col : 0;
      for (let r = c.re.exec(text); r; r = c.re.exec(text)) {
        const m: Match = { start: { line, col: r.index }, end: { line, col: r.index + r[0].length }, groups: groupsOf(r) };
        if (to && !atOrBefore(m.end, to)) return undefined;
        if (accept(m)) return m;
        // Try the next start on this line (a DAG match may overlap an earlier one).
        c.re.lastIndex = r.index + 1;
        if (r.index + 1 > text.length) break;
      }
    }
    return undefined;
  }

  private compile(d: Directive): Compiled {
    try {
      return compile(d, this.vars);
    } catch (e) {
      throw new Failure(e instanceof Error ? e.message : String(e));
    }
  }

  private ordered(d: Directive): Match {
    const c = this.compile(d);
    const from = this.start();
    if (d.kind === "-NEXT" || d.kind === "-SAME") {
      if (!this.prev) throw new Failure(`${where(d)} has no match before it to follow`);
      if (this.afterDag) throw new Failure(`${where(d)} follows a CHECK-DAG group, whose last match is not a line to continue from; put a CHECK first`);
    }
    if (d.kind === "-SAME") {
      const m = this.find(c, from, { line: from.line, col: this.lines[from.line]!.length });
      if (!m) this.fail(d, c, from, from.line, `is not on the same line as the previous match, after it`);
      return m!;
    }
    if (d.kind === "-NEXT") {
      const line = from.line + 1;
      if (line >= this.lines.length) this.fail(d, c, from, from.line, "has no next line: the output ends");
      const m = this.find(c, { line, col: 0 }, { line, col: this.lines[line]!.length });
      if (!m) this.fail(d, c, { line, col: 0 }, line, `is not on the next line (output line ${line + 1})`);
      return m!;
    }
    const m = this.find(c, from);
    if (!m) this.fail(d, c, from, this.lines.length - 1, "not found");
    return m!;
  }

  /** Matches a CHECK-DAG group: each directive at its first match not overlapping earlier ones. */
  private dag(group: readonly Directive[]): Match[] {
    const from = this.start();
    const taken: Match[] = [];
    for (const d of group) {
      const c = this.compile(d);
      const overlaps = (m: Match) => taken.some((t) => before(m.start, t.end) && before(t.start, m.end));
      const m = this.find(c, from, undefined, (x) => !overlaps(x));
      if (!m) this.fail(d, c, from, this.lines.length - 1, taken.length > 0 ? "not found (apart from the group's other matches)" : "not found");
      this.bind(m!);
      taken.push(m!);
    }
    return taken;
  }

  /** Fails when one of the CHECK-NOT patterns occurs between the previous match and `to`. */
  private checkNot(nots: readonly Directive[], to: Pos, what: string): void {
    const from = this.start();
    for (const d of nots) {
      const c = this.compile(d);
      const m = this.find(c, from, to);
      if (m) {
        throw new Failure(`${where(d)} occurs on output line ${m.start.line + 1}, ${what}${usedVars(c, this.vars)}:\n${excerpt(this.lines, m.start.line, m.start.line)}`);
      }
    }
  }

  private fail(d: Directive, c: Compiled, from: Pos, toLine: number, why: string): never {
    const scanned = from.line === toLine
      ? `scanned output line ${from.line + 1}${from.col > 0 ? ` from column ${from.col + 1}` : ""}`
      : `scanned output lines ${from.line + 1}-${toLine + 1}${from.col > 0 ? ` (the first from column ${from.col + 1})` : ""}`;
    throw new Failure(`${where(d)} ${why}; ${scanned}${usedVars(c, this.vars)}:\n${excerpt(this.lines, from.line, toLine)}`);
  }
}

function groupsOf(r: RegExpExecArray): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.groups ?? {})) if (v !== undefined) out[k.slice(2)] = v;
  return out;
}

function usedVars(c: Compiled, vars: ReadonlyMap<string, string>): string {
  if (c.uses.length === 0) return "";
  return ` (with ${[...new Set(c.uses)].map((v) => `[[${v}]] = "${vars.get(v)}"`).join(", ")})`;
}

/** Output lines from..to (0-based), numbered, long lines and long ranges shortened. */
function excerpt(lines: readonly string[], from: number, to: number): string {
  const MAX_LINES = 24, MAX_CHARS = 160;
  const show = (k: number) => {
    const l = lines[k] ?? "";
    return `  ${String(k + 1).padStart(4)} | ${l.length > MAX_CHARS ? `${l.slice(0, MAX_CHARS)}…` : l}`;
  };
  const out: string[] = [];
  if (to - from + 1 <= MAX_LINES) {
    for (let k = from; k <= to; k++) out.push(show(k));
  } else {
    for (let k = from; k < from + MAX_LINES / 2; k++) out.push(show(k));
    out.push(`       … ${to - from + 1 - MAX_LINES} more lines …`);
    for (let k = to - MAX_LINES / 2 + 1; k <= to; k++) out.push(show(k));
  }
  return out.join("\n");
}
