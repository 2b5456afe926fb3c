// Words and quoting: one word's source text → its parts (literal text with its quoting,
// parameter expansions, command substitutions, arithmetic), read as the shell reads it
// (XCU 2.2 Quoting, 2.6 Word Expansions).
//
// tree-sitter-bash gives the span of each word, but not always its inside: it splits
// `gid=$G,mode=$M,p=0` after `mode=`, leaving `$M` as a literal `$` and a word `M,p=0`
// (so `$M` reached the mount unexpanded). Its word nodes are therefore only used for
// where a word starts and ends; this module reads the text between.

import type { ParamOp, ParamPart, Word, WordPart } from '../ast.ts';

/** What the target shell accepts inside a word. */
export interface WordSyntax {
  /** $'…' (bash, mksh, busybox ash; dash reads `$` then '…'). */
  readonly ansiC: boolean;
  /** $"…" (bash; elsewhere `$` then "…"). */
  readonly localeStrings: boolean;
  /** Inside "${x:-…}", '…' still hides a `}` (bash; dash, mksh and busybox ash end the ${ at the first `}`). */
  readonly quotesInBraces: boolean;
}

export const BASH_WORDS: WordSyntax = { ansiC: true, localeStrings: true, quotesInBraces: true };

const C_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '?': '?', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v',
};
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL = '@*#?$!-';

/** Collects a word's parts; adjacent literal text with the same quoting is one part. */
export class Parts {
  readonly parts: WordPart[] = [];
  private buf = '';
  private quoted = false;
  private pending = false;
  /** How many pieces were added (to tell an empty "" from one that held an expansion). */
  size = 0;

  lit(value: string, quoted: boolean): void {
    this.size++;
    if (this.pending && this.quoted !== quoted) this.flush();
    this.buf += value;
    this.quoted = quoted;
    this.pending = true;
  }

  push(part: WordPart): void {
    this.size++;
    this.flush();
    this.parts.push(part);
  }

  done(): WordPart[] {
    this.flush();
    return this.parts;
  }

  private flush(): void {
    if (!this.pending) return;
    this.parts.push({ kind: 'lit', value: this.buf, quoted: this.quoted });
    this.buf = '';
    this.pending = false;
  }
}

/** $'…' escapes: \n \t \xHH \0NNN \uHHHH … */
export function ansiC(s: string): string {
  let value = '';
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '\\' || j + 1 >= s.length) { value += s[j]; continue; }
    const c = s[++j]!;
    if (c in C_ESCAPES) { value += C_ESCAPES[c]; continue; }
    let m: RegExpExecArray | null;
    if ((m = /^x([0-9a-fA-F]{1,2})/.exec(s.slice(j)))) { value += String.fromCharCode(parseInt(m[1]!, 16)); j += m[0].length - 1; continue; }
    if ((m = /^[0-7]{1,3}/.exec(s.slice(j)))) { value += String.fromCharCode(parseInt(m[0], 8) & 0xff); j += m[0].length - 1; continue; }
    if ((m = /^u([0-9a-fA-F]{1,4})/.exec(s.slice(j))) || (m = /^U([0-9a-fA-F]{1,8})/.exec(s.slice(j)))) {
      value += String.fromCodePoint(parseInt(m[1]!, 16)); j += m[0].length - 1; continue;
    }
    if ((m = /^c(.)/.exec(s.slice(j)))) { value += String.fromCharCode(m[1]!.charCodeAt(0) & 0x1f); j += 1; continue; }
    value += '\\' + c;
  }
  return value;
}

/** Backquoted command text: \$ \` \\ (and \" inside "…") lose their backslash. */
function backquoted(s: string, inDouble: boolean): string {
  let text = '';
  for (let j = 0; j < s.length; j++) {
    const next = s[j + 1];
    if (s[j] === '\\' && next !== undefined && ('$`\\'.includes(next) || (inDouble && next === '"'))) { text += next; j++; }
    else text += s[j];
  }
  return text;
}

class Lexer {
  i = 0;
  constructor(readonly s: string, readonly syn: WordSyntax) {}

  /** Unquoted text up to the end (or, in a ${…} argument, up to the end given). */
  unquoted(out: Parts, end = this.s.length): void {
    const s = this.s;
    while (this.i < end) {
      const c = s[this.i]!;
      if (c === '\\') {
        if (s[this.i + 1] === '\n') { this.i += 2; continue; }
        if (this.i + 1 >= end) { out.lit('\\', false); this.i++; continue; }
        out.lit(s[this.i + 1]!, true);
        this.i += 2;
      } else if (c === "'") {
        const close = s.indexOf("'", this.i + 1);
        const stop = close < 0 || close >= end ? end : close;
        out.lit(s.slice(this.i + 1, stop), true);
        this.i = stop + 1;
      } else if (c === '"') {
        this.i++;
        this.double(out, end);
      } else if (c === '$') {
        this.dollar(out, false, end);
      } else if (c === '`') {
        this.backquote(out, false, end);
      } else {
        out.lit(c, false);
        this.i++;
      }
    }
  }

  /** Inside "…", after the opening quote; stops after the closing one. */
  double(out: Parts, end = this.s.length): void {
    const s = this.s;
    // "" is an empty field; "$@" with no parameters is none
    const before = out.size;
    const close = (): void => { if (out.size === before) out.lit('', true); };
    while (this.i < end) {
      const c = s[this.i]!;
      if (c === '"') { this.i++; close(); return; }
      if (c === '\\' && this.i + 1 < end && '$`"\\\n'.includes(s[this.i + 1]!)) {
        if (s[this.i + 1] !== '\n') out.lit(s[this.i + 1]!, true);
        this.i += 2;
      } else if (c === '$') this.dollar(out, true, end);
      else if (c === '`') this.backquote(out, true, end);
      else { out.lit(c, true); this.i++; }
    }
    close();
  }

  /**
   * The argument of ${name-word} inside "…": like "…" text, but a `"` opens and closes a
   * nested quoted part and `'` is an ordinary character.
   */
  doubleArg(out: Parts, end: number): void {
    const s = this.s;
    out.lit('', true);
    while (this.i < end) {
      const c = s[this.i]!;
      if (c === '"') { this.i++; this.double(out, end); continue; }
      if (c === '\\' && this.i + 1 < end && '$`"\\}\n'.includes(s[this.i + 1]!)) {
        if (s[this.i + 1] !== '\n') out.lit(s[this.i + 1]!, true);
        this.i += 2;
      } else if (c === '$') this.dollar(out, true, end);
      else if (c === '`') this.backquote(out, true, end);
      else { out.lit(c, true); this.i++; }
    }
  }

  backquote(out: Parts, quoted: boolean, end: number): void {
    const s = this.s;
    let j = this.i + 1;
    while (j < end && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
    out.push({ kind: 'cmdsub', text: backquoted(s.slice(this.i + 1, Math.min(j, end)), quoted), quoted });
    this.i = Math.min(j + 1, end);
  }

  dollar(out: Parts, quoted: boolean, end: number): void {
    const s = this.s;
    const next = s[this.i + 1];
    if (next === undefined || this.i + 1 >= end) { out.lit('$', quoted); this.i++; return; }
    if (next === "'" && !quoted && this.syn.ansiC) {
      let j = this.i + 2;
      while (j < end && s[j] !== "'") j += s[j] === '\\' ? 2 : 1;
      out.lit(ansiC(s.slice(this.i + 2, Math.min(j, end))), true);
      this.i = Math.min(j + 1, end);
      return;
    }
    if (next === '"' && !quoted && this.syn.localeStrings) { this.i += 2; this.double(out, end); return; }
    if (next === '{') { this.brace(out, quoted, end); return; }
    if (next === '(') {
      if (s[this.i + 2] === '(') {
        const close = matchArith(s, this.i + 3, end);
        if (close >= 0) {
          out.push({ kind: 'arith', text: s.slice(this.i + 3, close), quoted });
          this.i = close + 2;
          return;
        }
      }
      const close = matchParen(s, this.i + 2, end);
      out.push({ kind: 'cmdsub', text: s.slice(this.i + 2, close), quoted });
      this.i = Math.min(close + 1, end);
      return;
    }
    if (NAME_START.test(next)) {
      let j = this.i + 1;
      while (j < end && NAME_CHAR.test(s[j]!)) j++;
      out.push(param(s.slice(this.i + 1, j), quoted));
      this.i = j;
      return;
    }
    if (/[0-9]/.test(next) || SPECIAL.includes(next)) {
      out.push(param(next, quoted));
      this.i += 2;
      return;
    }
    out.lit('$', quoted);
    this.i++;
  }

  /** ${…}: the name, an optional [subscript], an operator and its argument. */
  brace(out: Parts, quoted: boolean, end: number): void {
    const s = this.s;
    const open = this.i + 2;
    const close = matchBrace(s, open, end, quoted && !this.syn.quotesInBraces);
    const inner = s.slice(open, close);
    const text = s.slice(this.i, Math.min(close + 1, end));
    this.i = Math.min(close + 1, end);
    const bad = (why: string, fatal = true): void => out.push({ kind: 'bad', text, why, fatal, quoted });
    let k = 0;
    let len = false;
    let indirect = false;
    if (inner === '#') { out.push(param('#', quoted)); return; }
    if (inner[0] === '#' && inner.length > 1) { len = true; k = 1; }
    else if (inner[0] === '!' && inner.length > 1) { indirect = true; k = 1; }
    // the name
    let name: string;
    const at = inner[k];
    if (at === undefined) return bad('bad substitution: ${} has no name');
    if (NAME_START.test(at)) {
      let j = k + 1;
      while (j < inner.length && NAME_CHAR.test(inner[j]!)) j++;
      name = inner.slice(k, j);
      k = j;
    } else if (/[0-9]/.test(at)) {
      let j = k + 1;
      while (j < inner.length && /[0-9]/.test(inner[j]!)) j++;
      name = inner.slice(k, j);
      k = j;
    } else if (SPECIAL.includes(at)) {
      name = at;
      k++;
    } else return bad(`bad substitution: \`${text}\``);
    let index: string | null = null;
    if (inner[k] === '[') {
      const j = matchBracket(inner, k + 1);
      if (j < 0) return bad(`bad substitution: \`${text}\``);
      index = inner.slice(k + 1, j);
      k = j + 1;
    }
    const rest = inner.slice(k);
    const base = { kind: 'param' as const, name, index, indirect, quoted };
    if (len) {
      if (indirect || rest !== '') return bad(`bad substitution: \`${text}\``);
      out.push({ ...base, op: '#len', arg: null, arg2: null });
      return;
    }
    if (indirect && (rest === '*' || rest === '@' || index === '@' || index === '*')) return bad(`\`${text}\` lists variable names or array keys; not evaluated`, false);
    if (rest === '') { out.push({ ...base, op: null, arg: null, arg2: null }); return; }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) {
      if (rest[0] === '@') return bad(`the transformation \`${text}\` is not evaluated`, false);
      return bad(`bad substitution: \`${text}\``);
    }
    // the argument, lexed in place: offsets into `s`
    const argStart = open + k + op.length;
    const sub = (from: number, to: number, mode: 'pattern' | 'value' | 'arith'): Word => {
      const saved = this.i;
      this.i = from;
      const parts = new Parts();
      if (mode === 'value' && quoted) this.doubleArg(parts, to);
      else this.unquoted(parts, to);
      this.i = saved;
      return { parts: parts.done(), raw: s.slice(from, to) };
    };
    let arg: Word | null = null;
    let arg2: Word | null = null;
    if (op === '/' || op === '//' || op === '/#' || op === '/%') {
      const slash = findUnquoted(s, argStart, close, '/');
      arg = sub(argStart, slash < 0 ? close : slash, 'pattern');
      arg2 = slash < 0 ? null : sub(slash + 1, close, 'value');
    } else if (op === ':') {
      const colon = findUnquoted(s, argStart, close, ':');
      arg = sub(argStart, colon < 0 ? close : colon, 'arith');
      arg2 = colon < 0 ? null : sub(colon + 1, close, 'arith');
    } else {
      const pattern = op === '#' || op === '##' || op === '%' || op === '%%' || op === '^' || op === '^^' || op === ',' || op === ',,';
      arg = sub(argStart, close, pattern ? 'pattern' : 'value');
    }
    out.push({ ...base, op, arg, arg2 });
  }
}

/** Longest first, so that ':-' wins over ':' and '##' over '#'. */
const OPS: readonly ParamOp[] = [':-', ':=', ':?', ':+', '##', '%%', '//', '/#', '/%', '^^', ',,', ':', '-', '=', '?', '+', '#', '%', '/', '^', ','];

function param(name: string, quoted: boolean): ParamPart {
  return { kind: 'param', name, index: null, indirect: false, op: null, arg: null, arg2: null, quoted };
}

/** Skip a quoted or nested construct starting at s[j]; returns the index after it, or -1 if s[j] starts none. */
function skipNested(s: string, j: number, end: number, singleQuotes: boolean): number {
  const c = s[j];
  if (c === '\\') return j + 2;
  if (c === "'" && singleQuotes) {
    const k = s.indexOf("'", j + 1);
    return k < 0 || k >= end ? end : k + 1;
  }
  if (c === '"') {
    let k = j + 1;
    while (k < end && s[k] !== '"') {
      const n = s[k] === '$' || s[k] === '`' ? skipNested(s, k, end, false) : -1;
      k = n >= 0 ? n : s[k] === '\\' ? k + 2 : k + 1;
    }
    return Math.min(k + 1, end);
  }
  if (c === '`') {
    let k = j + 1;
    while (k < end && s[k] !== '`') k += s[k] === '\\' ? 2 : 1;
    return Math.min(k + 1, end);
  }
  if (c === '$' && s[j + 1] === '{') return Math.min(matchBrace(s, j + 2, end, false) + 1, end);
  if (c === '$' && s[j + 1] === '(') return Math.min(matchParen(s, j + 2, end) + 1, end);
  return -1;
}

/** The index of the `}` closing a ${ whose inside starts at `from` (or `end`). */
function matchBrace(s: string, from: number, end: number, inDouble: boolean): number {
  let j = from;
  while (j < end) {
    if (s[j] === '}') return j;
    const n = skipNested(s, j, end, !inDouble);
    j = n >= 0 ? n : j + 1;
  }
  return end;
}

/** The index of the `)` closing a $( whose inside starts at `from` (or `end`). */
function matchParen(s: string, from: number, end: number): number {
  let depth = 0;
  let j = from;
  while (j < end) {
    const c = s[j]!;
    if (c === ')') { if (depth === 0) return j; depth--; j++; continue; }
    if (c === '(') { depth++; j++; continue; }
    if (c === '#' && (j === from || /\s/.test(s[j - 1]!))) {
      // a comment runs to the end of its line
      const nl = s.indexOf('\n', j);
      j = nl < 0 || nl >= end ? end : nl;
      continue;
    }
    const n = skipNested(s, j, end, true);
    j = n >= 0 ? n : j + 1;
  }
  return end;
}

/** The index of the first `))` closing $(( whose inside starts at `from`, with balanced parentheses; -1 if none. */
function matchArith(s: string, from: number, end: number): number {
  let depth = 0;
  for (let j = from; j < end; j++) {
    const c = s[j]!;
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return s[j + 1] === ')' ? j : -1;
      depth--;
    } else {
      const n = skipNested(s, j, end, true);
      if (n >= 0) j = n - 1;
    }
  }
  return -1;
}

/** The `]` closing a subscript starting at `from`. */
function matchBracket(s: string, from: number): number {
  let depth = 0;
  for (let j = from; j < s.length; j++) {
    if (s[j] === '[') depth++;
    else if (s[j] === ']') { if (depth === 0) return j; depth--; }
  }
  return -1;
}

/** The first `ch` in s[from, end) outside quotes and nested expansions. */
function findUnquoted(s: string, from: number, end: number, ch: string): number {
  let j = from;
  while (j < end) {
    if (s[j] === ch) return j;
    const n = skipNested(s, j, end, true);
    j = n >= 0 ? n : j + 1;
  }
  return -1;
}

/**
 * The words of a run of text that holds only words and blanks (a simple command's
 * arguments): where each starts and ends. A blank ends a word unless quoted or escaped
 * (tree-sitter-bash reads `\ ` as a blank between words, and drops a word that is only
 * `\ `); a backslash-newline is a line continuation.
 */
export function splitWords(s: string, from = 0, to = s.length): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let j = from;
  while (j < to) {
    const c = s[j]!;
    if (c === ' ' || c === '\t' || c === '\n') { j++; continue; }
    if (c === '\\' && s[j + 1] === '\n') { j += 2; continue; }
    const start = j;
    while (j < to) {
      const d = s[j]!;
      if (d === ' ' || d === '\t' || d === '\n') break;
      if (d === '\\' && s[j + 1] === '\n') { j += 2; continue; }
      if (d === '$' && (s[j + 1] === "'" || s[j + 1] === '"')) { j++; continue; }
      const n = skipNested(s, j, to, true);
      j = n >= 0 ? Math.min(n, to) : j + 1;
    }
    out.push({ start, end: j });
  }
  return out;
}

export type SimpleToken =
  | { readonly kind: 'word'; readonly start: number; readonly end: number }
  | { readonly kind: 'redir'; readonly op: string; readonly fd: number | null; readonly start: number; readonly end: number };

const REDIR_OPS = ['&>>', '>>', '<<<', '<>', '>&', '<&', '>|', '&>', '>', '<'];
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', '{', '}', '!', '[[', 'function', 'select']);

/**
 * A simple command's text as words and redirection operators, for a statement
 * tree-sitter could not parse; null when the text is more than one simple command
 * (a control operator, a here-document, a reserved word first).
 */
export function tokenizeSimple(s: string): SimpleToken[] | null {
  const out: SimpleToken[] = [];
  let j = 0;
  while (j < s.length) {
    const c = s[j]!;
    if (c === ' ' || c === '\t') { j++; continue; }
    if (c === '\\' && s[j + 1] === '\n') { j += 2; continue; }
    if (c === '\n' && s.slice(j).trim() === '') break;
    if (c === '\n' || c === ';' || c === '|' || c === '(' || c === ')' || (c === '&' && s[j + 1] !== '>')) return null;
    if (c === '#' ) break;
    const fdMatch = /^[0-9]+(?=[<>])/.exec(s.slice(j));
    const opAt = j + (fdMatch ? fdMatch[0].length : 0);
    const op = REDIR_OPS.find((o) => s.startsWith(o, opAt));
    if (op) {
      if (s.startsWith('<<', opAt) && op !== '<<<') return null;
      out.push({ kind: 'redir', op, fd: fdMatch ? Number(fdMatch[0]) : null, start: j, end: opAt + op.length });
      j = opAt + op.length;
      continue;
    }
    const start = j;
    while (j < s.length) {
      const d = s[j]!;
      if (' \t\n;&|()<>'.includes(d)) break;
      if (d === '\\' && s[j + 1] === '\n') { j += 2; continue; }
      if (d === '$' && (s[j + 1] === "'" || s[j + 1] === '"')) { j++; continue; }
      const n = skipNested(s, j, s.length, true);
      j = n >= 0 ? n : j + 1;
    }
    if (out.length === 0 && RESERVED.has(s.slice(start, j))) return null;
    out.push({ kind: 'word', start, end: j });
  }
  return out;
}

/** Where a word that ends at `end` really ends: escaped blanks after it belong to it (or are words of their own). */
export function escapedBlanksAfter(s: string, end: number, limit = s.length): number {
  let j = end;
  for (;;) {
    let k = j;
    while (k < limit && (s[k] === ' ' || s[k] === '\t')) k++;
    if (k < limit && s[k] === '\\' && (s[k + 1] === ' ' || s[k + 1] === '\t')) { j = k + 2; continue; }
    return j;
  }
}

/** One word's source text → its parts. */
export function lexWord(raw: string, syn: WordSyntax): Word {
  const lx = new Lexer(raw, syn);
  const out = new Parts();
  lx.unquoted(out);
  return { parts: out.done(), raw };
}

/**
 * A here-document body with an unquoted delimiter: parameters, command substitutions
 * and arithmetic are expanded; a backslash quotes only $ ` \ and newline; no splitting.
 */
export function lexHeredoc(raw: string, syn: WordSyntax): Word {
  const lx = new Lexer(raw, syn);
  const out = new Parts();
  const s = raw;
  out.lit('', true);
  while (lx.i < s.length) {
    const c = s[lx.i]!;
    if (c === '\\' && lx.i + 1 < s.length && '$`\\\n'.includes(s[lx.i + 1]!)) {
      if (s[lx.i + 1] !== '\n') out.lit(s[lx.i + 1]!, true);
      lx.i += 2;
    } else if (c === '$') lx.dollar(out, true, s.length);
    else if (c === '`') lx.backquote(out, true, s.length);
    else { out.lit(c, true); lx.i++; }
  }
  return { parts: out.done(), raw };
}

/** A word that is this literal text. */
export function literalWord(value: string, quoted = false): Word {
  return { parts: [{ kind: 'lit', value, quoted }], raw: value };
}
