// Tree loading and repair: tree-sitter-bash (through web-tree-sitter) parses the script
// into a concrete syntax tree, copied out of WASM memory into plain objects (Cst).
//
// tree-sitter-bash 0.25 is not the shell's grammar in every corner, so the tree is
// repaired here before the translation (shell/syntax/translate.ts) reads it:
// - It lets some simple commands run past an unescaped newline (`A=1 B=2⏎echo x` is
//   one command; tree-sitter/tree-sitter-bash#228, #342, #347). The newline ends the
//   command in the shell; the parse is redone with a `;` there (positions are mapped
//   back to the original text).
// - A reserved word read as a command name, an ERROR or MISSING node: the statement is
//   flagged (it becomes an "opaque" statement at its line: effect unknown, never a crash),
//   and when a validating parser gave the statements' spans (shell/parse.ts), the
//   statements around the damage are parsed again one by one.

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser, type Tree } from 'web-tree-sitter';

// ---- the parser: one per process, loaded on first use ---------------------------

let loading: Promise<void> | null = null;
let parser: Parser | null = null;

/**
 * Load web-tree-sitter and the tree-sitter-bash grammar (once; later calls are free).
 * Before the first WASM module (tree-sitter's, then sh-syntax's on its first call) is
 * compiled, V8 is told to keep the baseline compiler's code (Liftoff): optimising
 * 2 MB of WASM in the background cost 1.5 s of CPU per run, more than the whole check
 * of a start-up script, and a 10,000-line script runs no slower without it
 * (bench/script-timing.sh; measured in the README).
 */
export function loadShellParser(): Promise<void> {
  loading ??= (async () => {
    if (process.env['DEVPTS_WASM_TIER_UP'] === undefined) setFlagsFromString('--liftoff-only');
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
export interface Cst {
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

export const NO_CHILDREN: readonly Cst[] = [];

/** Nodes whose inside the translation never looks at (when the tree has no error). */
const OPAQUE_INSIDE = new Set(['simple_expansion', 'command_substitution', 'arithmetic_expansion', 'process_substitution', 'heredoc_body', 'comment']);

/** Nodes that are one simple command in the shell: an unescaped newline cannot be inside them. */
const SIMPLE_KINDS = new Set(['command', 'variable_assignments', 'declaration_command', 'unset_command']);

/** Reserved words: never a command name in the shell, so tree-sitter misread the text. */
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', '{', '}', 'function', 'select']);

export const REDIRECT_KINDS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);

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
export function parseCst(text: string, from = 0, to = text.length): Cst {
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
export function firstFlaw(text: string, n: Cst): { at: number; why: string } | null {
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

// ---- whole scripts ----------------------------------------------------------------

/** tree-sitter's parse of a whole script. */
export interface ShellParse {
  /** The text tree-sitter parsed (with repairs that keep every offset: shell/parse.ts). */
  readonly text: string;
  /** The script's own text, when `text` was repaired: words are read from it. */
  readonly original?: string;
  readonly root: Cst;
  /** The tree has ERROR or MISSING nodes or misparses: give `scriptTree` the statements' spans. */
  readonly errors: boolean;
}

export function parseShell(text: string, original?: string): ShellParse {
  const root = parseCst(text);
  return { text, root, errors: root.error, ...(original !== undefined && original !== text ? { original } : {}) };
}

/** A top-level statement's span in the text (string indices), from a validating parser. */
export type Span = readonly [start: number, end: number];

/**
 * Top-level nodes of the parse, with the statements tree-sitter could not parse (and
 * the valid ones its error recovery swallowed) parsed again one by one: each statement
 * that overlaps an erroneous node, from its start to the next statement's start.
 */
export function statementNodes(parse: ShellParse, spans: readonly Span[] | undefined): readonly Cst[] {
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
