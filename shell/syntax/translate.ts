// The translator: tree-sitter's concrete syntax tree (shell/syntax/tree.ts) → the command
// tree the interpreter runs (shell/ast.ts): statement lists, and-or lists, pipelines,
// compound commands, simple commands, redirections. Each word's text is read by
// shell/syntax/words.ts.
//
// tree-sitter-bash's structure is not taken at face value:
// - It nests `&&`/`||` lists inside pipelines, a `!` around the pipeline's first
//   command only, and a redirection after `a | b` on the whole pipeline; and-or lists
//   and pipelines are therefore flattened to their operators in source order and
//   rebuilt with the shell's precedence.
// - A here-document swallows the rest of its line (`cat <<EOF | sh && echo ok`): that
//   rest is taken back out of the redirection.
// - It splits a word at a backslash-newline (`a\⏎b`), and sometimes in the middle
//   (`a=$X,b=$Y`): adjacent word nodes are one word, read again from its text.

import type { Assignment, Loc, Node, Redirect, Word } from '../ast.ts';
import { displayText, firstFlaw, NO_CHILDREN, parseCst, REDIRECT_KINDS, statementNodes, type Cst, type ShellParse, type Span, parseShell } from './tree.ts';
import { escapedBlanksAfter, lexHeredoc, lexWord, literalWord, splitWords, tokenizeSimple, BASH_WORDS, type WordSyntax } from './words.ts';

/** Something the translation does not structure (a statement becomes opaque; `sh -c` text is not understood). */
export class Unsupported extends Error {}

/** A NAME=value argument of a declaration builtin: its expansions are not split, its text not globbed. */
function asAssignment(w: Word): Word {
  return { ...w, parts: w.parts.map((p) => (p.kind === 'lit' ? (p.quoted || !/[*?[]/.test(p.value) ? p : { ...p, quoted: true }) : { ...p, quoted: true })) };
}

/** Is the text between two word nodes only line continuations (so they are one word)? */
function joined(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 2) if (text[i] !== '\\' || text[i + 1] !== '\n') return false;
  return true;
}

// ---- the translation ----------------------------------------------------------------

export interface TranslateOptions {
  /** How the target shell reads words. */
  readonly syntax: WordSyntax;
  /** Every location at this line (`sh -c` text). */
  readonly fixedLine?: number;
  /** Anything not translated is an error (`sh -c` text), not an opaque statement. */
  readonly strict?: boolean;
  /** The sourced file the text comes from (locations name it). */
  readonly file?: string;
  /**
   * How a word's nodes become a word (default: its text from `from` to the end of its
   * last node, read by lexWord). Tests give a reader that trusts tree-sitter's nodes to
   * show that the expansion property catches what that gets wrong.
   */
  readonly readWord?: (text: string, nodes: readonly Cst[], from: number) => Word;
}

/** A command of an and-or list or pipeline, in source order. */
interface Element { readonly node: Cst; negated: boolean; readonly redirects: Cst[]; bang?: number }

class Translator {
  readonly opaque: { line: number; reason: string }[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string, private readonly options: TranslateOptions) {
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
    const loc = { line: this.lineAt(start), endLine: this.lineAt(Math.max(start, end - 1)), text: displayText(this.text.slice(start, end)) };
    return this.options.file === undefined ? loc : { ...loc, file: this.options.file };
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
      if (n.error && !this.isCompound(n)) return this.fromText(n.start, this.headEnd(n)) ?? this.fail(n);
      return this.translate(n);
    } catch (err) {
      if (!(err instanceof Unsupported) || this.options.strict) throw err;
      return this.opaqueNode(n, err.message);
    }
  }

  /** All of `text` as one simple command, or null. */
  simpleText(text: string): Node | null {
    return this.fromText(0, text.length);
  }

  private fail(n: Cst): never {
    throw new Unsupported(this.flawOf(n));
  }

  /**
   * A statement tree-sitter could not parse that is one simple command (`printf x ==`):
   * its words, assignments and redirections read from the text; null if it is more.
   */
  private fromText(start: number, end: number): Node | null {
    const text = this.text.slice(start, end);
    const toks = tokenizeSimple(text);
    if (!toks || toks.length === 0) return null;
    const assigns: Assignment[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k]!;
      const src = text.slice(t.start, t.end);
      if (t.kind === 'redir') {
        const target = toks[k + 1];
        if (!target || target.kind !== 'word') return null;
        redirs.push({ op: t.op, fd: t.fd, target: lexWord(text.slice(target.start, target.end), this.options.syntax) });
        k++;
        continue;
      }
      const m = words.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(src) : null;
      if (m && src[m[0].length] !== '(') {
        assigns.push({ name: m[1]!, value: lexWord(src.slice(m[0].length), this.options.syntax), ...(m[2] ? { append: true } : {}) });
        continue;
      }
      words.push(lexWord(src, this.options.syntax));
    }
    return { t: 'simple', loc: this.loc(start, end), assigns, words, redirs };
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
      case 'c_style_for_statement': return this.cForStatement(n);
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

  private cForStatement(n: Cst): Node {
    this.structural(n);
    const open = n.children.find((ch) => ch.type === '((');
    const close = n.children.find((ch) => ch.type === '))');
    if (!open || !close) throw new Unsupported('an arithmetic for loop');
    // the three expressions: the text between (( and )), split at the two top-level `;`
    const semis = n.children.filter((ch) => ch.type === ';' && ch.start > open.start && ch.end <= close.start);
    if (semis.length !== 2) throw new Unsupported('an arithmetic for loop');
    const at = (from: number, to: number): string => this.text.slice(from, to).trim();
    return {
      t: 'cfor', loc: this.loc(n.start, n.end), init: at(open.end, semis[0]!.start), cond: at(semis[0]!.end, semis[1]!.start),
      update: at(semis[1]!.end, close.start), body: this.doGroup(n), redirs: [],
    };
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
    if (n.children[0]?.type === '((') {
      const close = n.children[n.children.length - 1]!;
      return { t: 'arith', loc: this.loc(n.start, n.end), text: this.text.slice(n.children[0].end, close.type === '))' ? close.start : close.end), redirs: [] };
    }
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
    if (n.error && !this.isCompound(n)) {
      const simple = e.redirects.length === 0 ? this.fromText(n.start, this.headEnd(n)) : null;
      if (simple) return simple;
      this.fail(n);
    }
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
    const arrays: Assignment[] = [];
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
          if (n.type === 'declaration_command') {
            const array = this.declaredArray(ch);
            // `local x=$1`: an assignment, not split or globbed (every shell here; XCU 2.9.1 declaration utilities)
            if (!array) { endRun(); words.push(asAssignment(this.words([ch])[0]!)); return; }
            endRun();
            words.push(literalWord(array.name));
            arrays.push(array);
            return;
          }
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
    return { t: 'simple', loc: this.loc(start, end), assigns, words, redirs, ...(arrays.length > 0 ? { arrays } : {}) };
  }

  /** `local X=(…)`: the builtin gets the name; the array is assigned after it ran. */
  private declaredArray(a: Cst): Assignment | null {
    return a.children.some((ch) => ch.type === 'array') ? this.assignment(a) : null;
  }

  private assignment(n: Cst): Assignment {
    const [name, op, ...value] = n.children;
    if (!name || !op || (op.type !== '=' && op.type !== '+=')) throw new Unsupported('an assignment');
    let varName: string;
    let index: string | undefined;
    if (name.type === 'subscript') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/s.exec(this.src(name));
      if (!m) throw new Unsupported('an array element assignment');
      varName = m[1]!;
      index = m[2]!;
    } else if (name.type === 'variable_name') varName = this.src(name);
    else throw new Unsupported('an assignment');
    const append = op.type === '+=' ? { append: true } : {};
    const at = index === undefined ? {} : { index };
    const nodes = value.filter((v) => v.type !== 'comment');
    const array = nodes.length === 1 && nodes[0]!.type === 'array' ? nodes[0]! : null;
    if (array) {
      const elements = array.children.filter((ch) => ch.named && ch.type !== 'comment');
      return { name: varName, ...at, value: literalWord(''), array: this.words(elements), ...append };
    }
    if (nodes.length === 0) return { name: varName, ...at, value: { parts: [], raw: '' }, ...append };
    return { name: varName, ...at, value: this.word(nodes, op.end), ...append };
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
      const quoted = /["'\\]/.test(raw);
      return [{ op, fd, target: { parts: [{ kind: 'lit', value: raw.replace(/["'\\]/g, ''), quoted }], raw }, body: this.heredocBody(n, op === '<<-', quoted) }, ...more];
    }
    const words = this.words(target);
    if (words.length !== 1) throw new Unsupported(`a redirection ${op} without one target`);
    return [{ op, fd, target: words[0]! }, ...more];
  }

  /** The body of a here-document: the lines after its command's line, up to the delimiter line. */
  private heredocBody(n: Cst, stripTabs: boolean, quoted: boolean): Word {
    const body = n.children.find((ch) => ch.type === 'heredoc_body');
    const end = n.children.find((ch) => ch.type === 'heredoc_end');
    let text = '';
    if (body || end) {
      const first = (body ?? end)!.start;
      const from = this.text.lastIndexOf('\n', first - 1) + 1;
      const to = end ? this.text.lastIndexOf('\n', end.start - 1) + 1 : body!.end;
      text = from < to ? this.text.slice(from, to) : '';
    }
    if (stripTabs) text = text.replace(/^\t+/gm, '');
    return quoted ? literalWord(text, true) : lexHeredoc(text, this.options.syntax);
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
    return literalWord(value, quoted);
  }

  // -- words

  /**
   * Word nodes to words: nodes that touch (or meet across a line continuation, where
   * tree-sitter splits a word) are one word.
   */
  private words(nodes: readonly Cst[]): Word[] {
    if (nodes.length === 0) return [];
    if (this.options.readWord || nodes.some((n) => n.type === 'array')) {
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
    // the words are read from the text the nodes cover: tree-sitter's own word boundaries
    // are wrong at escaped blanks (`a\ b \ c`)
    const from = nodes[0]!.start;
    const to = escapedBlanksAfter(this.text, nodes[nodes.length - 1]!.end);
    return splitWords(this.text, from, to).map((w) => lexWord(this.text.slice(w.start, w.end), this.options.syntax));
  }

  /** One word: its text from `from` to the end of its last node, read as the shell reads it. */
  private word(nodes: readonly Cst[], from = nodes[0]!.start): Word {
    const array = nodes.find((n) => n.type === 'array');
    if (array) throw new Unsupported('an array where a word was expected');
    if (this.options.readWord) return this.options.readWord(this.text, nodes, from);
    return lexWord(this.text.slice(from, nodes[nodes.length - 1]!.end), this.options.syntax);
  }
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
export function scriptTree(parse: ShellParse | string, spans?: readonly Span[], options: Partial<TranslateOptions> = {}): TreeResult {
  const p = typeof parse === 'string' ? parseShell(parse) : parse;
  const t = new Translator(p.original ?? p.text, { syntax: BASH_WORDS, ...options });
  const program = t.program(statementNodes(p, spans));
  return { program, opaque: t.opaque };
}

/**
 * The command tree of `sh -c` or `eval` text, every location at `line`. Anything not
 * understood (a parse error included) throws Unsupported.
 */
export function inlineTree(text: string, line: number, syntax: WordSyntax = BASH_WORDS, file?: string): Node {
  const root = parseCst(text);
  const t = new Translator(text, { syntax, fixedLine: line, strict: true, ...(file === undefined ? {} : { file }) });
  if (root.error) {
    // one simple command tree-sitter cannot parse (`echo \ `, `echo $.`): read from its text
    const simple = t.simpleText(text);
    if (simple) return simple;
    const f = firstFlaw(text, root);
    throw new Unsupported(f ? `tree-sitter-bash cannot parse it: ${f.why}` : 'tree-sitter-bash cannot parse it');
  }
  return t.program(root.children);
}
