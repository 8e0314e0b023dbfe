// Spelling of the IR text's atoms: numbers that parse back to the identical value, quoted
// strings, value names (`%x`, `%"onnx::Conv_12"`), and bare-or-quoted identifiers.
import type { Cursor } from "./cursor.js";

/**
 * Shortest decimal that parses back to exactly `x` (JavaScript's own number-to-string is the
 * shortest round-trip form); -0, NaN and the infinities get spellings of their own.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/** Like formatNumber, but a whole number gets ".0" so a float reads as one. */
export function formatFloat(x: number): string {
  const s = formatNumber(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** Shortest decimal whose float32 rounding is `x` (x must be a float32 value). */
export function formatF32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatNumber(x);
  for (let p = 1; p < 9; p++) {
    const v = Number(x.toPrecision(p));
    if (Math.fround(v) === x) return String(v);
  }
  return String(Number(x.toPrecision(9)));
}

const NUMBER = /-?0[xX][0-9a-fA-F]+|-?(?:inf|nan)(?![A-Za-z0-9_.])|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

/** Text of a number literal at the cursor, or undefined when none starts here. */
export function matchNumber(c: Cursor): string | undefined {
  return c.match(NUMBER);
}

/** Value of a number literal's text (hex literals are integers). */
export function numberValue(text: string): number {
  const neg = text.startsWith("-");
  const body = neg ? text.slice(1) : text;
  let v: number;
  if (body === "inf") v = Infinity;
  else if (body === "nan") v = NaN;
  else v = Number(body);
  return neg ? -v : v;
}

/** Whether a literal's text was written as a float (decimal point, exponent, inf, nan). */
export function looksFloat(text: string): boolean {
  return !/^-?0[xX]/.test(text) && /[.eEn]/.test(text);
}

/** A number literal; fails with a message naming `what` when there is none. */
export function parseNumber(c: Cursor, what: string): number {
  const t = matchNumber(c);
  if (t === undefined) c.fail(`expected ${what}, found ${c.describeNext()}`);
  return numberValue(t);
}

/** An integer literal. */
export function parseInteger(c: Cursor, what: string): number {
  const at = c.skip();
  const v = parseNumber(c, what);
  if (!Number.isInteger(v)) c.fail(`expected ${what} (an integer), found ${formatNumber(v)}`, at);
  return v;
}

export function quote(s: string): string {
  return JSON.stringify(s);
}

const VALUE_NAME = /^[A-Za-z0-9_.]+$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OP_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Words that begin statements; an op spelled like one is quoted. */
const RESERVED = new Set(["_", "const", "graph", "meta"]);

/** `%name`, quoted when the name has other characters than letters, digits, `_` and `.`. */
export function formatValueName(name: string): string {
  return VALUE_NAME.test(name) ? `%${name}` : `%${quote(name)}`;
}

/** `@name` of a graph, quoted like value names. */
export function formatGraphName(name: string): string {
  return VALUE_NAME.test(name) ? `@${name}` : `@${quote(name)}`;
}

/** Attribute names and meta keys: bare identifiers or quoted strings. */
export function formatKey(key: string): string {
  return IDENT.test(key) ? key : quote(key);
}

export function formatOpName(op: string): string {
  return OP_NAME.test(op) && !RESERVED.has(op) ? op : quote(op);
}

/** The name after a sigil (`%` or `@`) that has already been consumed. */
export function parseSigilName(c: Cursor, what: string): string {
  if (c.atString()) return c.string();
  const n = c.match(/[A-Za-z0-9_.]+/y);
  if (n === undefined) c.fail(`expected ${what}, found ${c.describeNext()}`);
  return n;
}

/** `%name`; fails when the next token is not a value name. */
export function parseValueName(c: Cursor): string {
  c.expect("%", "before a value name");
  return parseSigilName(c, "a value name");
}

/** A bare identifier or a quoted string (attribute names, meta keys, op names). */
export function parseKey(c: Cursor, what: string): string {
  if (c.atString()) return c.string();
  const id = c.ident();
  if (id === undefined) c.fail(`expected ${what}, found ${c.describeNext()}`);
  return id;
}
