// A recursive-descent parser for the POSIX shell grammar (XCU 2.10), plus the bash
// forms common in start-up scripts (`function f`, `[[ … ]]`, `&>`, `|&`, `$'…'`).
// It runs only on text sh-syntax has accepted (shell/parse.ts), so it need not
// diagnose; what it does not structure it reports as Unsupported, and parse.ts turns
// that statement into an "opaque" node (effect unknown) instead of failing the script.

import type { Assignment, Loc, Node, ParamOp, Redirect, Word, WordPart } from './ast.ts';

/** A construct this parser does not structure (the caller falls back per statement). */
export class Unsupported extends Error {
  constructor(message: string, readonly offset: number) { super(message); }
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const CLOSERS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);
const NAME_START = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const NAME_CHAR = (c: string | undefined): boolean => NAME_START(c) || (c !== undefined && c >= '0' && c <= '9');
const DIGIT = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
/** Characters with no special meaning inside a word. */
const PLAIN = (c: string): boolean => c !== '\\' && c !== "'" && c !== '"' && c !== '$' && c !== '`';
const isName = (s: string): boolean => s.length > 0 && NAME_START(s[0]) && [...s].every(NAME_CHAR);

/** Redirect operators, longest first. */
const REDIRECT_OPS = ['<<-', '<<<', '&>>', '<<', '<>', '<&', '>>', '>|', '>&', '&>', '<', '>'];
const PARAM_OPS: readonly ParamOp[] = [':-', ':=', ':?', ':+', '##', '%%', '-', '=', '?', '+', '#', '%'];

export interface ParserOptions {
  /** Report every location at this line (commands parsed out of a `sh -c` string). */
  readonly fixedLine?: number;
}

export class Parser {
  i = 0;
  /** Where the last word, operator or reserved word ended (locations stop there, before comments). */
  private end = 0;
  private heredocs: { delim: string; strip: boolean }[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly s: string, private readonly options: ParserOptions = {}) {
    for (let k = 0; k < s.length; k++) if (s[k] === '\n') this.lineStarts.push(k + 1);
  }

  // ---- positions ------------------------------------------------------------------

  lineAt(offset: number): number {
    if (this.options.fixedLine !== undefined) return this.options.fixedLine;
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  loc(start: number, end: number): Loc {
    const last = Math.max(start, end - 1);
    return { line: this.lineAt(start), endLine: this.lineAt(last), text: displayText(this.s.slice(start, end)) };
  }

  private unsupported(what: string): never { throw new Unsupported(what, this.i); }

  // ---- lexical --------------------------------------------------------------------

  /** Blanks, line continuations and comments (a '#' here starts a word, so it is a comment). */
  skipBlanks(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') this.i += 2;
      else if (c === '#') { while (this.i < s.length && s[this.i] !== '\n') this.i++; }
      else return;
    }
  }

  private newline(): void {
    this.i++; // the '\n'
    if (this.heredocs.length > 0) this.readHeredocBodies();
  }

  /** Newlines (and the blanks and comments between them). */
  linebreak(): void {
    for (;;) {
      this.skipBlanks();
      if (this.s[this.i] === '\n') this.newline(); else return;
    }
  }

  private readHeredocBodies(): void {
    const s = this.s;
    for (const h of this.heredocs) {
      while (this.i < s.length) {
        let end = s.indexOf('\n', this.i);
        if (end < 0) end = s.length;
        let line = s.slice(this.i, end);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.i = Math.min(end + 1, s.length);
        if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim) break;
      }
    }
    this.heredocs = [];
  }

  /** The bare (unquoted) word at the cursor, without consuming it; null if quoted or none. */
  private peekBare(): string | null {
    let j = this.i;
    while (j < this.s.length && !META.has(this.s[j]!)) j++;
    const w = this.s.slice(this.i, j);
    if (w === '' || /[\\'"$`]/.test(w)) return null;
    return w;
  }

  private peekReserved(): string | null {
    return this.peekBare();
  }

  private expectReserved(word: string): void {
    this.linebreak();
    if (this.peekReserved() !== word) this.unsupported(`expected "${word}"`);
    this.i += word.length;
    this.end = this.i;
  }

  private isRedirectAhead(): boolean {
    const s = this.s;
    let j = this.i;
    while (DIGIT(s[j])) j++;
    if (s[j] === '<' || s[j] === '>') return true;
    return j === this.i && s[j] === '&' && s[j + 1] === '>';
  }

  private readRedirect(): Redirect {
    const s = this.s;
    let fd: number | null = null;
    const digitsStart = this.i;
    while (DIGIT(s[this.i])) this.i++;
    if (this.i > digitsStart) fd = Number(s.slice(digitsStart, this.i));
    const op = REDIRECT_OPS.find((o) => s.startsWith(o, this.i))!;
    this.i += op.length;
    this.skipBlanks();
    const target = this.readWord();
    if (!target) this.unsupported(`a redirection ${op} without a target`);
    if (op === '<<' || op === '<<-') {
      const delim = target.parts.map((p) => (p.kind === 'lit' ? p.value : p.kind === 'param' ? `$${p.name}` : '')).join('');
      this.heredocs.push({ delim, strip: op === '<<-' });
    }
    return { op, fd, target };
  }

  private readRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (!this.isRedirectAhead()) return out;
      out.push(this.readRedirect());
    }
  }

  /**
   * One word: literal characters, quotes, backslash escapes, $-expansions and
   * backquotes, up to an unquoted metacharacter (`loose`: up to the end of the text).
   */
  readWord(loose = false): Word | null {
    const s = this.s;
    const start = this.i;
    const parts: WordPart[] = [];
    // literal text is gathered in `buf` and pushed as one part when its quoting changes
    let buf = '';
    let bufQuoted = false;
    let pending = false;
    const flush = (): void => {
      if (!pending) return;
      parts.push({ kind: 'lit', value: buf, quoted: bufQuoted });
      buf = '';
      pending = false;
    };
    const lit = (value: string, quoted: boolean): void => {
      if (pending && bufQuoted !== quoted) flush();
      buf += value;
      bufQuoted = quoted;
      pending = true;
    };
    const push = (part: WordPart): void => { flush(); parts.push(part); };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (!loose && META.has(c)) break;
      if (c === '\\') {
        if (s[this.i + 1] === '\n') { this.i += 2; continue; }
        if (this.i + 1 >= s.length) { lit('\\', false); this.i++; continue; }
        lit(s[this.i + 1]!, true);
        this.i += 2;
      } else if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        if (end < 0) this.unsupported('an unterminated single quote');
        lit(s.slice(this.i + 1, end), true);
        this.i = end + 1;
      } else if (c === '"') {
        this.i++;
        lit('', true);
        this.readDoubleQuoted(lit, push);
      } else if (c === '$') {
        this.readDollar(lit, push, false);
      } else if (c === '`') {
        push({ kind: 'cmdsub', text: this.readBackquote(), quoted: false });
      } else {
        // a run of plain characters at once
        let j = this.i + 1;
        while (j < s.length && PLAIN(s[j]!) && (loose || !META.has(s[j]!))) j++;
        lit(s.slice(this.i, j), false);
        this.i = j;
      }
    }
    flush();
    if (this.i === start) return null;
    this.end = this.i;
    return { parts, raw: s.slice(start, this.i) };
  }

  private readDoubleQuoted(lit: (v: string, q: boolean) => void, push: (p: WordPart) => void): void {
    const s = this.s;
    for (;;) {
      if (this.i >= s.length) this.unsupported('an unterminated double quote');
      const c = s[this.i]!;
      if (c === '"') { this.i++; return; }
      if (c === '\\') {
        const next = s[this.i + 1];
        if (next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== '\n') lit(next, true);
          this.i += 2;
        } else { lit('\\', true); this.i++; }
      } else if (c === '$') this.readDollar(lit, push, true);
      else if (c === '`') push({ kind: 'cmdsub', text: this.readBackquote(), quoted: true });
      else { lit(c, true); this.i++; }
    }
  }

  private readBackquote(): string {
    const s = this.s;
    let j = this.i + 1;
    let text = '';
    while (j < s.length && s[j] !== '`') {
      if (s[j] === '\\' && j + 1 < s.length) { text += '$`\\'.includes(s[j + 1]!) ? s[j + 1] : s[j]! + s[j + 1]!; j += 2; }
      else text += s[j++];
    }
    if (j >= s.length) this.unsupported('an unterminated backquote');
    this.i = j + 1;
    return text;
  }

  /** Index just after the ')' matching the '(' at `open`, skipping quotes and escapes. */
  private scanParens(open: number): number {
    const s = this.s;
    let depth = 0;
    for (let j = open; j < s.length; j++) {
      const c = s[j];
      if (c === '\\') { j++; continue; }
      if (c === "'") { const e = s.indexOf("'", j + 1); if (e < 0) break; j = e; continue; }
      if (c === '"') { j = this.scanDouble(j); continue; }
      if (c === '`') { const e = s.indexOf('`', j + 1); if (e < 0) break; j = e; continue; }
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
    }
    this.unsupported('an unterminated $(…)');
  }

  /** Index of the '"' closing the one at `open`. */
  private scanDouble(open: number): number {
    const s = this.s;
    for (let j = open + 1; j < s.length; j++) {
      if (s[j] === '\\') { j++; continue; }
      if (s[j] === '"') return j;
      if (s[j] === '$' && s[j + 1] === '(') { j = this.scanParens(j + 1) - 1; continue; }
    }
    this.unsupported('an unterminated double quote');
  }

  /** Index just after the '}' closing the '{' at `open`. */
  private scanBraces(open: number): number {
    const s = this.s;
    let depth = 0;
    for (let j = open; j < s.length; j++) {
      const c = s[j];
      if (c === '\\') { j++; continue; }
      if (c === "'") { const e = s.indexOf("'", j + 1); if (e < 0) break; j = e; continue; }
      if (c === '"') { j = this.scanDouble(j); continue; }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return j + 1;
    }
    this.unsupported('an unterminated ${…}');
  }

  private readDollar(lit: (v: string, q: boolean) => void, push: (p: WordPart) => void, quoted: boolean): void {
    const s = this.s;
    const next = s[this.i + 1];
    if (next === '(') {
      if (s[this.i + 2] === '(') {
        const end = this.scanParens(this.i + 1);
        push({ kind: 'arith', text: s.slice(this.i + 3, end - 2), quoted });
        this.i = end;
      } else {
        const end = this.scanParens(this.i + 1);
        push({ kind: 'cmdsub', text: s.slice(this.i + 2, end - 1), quoted });
        this.i = end;
      }
    } else if (next === '{') {
      const end = this.scanBraces(this.i + 1);
      push(parseBraced(s.slice(this.i + 2, end - 1), quoted));
      this.i = end;
    } else if (NAME_START(next)) {
      let j = this.i + 1;
      while (NAME_CHAR(s[j])) j++;
      push({ kind: 'param', name: s.slice(this.i + 1, j), op: null, arg: null, quoted });
      this.i = j;
    } else if (next !== undefined && (DIGIT(next) || '@*#?$!-'.includes(next))) {
      push({ kind: 'param', name: next, op: null, arg: null, quoted });
      this.i += 2;
    } else if (next === "'" && !quoted) {
      // bash $'…': the common escapes
      let j = this.i + 2;
      let value = '';
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\' && j + 1 < s.length) { value += esc[s[j + 1]!] ?? '\\' + s[j + 1]; j += 2; }
        else value += s[j++];
      }
      if (j >= s.length) this.unsupported("an unterminated $'…'");
      lit(value, true);
      this.i = j + 1;
    } else {
      lit('$', quoted);
      this.i++;
    }
  }

  // ---- grammar --------------------------------------------------------------------

  parseProgram(): Node {
    const node = this.parseList();
    this.linebreak();
    if (this.i < this.s.length) this.unsupported(`unexpected "${this.s.slice(this.i, this.i + 10)}"`);
    return node;
  }

  /** A compound list: and-or lists separated by ';', '&' or newlines, up to a closer. */
  parseList(): Node {
    const s = this.s;
    const start = this.i;
    const items: { node: Node; background: boolean }[] = [];
    for (;;) {
      this.linebreak();
      if (this.i >= s.length || s[this.i] === ')' || s.startsWith(';;', this.i) || s.startsWith(';&', this.i)) break;
      const w = this.peekReserved();
      if (w !== null && CLOSERS.has(w)) break;
      const node = this.parseAndOr();
      this.skipBlanks();
      let background = false;
      if (s[this.i] === '&' && s[this.i + 1] !== '&') { background = true; this.i++; }
      else if (s[this.i] === ';' && s[this.i + 1] !== ';' && s[this.i + 1] !== '&') this.i++;
      else if (s[this.i] === '\n') this.newline();
      items.push({ node, background });
      const c = s[this.i];
      const separated = background || s[this.i - 1] === ';' || s[this.i - 1] === '\n';
      if (!separated && c !== undefined && c !== ')' && c !== ';' && !CLOSERS.has(this.peekReserved() ?? '')) {
        this.unsupported(`unexpected "${s.slice(this.i, this.i + 10)}"`);
      }
    }
    if (items.length === 1 && !items[0]!.background) return items[0]!.node;
    return { t: 'list', loc: this.loc(start, this.end), items };
  }

  parseAndOr(): Node {
    const start = this.i;
    const first = this.parsePipeline();
    const rest: { op: '&&' | '||'; node: Node }[] = [];
    for (;;) {
      this.skipBlanks();
      const op = this.s.startsWith('&&', this.i) ? '&&' : this.s.startsWith('||', this.i) ? '||' : null;
      if (!op) break;
      this.i += 2;
      this.linebreak();
      rest.push({ op, node: this.parsePipeline() });
    }
    return rest.length === 0 ? first : { t: 'andor', loc: this.loc(start, this.end), first, rest };
  }

  private parsePipeline(): Node {
    this.skipBlanks();
    const start = this.i;
    let negated = false;
    if (this.peekReserved() === '!') { negated = true; this.i++; this.skipBlanks(); }
    const cmds = [this.parseCommand()];
    for (;;) {
      this.skipBlanks();
      if (this.s[this.i] !== '|' || this.s[this.i + 1] === '|') break;
      this.i += this.s[this.i + 1] === '&' ? 2 : 1;
      this.linebreak();
      cmds.push(this.parseCommand());
    }
    return cmds.length === 1 && !negated ? cmds[0]! : { t: 'pipeline', loc: this.loc(start, this.end), negated, cmds };
  }

  private parseCommand(): Node {
    this.skipBlanks();
    const s = this.s;
    const start = this.i;
    if (s[this.i] === '(') {
      if (s[this.i + 1] === '(') {
        this.i = this.scanParens(this.i);
        this.end = this.i;
        this.readRedirects();
        return { t: 'opaque', loc: this.loc(start, this.end), reason: 'an arithmetic command ((…))' };
      }
      this.i++;
      const body = this.parseList();
      this.linebreak();
      if (s[this.i] !== ')') this.unsupported('expected ")"');
      this.i++;
      this.end = this.i;
      const redirs = this.readRedirects();
      return { t: 'group', loc: this.loc(start, this.end), subshell: true, body, redirs };
    }
    const w = this.peekReserved();
    switch (w) {
      case 'if': return this.parseIf();
      case 'while': case 'until': return this.parseLoop(w === 'until');
      case 'for': return this.parseFor();
      case 'case': return this.parseCase();
      case '{': {
        this.i++;
        const body = this.parseList();
        this.expectReserved('}');
        const redirs = this.readRedirects();
        return { t: 'group', loc: this.loc(start, this.end), subshell: false, body, redirs };
      }
      case 'function': {
        this.i += w.length;
        this.skipBlanks();
        const name = this.peekBare();
        if (name === null || !isFuncName(name)) this.unsupported('a function name');
        this.i += name.length;
        this.skipBlanks();
        if (s.startsWith('()', this.i)) this.i += 2;
        this.linebreak();
        const body = this.parseCommand();
        return { t: 'func', loc: this.loc(start, start + w.length + 1 + name.length), name, body };
      }
      case '[[': return this.parseDoubleBracket();
      case 'select': this.unsupported('select loops');
    }
    if (w !== null && CLOSERS.has(w)) this.unsupported(`unexpected "${w}"`);
    // NAME ( ) compound-command
    const name = this.peekBare();
    if (name !== null && isFuncName(name)) {
      const save = this.i;
      this.i += name.length;
      this.skipBlanks();
      if (s[this.i] === '(') {
        this.i++;
        this.skipBlanks();
        if (s[this.i] === ')') {
          this.i++;
          const head = this.i;
          this.linebreak();
          const body = this.parseCommand();
          return { t: 'func', loc: this.loc(start, head), name, body };
        }
      }
      this.i = save;
    }
    return this.parseSimple();
  }

  private parseIf(): Node {
    const start = this.i;
    this.i += 2; // if
    const branches: { cond: Node; body: Node }[] = [];
    let cond = this.parseList();
    this.expectReserved('then');
    let body = this.parseList();
    branches.push({ cond, body });
    let otherwise: Node | null = null;
    for (;;) {
      this.linebreak();
      const w = this.peekReserved();
      if (w === 'elif') {
        this.i += 4;
        cond = this.parseList();
        this.expectReserved('then');
        body = this.parseList();
        branches.push({ cond, body });
      } else if (w === 'else') {
        this.i += 4;
        otherwise = this.parseList();
      } else break;
    }
    this.expectReserved('fi');
    const redirs = this.readRedirects();
    return { t: 'if', loc: this.loc(start, this.end), branches, otherwise, redirs };
  }

  private parseLoop(until: boolean): Node {
    const start = this.i;
    this.i += until ? 5 : 5; // "while" and "until" are both 5 letters
    const cond = this.parseList();
    this.expectReserved('do');
    const body = this.parseList();
    this.expectReserved('done');
    const redirs = this.readRedirects();
    return { t: 'loop', loc: this.loc(start, this.end), until, cond, body, redirs };
  }

  private parseFor(): Node {
    const s = this.s;
    const start = this.i;
    this.i += 3;
    this.skipBlanks();
    if (s.startsWith('((', this.i)) this.unsupported('an arithmetic for loop');
    const name = this.peekBare();
    if (name === null || !isName(name)) this.unsupported('a for-loop variable');
    this.i += name.length;
    this.linebreak();
    let items: Word[] | null = null;
    if (this.peekReserved() === 'in') {
      this.i += 2;
      items = [];
      for (;;) {
        this.skipBlanks();
        const c = s[this.i];
        if (c === ';' || c === '\n' || c === undefined) break;
        const word = this.readWord();
        if (!word) this.unsupported('a for-loop word');
        items.push(word);
      }
    }
    this.skipBlanks();
    if (s[this.i] === ';') this.i++;
    this.expectReserved('do');
    const body = this.parseList();
    this.expectReserved('done');
    const redirs = this.readRedirects();
    return { t: 'for', loc: this.loc(start, this.end), name, items, body, redirs };
  }

  private parseCase(): Node {
    const s = this.s;
    const start = this.i;
    this.i += 4;
    this.skipBlanks();
    const word = this.readWord();
    if (!word) this.unsupported('a case word');
    this.expectReserved('in');
    const arms: { patterns: Word[]; body: Node }[] = [];
    for (;;) {
      this.linebreak();
      if (this.peekReserved() === 'esac') { this.i += 4; this.end = this.i; break; }
      if (this.i >= s.length) this.unsupported('expected "esac"');
      if (s[this.i] === '(') this.i++;
      const patterns: Word[] = [];
      for (;;) {
        this.skipBlanks();
        const p = this.readWord();
        if (!p) this.unsupported('a case pattern');
        patterns.push(p);
        this.skipBlanks();
        if (s[this.i] === '|') { this.i++; continue; }
        break;
      }
      if (s[this.i] !== ')') this.unsupported('expected ")" after a case pattern');
      this.i++;
      const body = this.parseList();
      this.skipBlanks();
      if (s.startsWith(';;&', this.i)) this.i += 3;
      else if (s.startsWith(';;', this.i) || s.startsWith(';&', this.i)) this.i += 2;
      arms.push({ patterns, body });
    }
    const redirs = this.readRedirects();
    return { t: 'case', loc: this.loc(start, this.end), word, arms, redirs };
  }

  private parseDoubleBracket(): Node {
    const s = this.s;
    const start = this.i;
    this.i += 2;
    const words: Word[] = [];
    const litWord = (v: string): Word => ({ parts: [{ kind: 'lit', value: v, quoted: true }], raw: v });
    for (;;) {
      this.linebreak();
      if (this.i >= s.length) this.unsupported('expected "]]"');
      if (s.startsWith(']]', this.i) && (this.i + 2 >= s.length || META.has(s[this.i + 2]!))) { this.i += 2; this.end = this.i; break; }
      const op = ['&&', '||', '(', ')', '<', '>'].find((o) => s.startsWith(o, this.i));
      if (op) { words.push(litWord(op)); this.i += op.length; this.end = this.i; continue; }
      const w = this.readWord();
      if (!w) this.unsupported('a [[ … ]] operand');
      words.push(w);
    }
    const redirs = this.readRedirects();
    return { t: 'dbracket', loc: this.loc(start, this.end), words, redirs };
  }

  private parseSimple(): Node {
    const s = this.s;
    const start = this.i;
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (this.i >= s.length) break;
      if (this.isRedirectAhead()) { redirs.push(this.readRedirect()); continue; }
      const c = s[this.i]!;
      if (c === '\n' || c === ';' || c === '&' || c === '|' || c === ')') break;
      if (c === '(') this.unsupported(words.length === 0 && assigns.length > 0 ? 'an array assignment' : 'an unexpected "("');
      const w = this.readWord();
      if (!w) this.unsupported(`unexpected "${c}"`);
      const assignment = words.length === 0 ? asAssignment(w) : null;
      if (assignment) assigns.push(assignment);
      else words.push(w);
    }
    if (assigns.length === 0 && words.length === 0 && redirs.length === 0) this.unsupported(`unexpected "${s.slice(this.i, this.i + 10)}"`);
    return { t: 'simple', loc: this.loc(start, this.end), assigns, words, redirs };
  }
}

const isFuncName = (s: string): boolean => s.length > 0 && [...s].every((c) => NAME_CHAR(c) || c === '-' || c === '.' || c === ':');

/** NAME=value as the first words of a simple command (the NAME part unquoted). */
function asAssignment(w: Word): Assignment | null {
  const first = w.parts[0];
  if (!first || first.kind !== 'lit' || first.quoted) return null;
  const eq = first.value.indexOf('=');
  if (eq <= 0 || !isName(first.value.slice(0, eq))) return null;
  const rest = first.value.slice(eq + 1);
  const parts: WordPart[] = rest === '' ? [] : [{ kind: 'lit', value: rest, quoted: false }];
  return { name: first.value.slice(0, eq), value: { parts: [...parts, ...w.parts.slice(1)], raw: w.raw.slice(eq + 1) } };
}

/** The inside of ${…}: name, operator, argument (a word whose blanks are literal). */
function parseBraced(inner: string, quoted: boolean): WordPart {
  const unknown: WordPart = { kind: 'cmdsub', text: '${' + inner + '}', quoted };
  if (inner.startsWith('#') && inner.length > 1) {
    const name = inner.slice(1);
    return isName(name) || /^[0-9]+$/.test(name) ? { kind: 'param', name, op: '#len', arg: null, quoted } : unknown;
  }
  let j = 0;
  if (NAME_START(inner[0])) { while (NAME_CHAR(inner[j])) j++; }
  else if (DIGIT(inner[0])) { while (DIGIT(inner[j])) j++; }
  else if (inner[0] !== undefined && '@*#?$!-'.includes(inner[0])) j = 1;
  if (j === 0) return unknown;
  const name = inner.slice(0, j);
  const rest = inner.slice(j);
  if (rest === '') return { kind: 'param', name, op: null, arg: null, quoted };
  const op = PARAM_OPS.find((o) => rest.startsWith(o));
  if (!op) return unknown;
  const argText = rest.slice(op.length);
  const arg = argText === '' ? { parts: [], raw: '' } : new Parser(argText).readWord(true);
  return { kind: 'param', name, op, arg: arg ?? { parts: [], raw: '' }, quoted };
}

/** A command's source text on one line, for messages: blanks collapsed, long text cut. */
export function displayText(source: string): string {
  const more = source.length > 400 && source.slice(400).trim() !== '';
  const firstLines = source.slice(0, 400).replace(/\\\n/g, ' ').split('\n');
  if (more && firstLines.length === 1) firstLines.push('…');
  let text = firstLines[0]!.replace(/\s+/g, ' ').trim();
  if (firstLines.length > 1 && firstLines.slice(1).some((l) => l.trim() !== '')) text += ' …';
  return text.length > 100 ? text.slice(0, 97) + '…' : text;
}
