// Reading position over IR text for the recursive-descent parser: whitespace and `//` comments
// are skipped between tokens, and every error carries the line and column where it was found.

/** A syntax error in IR text, located by 1-based line and column. */
export class IrTextError extends Error {
  constructor(readonly line: number, readonly column: number, readonly detail: string) {
    super(`${line}:${column}: ${detail}`);
    this.name = "IrTextError";
  }
}

export class Cursor {
  pos = 0;

  constructor(readonly text: string) {}

  /** Skips blanks, newlines and comments; returns the position of the next token. */
  skip(): number {
    const s = this.text;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else if (c === 47 && s.charCodeAt(this.pos + 1) === 47) {
        const nl = s.indexOf("\n", this.pos);
        this.pos = nl < 0 ? s.length : nl + 1;
      } else return this.pos;
    }
  }

  atEnd(): boolean {
    return this.skip() >= this.text.length;
  }

  /** The next character after blanks ("" at the end). */
  peek(): string {
    this.skip();
    return this.text[this.pos] ?? "";
  }

  /** Consumes `s` when the next token starts with it. */
  eat(s: string): boolean {
    this.skip();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, context?: string): void {
    if (!this.eat(s)) this.fail(`expected "${s}"${context ? ` ${context}` : ""}, found ${this.describeNext()}`);
  }

  /** Consumes a match of a sticky regular expression at the next token, if any. */
  match(re: RegExp): string | undefined {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** A bare identifier: letters, digits, `_` and `.`, not starting with a digit or `.`. */
  ident(): string | undefined {
    return this.match(/[A-Za-z_][A-Za-z0-9_.]*/y);
  }

  /** Whether a double-quoted string starts here. */
  atString(): boolean {
    return this.peek() === '"';
  }

  /** A double-quoted string with JSON escapes. */
  string(): string {
    const start = this.skip();
    if (this.text[start] !== '"') this.fail(`expected a quoted string, found ${this.describeNext()}`);
    let i = start + 1;
    const s = this.text;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === "\n") break;
      i += s[i] === "\\" ? 2 : 1;
    }
    if (s[i] !== '"') this.fail("unterminated string", start);
    let v: unknown;
    try {
      v = JSON.parse(s.slice(start, i + 1));
    } catch {
      this.fail(`bad escape in string ${s.slice(start, i + 1)}`, start);
    }
    this.pos = i + 1;
    return v as string;
  }

  /**
   * Raw text up to the next `,` or one of `closers` outside parentheses (used for dim
   * expressions, which have their own parser). Returns the trimmed text and its start.
   */
  rawUntil(closers: string): { text: string; at: number } {
    const at = this.skip();
    let depth = 0;
    let i = at;
    const s = this.text;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === "\n") break;
      if (c === "(") depth++;
      else if (c === ")") {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (c === "," || closers.includes(c))) break;
    }
    this.pos = i;
    return { text: s.slice(at, i).trim(), at };
  }

  /** Line and column (1-based) of a position. */
  location(pos: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: pos - lineStart + 1 };
  }

  fail(message: string, pos: number = this.skip()): never {
    const { line, column } = this.location(pos);
    throw new IrTextError(line, column, message);
  }

  /** A short description of the next token for error messages. */
  describeNext(): string {
    const p = this.skip();
    if (p >= this.text.length) return "the end of the text";
    const m = /[A-Za-z0-9_.]+|\S/y;
    m.lastIndex = p;
    const tok = m.exec(this.text)?.[0] ?? this.text[p]!;
    return `"${tok}"`;
  }
}
