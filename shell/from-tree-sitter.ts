// Script text → command tree (shell/ast.ts), with tree-sitter-bash (through
// web-tree-sitter) as the parser. tree-sitter gives a concrete syntax tree; this
// module translates it: statement lists, and-or lists, pipelines, compound commands,
// simple commands, and words down to their quoting and expansions.
//
// tree-sitter-bash 0.25 is not the shell's grammar in every corner, so the
// translation does not take its tree at face value:
// - It nests `&&`/`||` lists inside pipelines, a `!` around the pipeline's first
//   command only, and a redirection after `a | b` on the whole pipeline; and-or lists
//   and pipelines are therefore flattened to their operators in source order and
//   rebuilt with the shell's precedence.
// - A here-document swallows the rest of its line (`cat <<EOF | sh && echo ok`): that
//   rest is taken back out of the redirection.
// - It lets some simple commands run past an unescaped newline (`A=1 B=2⏎echo x` is
//   one command; tree-sitter/tree-sitter-bash#228, #342, #347). The newline ends the
//   command in the shell; the parse is redone with a `;` there (positions are mapped
//   back to the original text).
// - It splits a word at a backslash-newline (`a\⏎b`); adjacent word nodes are joined.
// What it still cannot parse (an ERROR or MISSING node, a reserved word as a command
// name) becomes an "opaque" statement at its line: effect unknown, never a crash.

import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import type { Assignment, Loc, Node, ParamOp, Redirect, Word, WordPart } from './ast.ts';

/** Something the translation does not structure (a statement becomes opaque; `sh -c` text is not understood). */
export class Unsupported extends Error {}

// ---- the parser: one per process, loaded on first use ---------------------------

let loading: Promise<void> | null = null;
let parser: Parser | null = null;

/** Load web-tree-sitter and the tree-sitter-bash grammar (once; later calls are free). */
export function loadShellParser(): Promise<void> {
  loading ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

function loadedParser(): Parser {
  if (!parser) throw new Error('internal: the shell parser is not loaded (await loadShellParser() first)');
  return parser;
}

// ---- a plain copy of tree-sitter's tree -------------------------------------------

/** One tree-sitter node, copied out of WASM memory; offsets are string indices into the original text. */
interface Cst {
  readonly type: string;
  readonly named: boolean;
  readonly start: number;
  readonly end: number;
  children: readonly Cst[];
  /** The node is, or contains, an ERROR or MISSING node or a misparse (see `flaw`). */
  error: boolean;
  readonly missing: boolean;
  /** Why this node is wrong, when the check below found it. */
  flaw?: string;
}

const NO_CHILDREN: readonly Cst[] = [];

/** Nodes whose inside the translation never looks at (when the tree has no error). */
const OPAQUE_INSIDE = new Set(['simple_expansion', 'command_substitution', 'arithmetic_expansion', 'process_substitution', 'heredoc_body', 'comment']);

/** Nodes that are one simple command in the shell: an unescaped newline cannot be inside them. */
const SIMPLE_KINDS = new Set(['command', 'variable_assignments', 'declaration_command', 'unset_command']);

/** Reserved words: never a command name in the shell, so tree-sitter misread the text. */
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', '{', '}', 'function', 'select']);

const REDIRECT_KINDS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);

/** Does text[from, to) hold a newline that is not escaped by a backslash? */
function bareNewline(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 10) return true;
  }
  return false;
}

const hasHeredoc = (n: Cst): boolean => n.type === 'heredoc_redirect' || n.children.some(hasHeredoc);

interface Copy { root: Cst; fixes: number[] }

/**
 * Copy the tree (a cursor walk: the node API costs a WASM call per property), mapping
 * offsets back to `text` when `inserted` (sorted original offsets) put a ';' there.
 * On the way, flag simple commands that run past an unescaped newline: where a ';'
 * would end them is returned in `fixes` (or the node is flagged when it cannot be fixed).
 */
function copyTree(tree: Tree, text: string, base: number, inserted: readonly number[]): Copy {
  const language = tree.language;
  const withErrors = tree.rootNode.hasError;
  const names = new Map<number, { type: string; named: boolean }>();
  const kind = (id: number): { type: string; named: boolean } => {
    let k = names.get(id);
    if (!k) {
      const type = language.types[id] ?? 'ERROR';
      k = { type, named: type === 'ERROR' || language.nodeTypeIsNamed(id) };
      names.set(id, k);
    }
    return k;
  };
  // index in the parsed text → index in `text`: plus `base`, minus the ';'s inserted
  // before it (the k-th one is at inserted[k] - base + k in the parsed text)
  const original = inserted.length === 0 ? (m: number) => base + m : (m: number) => {
    let lo = 0, hi = inserted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inserted[mid]! - base + mid < m) lo = mid + 1; else hi = mid;
    }
    return base + m - lo;
  };
  const fixes: number[] = [];
  const c = tree.walk();
  const visit = (): Cst => {
    const { type, named } = kind(c.nodeTypeId);
    const missing = withErrors && c.nodeIsMissing;
    const node: Cst = { type, named, start: original(c.startIndex), end: original(c.endIndex), children: NO_CHILDREN, error: type === 'ERROR' || missing, missing };
    if ((withErrors || !OPAQUE_INSIDE.has(type)) && c.gotoFirstChild()) {
      const children: Cst[] = [];
      do {
        const child = visit();
        if (child.error) node.error = true;
        children.push(child);
      } while (c.gotoNextSibling());
      c.gotoParent();
      node.children = children;
    }
    if (SIMPLE_KINDS.has(type)) check(node);
    return node;
  };
  const check = (node: Cst): void => {
    let prev: Cst | null = null;
    let comment = false;
    for (const child of node.children) {
      if (child.type === 'comment') { comment = prev !== null; continue; }
      if (prev && (comment || bareNewline(text, prev.end, child.start))) {
        if (hasHeredoc(prev)) flag(node, 'a command runs past the end of its line');
        else fixes.push(prev.end);
        return;
      }
      prev = child;
    }
    if (node.type === 'command') {
      const name = node.children.find((ch) => ch.type === 'command_name')?.children[0];
      if (name && name.type === 'word' && RESERVED.has(text.slice(name.start, name.end))) {
        flag(node, `the reserved word \`${text.slice(name.start, name.end)}\` is read as a command name`);
      }
    }
  };
  const flag = (node: Cst, why: string): void => { node.flaw = why; node.error = true; };
  try {
    return { root: visit(), fixes };
  } finally {
    c.delete();
  }
}

/**
 * Parse text[from, to), redoing the parse with a ';' where tree-sitter let a command
 * run past a newline. Offsets in the tree are indices into `text`.
 */
function parseCst(text: string, from = 0, to = text.length): Cst {
  const p = loadedParser();
  let inserted: number[] = [];
  for (let round = 0; ; round++) {
    let source = text.slice(from, to);
    if (inserted.length > 0) {
      const pieces: string[] = [];
      let at = from;
      for (const i of inserted) { pieces.push(text.slice(at, i), ';'); at = i; }
      pieces.push(text.slice(at, to));
      source = pieces.join('');
    }
    const tree = p.parse(source);
    if (!tree) throw new Error('internal: tree-sitter returned no tree');
    let copy: Copy;
    try {
      copy = copyTree(tree, text, from, inserted);
    } finally {
      tree.delete();
    }
    const fresh = [...new Set(copy.fixes)].filter((i) => !inserted.includes(i));
    if (fresh.length === 0 || round >= 8) {
      // what could not be fixed stays flagged: those statements become opaque
      if (copy.fixes.length > 0) flagAt(copy.root, copy.fixes);
      return copy.root;
    }
    inserted = [...inserted, ...fresh].sort((a, b) => a - b);
  }
}

/** Flag the innermost simple command around each offset (a misparse the re-parse did not fix). */
function flagAt(root: Cst, offsets: readonly number[]): void {
  const visit = (n: Cst): boolean => {
    const hit = offsets.some((o) => o > n.start && o < n.end);
    if (!hit) return false;
    let inner = false;
    for (const ch of n.children) if (visit(ch)) inner = true;
    if (!inner && SIMPLE_KINDS.has(n.type)) { n.flaw = 'a command runs past the end of its line'; inner = true; }
    if (inner) n.error = true;
    return inner;
  };
  visit(root);
}

// ---- positions and texts ----------------------------------------------------------

/** A command's source text on one line, for messages: blanks collapsed, long text cut. */
export function displayText(source: string): string {
  const more = source.length > 400 && source.slice(400).trim() !== '';
  const firstLines = source.slice(0, 400).replace(/\\\n/g, ' ').split('\n');
  if (more && firstLines.length === 1) firstLines.push('…');
  let text = firstLines[0]!.replace(/\s+/g, ' ').trim();
  if (firstLines.length > 1 && firstLines.slice(1).some((l) => l.trim() !== '')) text += ' …';
  return text.length > 100 ? text.slice(0, 97) + '…' : text;
}

/** The first ERROR or MISSING node or misparse under `n`, described, with its offset. */
function firstFlaw(text: string, n: Cst): { at: number; why: string } | null {
  if (n.flaw) return { at: n.start, why: n.flaw };
  if (n.missing) return { at: n.start, why: `\`${n.type}\` is missing` };
  if (n.type === 'ERROR') {
    // the first token in the ERROR node that is not part of a complete construct
    const culprit = n.children.find((ch) => ch.error || !ch.named) ?? n;
    if (culprit !== n && culprit.error) return firstFlaw(text, culprit) ?? { at: culprit.start, why: 'cannot parse here' };
    const token = text.slice(culprit.start, Math.min(culprit.end, culprit.start + 20)).split('\n')[0]!;
    return { at: culprit.start, why: token ? `unexpected \`${token}\`` : 'cannot parse here' };
  }
  for (const ch of n.children) {
    if (!ch.error) continue;
    const f = firstFlaw(text, ch);
    if (f) return f;
  }
  return null;
}

// ---- words ------------------------------------------------------------------------

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAM_OPS: readonly ParamOp[] = [':-', ':=', ':?', ':+', '##', '%%', '-', '=', '?', '+', '#', '%'];
const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
/** Parts of a word that are expansions inside "…" (the rest of a string is literal text). */
const EXPANSIONS = new Set(['simple_expansion', 'expansion', 'command_substitution', 'arithmetic_expansion']);

/** Collects a word's parts; adjacent literal text with the same quoting is one part. */
class Parts {
  readonly parts: WordPart[] = [];
  private buf = '';
  private quoted = false;
  private pending = false;

  lit(value: string, quoted: boolean): void {
    if (this.pending && this.quoted !== quoted) this.flush();
    this.buf += value;
    this.quoted = quoted;
    this.pending = true;
  }

  push(part: WordPart): void {
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

/** Unquoted text: a backslash quotes the next character; backslash-newline disappears. */
function unquotedText(s: string, out: Parts): void {
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') { run += c; continue; }
    if (run) { out.lit(run, false); run = ''; }
    if (s[i + 1] === '\n') { i++; continue; }
    if (i + 1 >= s.length) { out.lit('\\', false); continue; }
    out.lit(s[++i]!, true);
  }
  if (run) out.lit(run, false);
}

/** Text inside "…": a backslash quotes only $ ` " \ and newline. */
function doubleQuotedText(s: string, out: Parts): void {
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && '$`"\\\n'.includes(next)) {
      if (next !== '\n') run += next;
      i++;
    } else run += c;
  }
  out.lit(run, true);
}

function ansiC(s: string): string {
  let value = '';
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '\\' && j + 1 < s.length) { value += C_ESCAPES[s[j + 1]!] ?? '\\' + s[j + 1]; j++; }
    else value += s[j];
  }
  return value;
}

/** Backquoted command text: \$ \` \\ lose their backslash. */
function backquoted(s: string): string {
  let text = '';
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '\\' && j + 1 < s.length) { text += '$`\\'.includes(s[j + 1]!) ? s[j + 1] : s[j]! + s[j + 1]!; j++; }
    else text += s[j];
  }
  return text;
}

/** Is the text between two word nodes only line continuations (so they are one word)? */
function joined(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 2) if (text[i] !== '\\' || text[i + 1] !== '\n') return false;
  return true;
}

// ---- the translation ----------------------------------------------------------------

interface Options {
  /** Every location at this line (`sh -c` text). */
  readonly fixedLine?: number;
  /** Anything not translated is an error (`sh -c` text), not an opaque statement. */
  readonly strict?: boolean;
}

/** A command of an and-or list or pipeline, in source order. */
interface Element { readonly node: Cst; negated: boolean; readonly redirects: Cst[]; bang?: number }

class Translator {
  readonly opaque: { line: number; reason: string }[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string, private readonly options: Options) {
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) this.lineStarts.push(k + 1);
  }

  // -- positions

  private lineAt(offset: number): number {
    if (this.options.fixedLine !== undefined) return this.options.fixedLine;
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  private loc(start: number, end: number): Loc {
    return { line: this.lineAt(start), endLine: this.lineAt(Math.max(start, end - 1)), text: displayText(this.text.slice(start, end)) };
  }

  private src(n: Cst): string { return this.text.slice(n.start, n.end); }

  // -- statements

  program(nodes: readonly Cst[]): Node {
    return this.list(nodes, 0);
  }

  /** A statement list: statements, `&` after one puts it in the background; `;` and comments are skipped. */
  private list(nodes: readonly Cst[], at: number): Node {
    const items: { node: Node; background: boolean; start: number; end: number }[] = [];
    for (const n of nodes) {
      if (!n.named) {
        if (n.type === '&' && items.length > 0) items[items.length - 1]!.background = true;
        else if (n.missing) items.push({ node: this.opaqueNode(n, this.flawOf(n)), background: false, start: n.start, end: n.end });
        continue;
      }
      if (n.type === 'comment' || n.type === 'heredoc_body') continue;
      items.push({ node: this.statement(n), background: false, start: n.start, end: this.headEnd(n) });
    }
    if (items.length === 1 && !items[0]!.background) return items[0]!.node;
    const loc = items.length > 0 ? this.loc(items[0]!.start, items[items.length - 1]!.end) : this.loc(at, at);
    return { t: 'list', loc, items: items.map(({ node, background }) => ({ node, background })) };
  }

  /** One statement; what cannot be translated becomes opaque at its line. */
  private statement(n: Cst): Node {
    try {
      if (n.error && !this.isCompound(n)) throw new Unsupported(this.flawOf(n));
      return this.translate(n);
    } catch (err) {
      if (!(err instanceof Unsupported) || this.options.strict) throw err;
      return this.opaqueNode(n, err.message);
    }
  }

  private opaqueNode(n: Cst, reason: string): Node {
    const loc = this.loc(n.start, this.headEnd(n));
    this.opaque.push({ line: loc.line, reason });
    return { t: 'opaque', loc, reason };
  }

  private flawOf(n: Cst): string {
    const f = firstFlaw(this.text, n);
    if (!f) return 'tree-sitter-bash cannot parse it';
    const line = this.lineAt(f.at);
    const where = this.options.fixedLine === undefined ? ` at ${line}:${f.at - this.lineStarts[line - 1]! + 1}` : '';
    return `tree-sitter-bash cannot parse it: ${f.why}${where}`;
  }

  /** Compound commands keep their structure when the error is inside one of their statements. */
  private isCompound(n: Cst): boolean {
    if (n.flaw || n.type === 'ERROR') return false;
    if (n.type === 'redirected_statement') {
      const body = this.bodyOf(n);
      return body !== null && this.isCompound(body) && n.children.every((ch) => ch === body || !ch.error);
    }
    return ['if_statement', 'while_statement', 'for_statement', 'case_statement', 'compound_statement', 'subshell', 'function_definition'].includes(n.type);
  }

  private translate(n: Cst): Node {
    switch (n.type) {
      case 'command': case 'variable_assignment': case 'variable_assignments': case 'declaration_command': case 'unset_command':
        return this.simple(n, []);
      case 'list': case 'pipeline': case 'negated_command': case 'redirected_statement':
        return this.andOr(n);
      case 'test_command': return this.test(n, []);
      case 'if_statement': return this.ifStatement(n);
      case 'while_statement': return this.whileStatement(n);
      case 'for_statement': return this.forStatement(n);
      case 'c_style_for_statement': throw new Unsupported('an arithmetic for loop');
      case 'case_statement': return this.caseStatement(n);
      case 'compound_statement': return this.group(n, false);
      case 'subshell': return this.group(n, true);
      case 'function_definition': return this.func(n);
      case 'ERROR': throw new Unsupported(this.flawOf(n));
      default: throw new Unsupported(`a ${n.type.replace(/_/g, ' ')}`);
    }
  }

  /** Reject a compound command whose own keywords tree-sitter could not place. */
  private structural(n: Cst): void {
    for (const ch of n.children) if (ch.missing || ch.type === 'ERROR') throw new Unsupported(this.flawOf(ch));
  }

  /** The children after the token `from` (null: from the first) and before the first child of a type in `to`. */
  private between(n: Cst, from: string | null, to: readonly string[]): Cst[] {
    const out: Cst[] = [];
    let inside = from === null;
    for (const ch of n.children) {
      if (!inside) { if (!ch.named && ch.type === from) inside = true; continue; }
      if (to.includes(ch.type)) break;
      out.push(ch);
    }
    return out;
  }

  private ifStatement(n: Cst): Node {
    this.structural(n);
    const branches: { cond: Node; body: Node }[] = [];
    let otherwise: Node | null = null;
    const clause = (c: Cst, keyword: string): void => {
      this.structural(c);
      const thenAt = c.children.find((ch) => ch.type === 'then')?.start ?? c.start;
      branches.push({
        cond: this.list(this.between(c, keyword, ['then']), c.start),
        body: this.list(this.between(c, 'then', ['elif_clause', 'else_clause', 'fi']), thenAt),
      });
    };
    clause(n, 'if');
    for (const ch of n.children) {
      if (ch.type === 'elif_clause') clause(ch, 'elif');
      else if (ch.type === 'else_clause') { this.structural(ch); otherwise = this.list(this.between(ch, 'else', []), ch.start); }
    }
    return { t: 'if', loc: this.loc(n.start, n.end), branches, otherwise, redirs: [] };
  }

  private doGroup(n: Cst): Node {
    const body = n.children.find((ch) => ch.type === 'do_group');
    if (!body) {
      // `for x in …; { …; }` (bash) and the like
      const other = n.children[n.children.length - 1];
      if (other?.type === 'compound_statement') return this.group(other, false);
      throw new Unsupported(`a loop without do … done`);
    }
    this.structural(body);
    return this.list(this.between(body, 'do', ['done']), body.start);
  }

  private whileStatement(n: Cst): Node {
    this.structural(n);
    const keyword = n.children[0]!.type;
    const until = keyword === 'until';
    const cond = this.list(this.between(n, keyword, ['do_group']), n.start);
    return { t: 'loop', loc: this.loc(n.start, n.end), until, cond, body: this.doGroup(n), redirs: [] };
  }

  private forStatement(n: Cst): Node {
    this.structural(n);
    if (n.children[0]!.type === 'select') throw new Unsupported('select loops');
    const variable = n.children.find((ch) => ch.type === 'variable_name');
    if (!variable) throw new Unsupported('a for-loop variable');
    let items: Word[] | null = null;
    if (n.children.some((ch) => ch.type === 'in' && !ch.named)) {
      const values = this.between(n, 'in', [';', 'do_group', 'compound_statement']).filter((ch) => ch.type !== 'comment');
      items = this.words(values);
    }
    return { t: 'for', loc: this.loc(n.start, n.end), name: this.src(variable), items, body: this.doGroup(n), redirs: [] };
  }

  private caseStatement(n: Cst): Node {
    this.structural(n);
    const head = this.between(n, 'case', ['in']).filter((ch) => ch.type !== 'comment');
    const words = this.words(head);
    if (words.length !== 1) throw new Unsupported('a case word');
    const arms: { patterns: Word[]; body: Node }[] = [];
    for (const item of n.children) {
      if (item.type !== 'case_item') continue;
      this.structural(item);
      const close = item.children.findIndex((ch) => ch.type === ')' && !ch.named);
      if (close < 0) throw new Unsupported('a case pattern');
      const patterns: Word[] = [];
      let current: Cst[] = [];
      const endPattern = (): void => {
        if (current.length === 0) throw new Unsupported('an empty case pattern');
        patterns.push(this.word(current));
        current = [];
      };
      for (const ch of item.children.slice(0, close)) {
        if (!ch.named && ch.type === '(' && patterns.length === 0 && current.length === 0) continue;
        if (!ch.named && ch.type === '|') { endPattern(); continue; }
        if (ch.type !== 'comment') current.push(ch);
      }
      endPattern();
      const rest = item.children.slice(close + 1).filter((ch) => ch.named || !/^;;?&?$|^;&$/.test(ch.type));
      arms.push({ patterns, body: this.list(rest, item.children[close]!.end) });
    }
    return { t: 'case', loc: this.loc(n.start, n.end), word: words[0]!, arms, redirs: [] };
  }

  private group(n: Cst, subshell: boolean): Node {
    this.structural(n);
    if (n.children[0]?.type === '((') throw new Unsupported('an arithmetic command ((…))');
    const [open, close] = subshell ? ['(', ')'] : ['{', '}'];
    return { t: 'group', loc: this.loc(n.start, n.end), subshell, body: this.list(this.between(n, open, [close]), n.start), redirs: [] };
  }

  private func(n: Cst): Node {
    this.structural(n);
    const named = n.children.filter((ch) => ch.named && ch.type !== 'comment');
    const name = named[0];
    const body = named[1];
    if (!name || !body) throw new Unsupported('a function definition');
    const redirects = named.slice(2).filter((ch) => REDIRECT_KINDS.has(ch.type));
    const bodyNode = this.withRedirects(this.statement(body), redirects, [body.start, Math.max(body.end, ...redirects.map((r) => this.headEnd(r)))]);
    const head = n.children.filter((ch) => ch.end <= body.start && ch.type !== 'comment');
    return { t: 'func', loc: this.loc(n.start, head[head.length - 1]!.end), name: this.src(name), body: bodyNode };
  }

  // -- and-or lists and pipelines

  private bodyOf(n: Cst): Cst | null {
    return n.children.find((ch) => ch.named && !REDIRECT_KINDS.has(ch.type) && ch.type !== 'comment') ?? null;
  }

  /** Commands and operators in source order, whatever tree-sitter's nesting. */
  private flatten(n: Cst, items: Element[], ops: string[]): void {
    const children = (nodes: readonly Cst[]): void => {
      for (const ch of nodes) {
        if (!ch.named) {
          if (ch.type === '&&' || ch.type === '||' || ch.type === '|' || ch.type === '|&') ops.push(ch.type === '|&' ? '|' : ch.type);
          else if (ch.missing || ch.type !== '!') throw new Unsupported(ch.missing ? this.flawOf(ch) : `unexpected \`${ch.type}\``);
          continue;
        }
        if (ch.type !== 'comment') this.flatten(ch, items, ops);
      }
    };
    switch (n.type) {
      case 'list': case 'pipeline':
        children(n.children);
        return;
      case 'negated_command': {
        const first = items.length;
        children(n.children);
        if (items.length === first) throw new Unsupported('`!` without a command');
        items[first]!.negated = !items[first]!.negated;
        items[first]!.bang = Math.min(items[first]!.bang ?? n.start, n.start);
        return;
      }
      case 'redirected_statement': {
        const body = this.bodyOf(n);
        const redirects = n.children.filter((ch) => REDIRECT_KINDS.has(ch.type));
        if (body) this.flatten(body, items, ops);
        else items.push({ node: n, negated: false, redirects: [] });
        // the redirections belong to the last command before them
        if (body) items[items.length - 1]!.redirects.push(...redirects);
        // a here-document's line goes on after it: `cat <<EOF | sh && echo ok`
        for (const r of redirects) {
          if (r.type !== 'heredoc_redirect') continue;
          children(r.children.filter((ch) => !this.isHeredocPart(ch)));
        }
        return;
      }
      default:
        items.push({ node: n, negated: false, redirects: [] });
    }
  }

  /** The parts of a here-document redirection that are the redirection itself. */
  private isHeredocPart(ch: Cst): boolean {
    return ['<<', '<<-', 'heredoc_start', 'heredoc_body', 'heredoc_end', 'heredoc_content', 'file_redirect', 'herestring_redirect', 'comment'].includes(ch.type);
  }

  private andOr(n: Cst): Node {
    const items: Element[] = [];
    const ops: string[] = [];
    this.flatten(n, items, ops);
    if (items.length !== ops.length + 1) throw new Unsupported('an and-or list tree-sitter-bash could not place');
    // pipelines bind tighter than && and ||
    const groups: { op: '&&' | '||' | null; elements: Element[] }[] = [{ op: null, elements: [items[0]!] }];
    ops.forEach((op, k) => {
      if (op === '|') groups[groups.length - 1]!.elements.push(items[k + 1]!);
      else groups.push({ op: op as '&&' | '||', elements: [items[k + 1]!] });
    });
    const pipelines = groups.map((g) => ({ op: g.op, node: this.pipeline(g.elements), start: Math.min(g.elements[0]!.bang ?? Infinity, this.startOf(g.elements[0]!)), end: this.endOf(g.elements[g.elements.length - 1]!) }));
    if (pipelines.length === 1) return pipelines[0]!.node;
    return {
      t: 'andor', loc: this.loc(pipelines[0]!.start, pipelines[pipelines.length - 1]!.end), first: pipelines[0]!.node,
      rest: pipelines.slice(1).map((p) => ({ op: p.op!, node: p.node })),
    };
  }

  private pipeline(elements: readonly Element[]): Node {
    const cmds = elements.map((e, k) => {
      const node = this.element(e);
      if (!e.negated || k === 0) return node;
      return { t: 'pipeline' as const, loc: node.loc, negated: true, cmds: [node] };
    });
    const negated = elements[0]!.negated;
    if (cmds.length === 1 && !negated) return cmds[0]!;
    const first = elements[0]!;
    return { t: 'pipeline', loc: this.loc(Math.min(first.bang ?? first.node.start, this.startOf(first)), this.endOf(elements[elements.length - 1]!)), negated, cmds };
  }

  /** Where a command starts (its redirections included, a `!` before it not). */
  private startOf(e: Element): number {
    return Math.min(e.node.start, ...e.redirects.map((r) => r.start));
  }

  private endOf(e: Element): number {
    return Math.max(this.headEnd(e.node), ...e.redirects.map((r) => this.headEnd(r)));
  }

  /** Where a statement's own text ends: a here-document's body and its trailers are not part of it. */
  private headEnd(n: Cst): number {
    if (n.type === 'heredoc_redirect') {
      let end = n.start;
      for (const ch of n.children) if (['<<', '<<-', 'heredoc_start', 'file_redirect', 'herestring_redirect', 'ERROR'].includes(ch.type)) end = Math.max(end, ch.end);
      return end;
    }
    if (n.type === 'redirected_statement' || n.type === 'command') {
      let end = n.start;
      for (const ch of n.children) end = Math.max(end, REDIRECT_KINDS.has(ch.type) ? this.headEnd(ch) : ch.type === 'comment' ? end : ch.end);
      return end;
    }
    return n.end;
  }

  private element(e: Element): Node {
    const n = e.node;
    if (n.error && !this.isCompound(n)) throw new Unsupported(this.flawOf(n));
    switch (n.type) {
      case 'command': case 'variable_assignment': case 'variable_assignments': case 'declaration_command': case 'unset_command':
        return this.simple(n, e.redirects, this.startOf(e), this.endOf(e));
      case 'redirected_statement': // only redirections
        return this.simple(n, n.children.filter((ch) => REDIRECT_KINDS.has(ch.type)), n.start, this.headEnd(n));
      case 'test_command':
        return this.test(n, e.redirects, this.endOf(e));
      default:
        return this.withRedirects(this.statement(n), e.redirects, [n.start, this.endOf(e)]);
    }
  }

  /** A compound command with redirections after it (`if …; fi >log`, `{ …; } 2>&1`). */
  private withRedirects(node: Node, redirects: readonly Cst[], span?: readonly [number, number]): Node {
    if (redirects.length === 0) return node;
    const redirs = redirects.flatMap((r) => this.redirect(r));
    const loc = span && node.t !== 'opaque' ? this.loc(span[0], span[1]) : node.loc;
    switch (node.t) {
      case 'simple': case 'if': case 'loop': case 'for': case 'case': case 'group': case 'dbracket':
        return { ...node, loc, redirs: [...node.redirs, ...redirs] };
      default:
        return { t: 'group', loc, subshell: false, body: node, redirs };
    }
  }

  // -- simple commands

  private simple(n: Cst, extra: readonly Cst[], start = n.start, end = this.headEnd(n)): Node {
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    let run: Cst[] = [];
    const endRun = (): void => {
      if (run.length > 0) words.push(...this.words(run));
      run = [];
    };
    const visit = (ch: Cst): void => {
      if (REDIRECT_KINDS.has(ch.type)) { endRun(); redirs.push(...this.redirect(ch)); return; }
      switch (ch.type) {
        case 'comment': return;
        case 'variable_assignment':
          if (n.type === 'declaration_command') { run.push(this.checkedDeclared(ch)); return; }
          endRun();
          if (words.length > 0) { run.push(ch); return; }
          assigns.push(this.assignment(ch));
          return;
        case 'command_name': for (const c of ch.children) run.push(c); return;
        default: run.push(ch);
      }
    };
    if (n.type === 'variable_assignment') assigns.push(this.assignment(n));
    else for (const ch of n.children) visit(ch);
    endRun();
    for (const r of extra) redirs.push(...this.redirect(r));
    if (assigns.length === 0 && words.length === 0 && redirs.length === 0) throw new Unsupported('an empty command');
    return { t: 'simple', loc: this.loc(start, end), assigns, words, redirs };
  }

  /** `export X=(…)` and the like: not a word. */
  private checkedDeclared(a: Cst): Cst {
    if (a.children.some((ch) => ch.type === 'array')) throw new Unsupported('an array assignment');
    return a;
  }

  private assignment(n: Cst): Assignment {
    const [name, op, ...value] = n.children;
    if (!name || !op) throw new Unsupported('an assignment');
    if (name.type === 'subscript') throw new Unsupported('an array element assignment');
    if (op.type === '+=') throw new Unsupported('an appending assignment (+=)');
    if (name.type !== 'variable_name' || op.type !== '=') throw new Unsupported('an assignment');
    if (value.some((v) => v.type === 'array')) throw new Unsupported('an array assignment');
    const nodes = value.filter((v) => v.type !== 'comment');
    if (nodes.length === 0) return { name: this.src(name), value: { parts: [], raw: '' } };
    return { name: this.src(name), value: this.word(nodes, op.end) };
  }

  private redirect(n: Cst): Redirect[] {
    let fd: number | null = null;
    let op: string | null = null;
    const target: Cst[] = [];
    const more: Redirect[] = [];
    for (const ch of n.children) {
      if (ch.type === 'file_descriptor') fd = Number(this.src(ch));
      else if (ch.type === 'heredoc_start') target.push(ch);
      else if (n.type === 'heredoc_redirect' && REDIRECT_KINDS.has(ch.type)) more.push(...this.redirect(ch));
      else if (n.type === 'heredoc_redirect' && this.isHeredocPart(ch)) { if (op === null && !ch.named) op = ch.type; }
      else if (n.type === 'heredoc_redirect') continue; // the rest of the line: see flatten
      else if (!ch.named && op === null) op = ch.type;
      else if (ch.type !== 'comment') target.push(ch);
    }
    if (op === null) throw new Unsupported('a redirection');
    if ((op === '>&-' || op === '<&-') && target.length === 0) {
      return [{ op: op.slice(0, 2), fd, target: { parts: [{ kind: 'lit', value: '-', quoted: false }], raw: '-' } }, ...more];
    }
    if (n.type === 'heredoc_redirect') {
      const delim = target[0];
      if (!delim) throw new Unsupported('a here-document without a delimiter');
      const raw = this.src(delim);
      return [{ op, fd, target: { parts: [{ kind: 'lit', value: raw.replace(/["'\\]/g, ''), quoted: /["'\\]/.test(raw) }], raw } }, ...more];
    }
    const words = this.words(target);
    if (words.length !== 1) throw new Unsupported(`a redirection ${op} without one target`);
    return [{ op, fd, target: words[0]! }, ...more];
  }

  // -- [ … ] and [[ … ]]

  private test(n: Cst, extra: readonly Cst[], end = n.end): Node {
    const open = n.children[0];
    const close = n.children[n.children.length - 1];
    if (!open || !close || (open.type !== '[' && open.type !== '[[')) throw new Unsupported('a test command');
    const double = open.type === '[[';
    const leaves: Cst[] = [];
    const collect = (x: Cst): void => {
      if (x.type === 'comment') return;
      if (['unary_expression', 'binary_expression', 'parenthesized_expression', 'ternary_expression', 'postfix_expression'].includes(x.type)) {
        for (const ch of x.children) collect(ch);
      } else leaves.push(x);
    };
    for (const ch of n.children.slice(1, -1)) collect(ch);
    const redirs = extra.flatMap((r) => this.redirect(r));
    if (!double) {
      // `[` is a command: its words, `[` and `]` included
      const words = [this.literalWord('[', false), ...this.words(leaves), this.literalWord(this.src(close), false)];
      return { t: 'simple', loc: this.loc(n.start, end), assigns: [], words, redirs };
    }
    const OPS = new Set(['&&', '||', '(', ')', '<', '>']);
    const words: Word[] = [];
    let run: Cst[] = [];
    const endRun = (): void => { if (run.length > 0) words.push(...this.words(run)); run = []; };
    for (const leaf of leaves) {
      if (!leaf.named && OPS.has(leaf.type)) { endRun(); words.push(this.literalWord(leaf.type, true)); }
      else run.push(leaf);
    }
    endRun();
    return { t: 'dbracket', loc: this.loc(n.start, end), words, redirs };
  }

  private literalWord(value: string, quoted: boolean): Word {
    return { parts: [{ kind: 'lit', value, quoted }], raw: value };
  }

  // -- words

  /**
   * Word nodes to words: nodes that touch (or meet across a line continuation, where
   * tree-sitter splits a word) are one word.
   */
  private words(nodes: readonly Cst[]): Word[] {
    const out: Word[] = [];
    let group: Cst[] = [];
    for (const n of nodes) {
      const last = group[group.length - 1];
      if (last && !joined(this.text, last.end, n.start)) { out.push(this.word(group)); group = []; }
      group.push(n);
    }
    if (group.length > 0) out.push(this.word(group));
    return out;
  }

  /** One word from its nodes (and the text between them); `from`: where the word's text starts. */
  private word(nodes: readonly Cst[], from = nodes[0]!.start): Word {
    const out = new Parts();
    let at = from;
    for (const n of nodes) {
      if (n.start > at) unquotedText(this.text.slice(at, n.start), out);
      this.part(n, out, false);
      at = Math.max(at, n.end);
    }
    const end = nodes[nodes.length - 1]!.end;
    return { parts: out.done(), raw: this.text.slice(from, end) };
  }

  /** A node's text, quoting and expansions, appended to `out`; `quoted`: inside "…". */
  private part(n: Cst, out: Parts, quoted: boolean): void {
    const s = this.src(n);
    switch (n.type) {
      case 'raw_string':
        out.lit(s.slice(1, -1), true);
        return;
      case 'ansi_c_string':
        out.lit(ansiC(s.slice(2, -1)), true);
        return;
      case 'string': case 'translated_string': {
        out.lit('', true);
        const open = n.start + (s.startsWith('$') ? 2 : 1);
        const close = s.length >= 2 && s.endsWith('"') ? n.end - 1 : n.end;
        let at = open;
        for (const ch of n.children) {
          if (!EXPANSIONS.has(ch.type)) continue;
          if (ch.start > at) doubleQuotedText(this.text.slice(at, ch.start), out);
          this.part(ch, out, true);
          at = ch.end;
        }
        if (close > at) doubleQuotedText(this.text.slice(at, close), out);
        return;
      }
      case 'simple_expansion': {
        const name = s.slice(1);
        if (/^[0-9]{2,}$/.test(name)) {
          // $10 is $1 followed by 0
          out.push({ kind: 'param', name: name[0]!, op: null, arg: null, quoted });
          out.lit(name.slice(1), quoted);
        } else if (NAME_RE.test(name) || /^[0-9@*#?$!-]$/.test(name)) {
          out.push({ kind: 'param', name, op: null, arg: null, quoted });
        } else if (quoted) doubleQuotedText(s, out);
        else unquotedText(s, out);
        return;
      }
      case 'expansion':
        out.push(this.expansion(n, quoted));
        return;
      case 'command_substitution':
        out.push({ kind: 'cmdsub', text: s.startsWith('$(') ? s.slice(2, -1) : backquoted(s.slice(1, -1)), quoted });
        return;
      case 'arithmetic_expansion':
        out.push({ kind: 'arith', text: s.startsWith('$((') ? s.slice(3, -2) : s.slice(2, -1), quoted });
        return;
      case 'process_substitution':
        out.push({ kind: 'cmdsub', text: s.slice(2, -1), quoted });
        return;
      case 'array':
        throw new Unsupported('an array');
      default: {
        if (n.children.length === 0) {
          if (quoted) doubleQuotedText(s, out);
          else unquotedText(s, out);
          return;
        }
        // concatenation and the like: the parts in order, the text between them literal
        let at = n.start;
        for (const ch of n.children) {
          if (ch.start > at) (quoted ? doubleQuotedText : unquotedText)(this.text.slice(at, ch.start), out);
          this.part(ch, out, quoted);
          at = Math.max(at, ch.end);
        }
        if (n.end > at) (quoted ? doubleQuotedText : unquotedText)(this.text.slice(at, n.end), out);
      }
    }
  }

  /** ${name}, ${name<op>word}, ${#name}; anything else is kept whole as an unsupported expansion. */
  private expansion(n: Cst, quoted: boolean): WordPart {
    const s = this.src(n);
    const unknown: WordPart = { kind: 'cmdsub', text: s, quoted };
    const ch = n.children;
    if (ch.length < 3 || ch[0]!.type !== '${' || ch[ch.length - 1]!.type !== '}') return unknown;
    const inner = ch.slice(1, -1).filter((c) => c.type !== 'comment');
    // ${#} is the number of positional parameters; ${#name} a length
    if (inner.length === 1 && !inner[0]!.named && inner[0]!.type === '#') return { kind: 'param', name: '#', op: null, arg: null, quoted };
    let k = 0;
    const len = !inner[0]!.named && inner[0]!.type === '#';
    if (len) k++;
    const nameNode = inner[k];
    if (!nameNode || (nameNode.type !== 'variable_name' && nameNode.type !== 'special_variable_name')) return unknown;
    const name = this.src(nameNode);
    if (!NAME_RE.test(name) && !/^([0-9]+|[@*#?$!-])$/.test(name)) return unknown;
    k++;
    if (len) return k === inner.length ? { kind: 'param', name, op: '#len', arg: null, quoted } : unknown;
    if (k === inner.length) return { kind: 'param', name, op: null, arg: null, quoted };
    const opNode = inner[k]!;
    const op = PARAM_OPS.find((o) => o === opNode.type);
    if (opNode.named || !op) return unknown;
    const argNodes = inner.slice(k + 1);
    // a second operator (${x/a/b}, ${x:1:2}): not one of the supported forms
    if (argNodes.some((a) => !a.named && (PARAM_OPS.includes(a.type as ParamOp) || /^[/:^,@]/.test(a.type)))) return unknown;
    const close = ch[ch.length - 1]!.start;
    if (argNodes.length === 0) {
      const text = this.text.slice(opNode.end, close);
      const out = new Parts();
      unquotedText(text, out);
      return { kind: 'param', name, op, arg: { parts: out.done(), raw: text }, quoted };
    }
    const out = new Parts();
    let at = opNode.end;
    for (const a of argNodes) {
      if (a.start > at) unquotedText(this.text.slice(at, a.start), out);
      this.part(a, out, false);
      at = Math.max(at, a.end);
    }
    if (close > at) unquotedText(this.text.slice(at, close), out);
    return { kind: 'param', name, op, arg: { parts: out.done(), raw: this.text.slice(opNode.end, close) }, quoted };
  }
}

// ---- entry points -------------------------------------------------------------------

/** tree-sitter's parse of a whole script. */
export interface ShellParse {
  readonly text: string;
  readonly root: Cst;
  /** The tree has ERROR or MISSING nodes or misparses: give `scriptTree` the statements' spans. */
  readonly errors: boolean;
}

export function parseShell(text: string): ShellParse {
  const root = parseCst(text);
  return { text, root, errors: root.error };
}

/** A top-level statement's span in the text (string indices), from a validating parser. */
export type Span = readonly [start: number, end: number];

/**
 * Top-level nodes of the parse, with the statements tree-sitter could not parse (and
 * the valid ones its error recovery swallowed) parsed again one by one: each statement
 * that overlaps an erroneous node, from its start to the next statement's start.
 */
function statementNodes(parse: ShellParse, spans: readonly Span[] | undefined): readonly Cst[] {
  const { text, root } = parse;
  if (!root.error || !spans || spans.length === 0) return root.children;
  // segment k: statement k and what follows it up to statement k + 1 (here-document bodies, comments)
  const segments = spans.map(([start, own], k) => ({ start: k === 0 ? 0 : start, own, end: k + 1 < spans.length ? spans[k + 1]![0] : text.length, dirty: false }));
  /** The segments a node overlaps, as an index range (segments are sorted and contiguous). */
  const range = (n: Cst): [number, number] => {
    const find = (offset: number): number => {
      let lo = 0, hi = segments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (segments[mid]!.start <= offset) lo = mid; else hi = mid - 1;
      }
      return lo;
    };
    return [find(n.start), find(Math.max(n.start, n.end - 1))];
  };
  const ranges = new Map(root.children.map((n) => [n, range(n)]));
  const dropped = new Set<Cst>(root.children.filter((n) => n.error));
  // a statement is parsed again when a dropped node overlaps it; a node that overlaps
  // a statement parsed again is dropped: until nothing changes
  for (let changed = true; changed;) {
    changed = false;
    for (const n of dropped) {
      const [lo, hi] = ranges.get(n)!;
      for (let k = lo; k <= hi; k++) if (!segments[k]!.dirty) { segments[k]!.dirty = true; changed = true; }
    }
    for (const n of root.children) {
      if (dropped.has(n)) continue;
      const [lo, hi] = ranges.get(n)!;
      for (let k = lo; k <= hi; k++) if (segments[k]!.dirty) { dropped.add(n); changed = true; break; }
    }
  }
  const kept = root.children.filter((n) => !dropped.has(n));
  const again = segments.filter((seg) => seg.dirty).flatMap((seg) => {
    const r = parseCst(text, seg.start, seg.end);
    const statements = r.children.filter((n) => n.named && n.type !== 'comment' && n.type !== 'heredoc_body');
    if (!r.error || statements.length <= 1) return r.children;
    // one statement, which tree-sitter breaks into pieces: one opaque statement
    const own = text.slice(seg.start, seg.own);
    const start = seg.start + (own.length - own.trimStart().length);
    const whole: Cst = { type: 'unparsed_statement', named: true, start, end: seg.own, children: r.children, error: true, missing: false };
    const background = /[^&]&\s*$/.test(own);
    return background ? [whole, { type: '&', named: false, start: seg.own - 1, end: seg.own, children: NO_CHILDREN, error: false, missing: false }] : [whole];
  });
  return [...kept, ...again].sort((a, b) => a.start - b.start || a.end - b.end);
}

export interface TreeResult {
  readonly program: Node;
  /** Statements that could not be translated, by line (also opaque nodes in `program`). */
  readonly opaque: readonly { line: number; reason: string }[];
}

/**
 * The command tree of a script (the parser must be loaded: `loadShellParser`). What
 * tree-sitter cannot parse or the translation does not structure becomes an opaque
 * statement at its line. `spans`: the script's top-level statements (when
 * `parse.errors`), so that a statement tree-sitter cannot parse does not take its
 * neighbours down with it.
 */
export function scriptTree(parse: ShellParse | string, spans?: readonly Span[]): TreeResult {
  const p = typeof parse === 'string' ? parseShell(parse) : parse;
  const t = new Translator(p.text, {});
  const program = t.program(statementNodes(p, spans));
  return { program, opaque: t.opaque };
}

/**
 * The command tree of `sh -c` or `eval` text, every location at `line`. Anything not
 * understood (a parse error included) throws Unsupported.
 */
export function inlineTree(text: string, line: number): Node {
  const root = parseCst(text);
  const t = new Translator(text, { fixedLine: line, strict: true });
  if (root.error) {
    const f = firstFlaw(text, root);
    throw new Unsupported(f ? `tree-sitter-bash cannot parse it: ${f.why}` : 'tree-sitter-bash cannot parse it');
  }
  return t.program(root.children);
}
