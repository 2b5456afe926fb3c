// Script text → command tree. sh-syntax (mvdan/sh, the parser behind shfmt) is the
// authority on validity: a script it rejects is a parse error with its line and column,
// in the language of the target shell (--shell, or the #! line). tree-sitter-bash
// (shell/syntax/) builds the tree; a statement it cannot parse or the translation does
// not structure becomes an "opaque" node (effect unknown) at its line.
//
// Why both: tree-sitter-bash 0.25 alone is not a validator. It accepts bash syntax in
// a #!/bin/sh script, reports ERROR on valid shell (a here-document followed by `;` or
// `&` on its line, two here-documents on one line), and has no error messages.
//
// sh-syntax in turn rejects a few things the target shell accepts; those are repaired
// before both parsers see the text, keeping every offset (words are read from the
// original text):
// - dash reads any ${…} and fails only when it runs (`${ZONE// /_}` is "Bad
//   substitution" at that line, not a syntax error): in POSIX mode the inside of such a
//   ${…} is masked, and the expansion reports it when it runs (dash -n agrees).
// - bash accepts `eval local args=(a b)` (a compound assignment as an argument of eval;
//   bash -n agrees): its parentheses are masked.

import { LangVariant, parse as shParse, print as shPrint } from 'sh-syntax';
import type { Node, ShellName } from './ast.ts';
import { inlineTree, scriptTree, type TranslateOptions } from './syntax/translate.ts';
import { loadShellParser, parseShell, type Span } from './syntax/tree.ts';
import { BASH_WORDS, type WordSyntax } from './syntax/words.ts';

/** The script is not valid shell: line and column are 1-based. */
export class ScriptSyntaxError extends Error {
  constructor(readonly line: number, readonly col: number, readonly reason: string) {
    super(`${line}:${col}: ${reason}`);
  }
}

/**
 * The parsers cannot follow the script: sh-syntax's WASM or the translation ran out
 * of stack (a thousand nested commands or `&&`s deep; no start-up script is).
 */
export class ScriptTooDeep extends Error {}

const tooDeep = (err: unknown): boolean =>
  err instanceof RangeError || (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError);

export interface ParsedScript {
  readonly program: Node;
  /** 'posix' or 'bash': the family of the target shell's language. */
  readonly dialect: 'posix' | 'bash';
  /** The shell the script is checked for. */
  readonly shell: ShellName;
  /** How that shell reads words (for `sh -c` and eval text). */
  readonly syntax: WordSyntax;
  /** Statements the tree builder could not structure, by line (also present as opaque nodes). */
  readonly opaque: readonly { line: number; reason: string }[];
  /** Where the parsers' text was repaired, by line (see the header). */
  readonly repairs: readonly { line: number; what: string }[];
  /** The options of its `#!` line (`#!/bin/sh -e`), which apply when it runs by name. */
  readonly options: readonly string[];
}

/**
 * The options of a `#!` line, which the kernel passes to the interpreter when the file
 * is run by name (`#!/bin/sh -e`): the words after the interpreter. None through `env`.
 */
export function shebangOptions(text: string): string[] {
  const m = /^#!\s*(\S+)[ \t]*([^\n]*)/.exec(text);
  if (!m) return [];
  const interp = m[1]!.split('/').pop()!;
  if (interp === 'env') return [];
  const words = m[2]!.trim().split(/\s+/).filter((w) => w !== '');
  return words.filter((w, i) => /^[-+][a-zA-Z]+$/.test(w) || (i > 0 && /^[-+][a-zA-Z]*o$/i.test(words[i - 1]!)));
}

/** The shell a #! line asks for; no #! line: bash (the most accepting). */
export function shellOf(text: string): ShellName {
  if (!text.startsWith('#!')) return 'bash';
  const first = text.slice(2, text.indexOf('\n') >>> 0).trim();
  const words = first.split(/\s+/);
  let prog = words[0] ?? '';
  if (/(^|\/)env$/.test(prog)) prog = words.slice(1).find((w) => !w.startsWith('-') && !w.includes('=')) ?? '';
  if (prog === '/system/bin/sh') return 'mksh';   // Android's /system/bin/sh is mksh
  const base = prog.slice(prog.lastIndexOf('/') + 1);
  if (base === 'busybox') return 'busybox';
  switch (base) {
    case 'bash': case 'zsh': return 'bash';
    case 'dash': return 'dash';
    case 'mksh': case 'ksh': case 'lksh': case 'pdksh': return 'mksh';
    case 'ash': return 'busybox';
    default: return 'sh';
  }
}

/** Kept for callers that only need the language family. */
export function dialectOf(text: string): 'posix' | 'bash' {
  return familyOf(shellOf(text));
}

export const familyOf = (shell: ShellName): 'posix' | 'bash' => (shell === 'sh' || shell === 'dash' ? 'posix' : 'bash');

export function wordSyntaxOf(shell: ShellName): WordSyntax {
  return { ansiC: shell !== 'sh' && shell !== 'dash', localeStrings: shell === 'bash', quotesInBraces: shell === 'bash' };
}

function variantOf(shell: ShellName): LangVariant {
  switch (shell) {
    case 'sh': case 'dash': return LangVariant.LangPOSIX;
    case 'mksh': return LangVariant.LangMirBSDKorn;
    default: return LangVariant.LangBash;
  }
}

interface ShPos { Line: number; Col: number; Offset: number }
interface ShStmt { Pos: ShPos; End: ShPos }

/** sh-syntax's errors: a ParseError with Pos, or a SyntaxError whose message starts "L:C: ". */
function syntaxErrorOf(err: unknown): ScriptSyntaxError | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { Pos?: ShPos; Text?: string };
  if (e.Pos && typeof e.Pos.Line === 'number') return new ScriptSyntaxError(e.Pos.Line, e.Pos.Col, e.Text ?? e.message);
  const m = /^(\d+):(\d+): (.*)$/s.exec(e.message);
  if (m) return new ScriptSyntaxError(Number(m[1]), Number(m[2]), m[3]!);
  return null;
}

/** UTF-8 byte offsets (Go's) → string indices. */
function byteToIndex(text: string): (byte: number) => number {
  const map: number[] = [];
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const len = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < len; k++) map[byte + k] = i;
    byte += len;
    if (code >= 0x10000) i++;
  }
  map[byte] = text.length;
  return (b) => map[b] ?? text.length;
}

/** The string index of a 1-based line and (UTF-8 byte) column. */
function indexOf(text: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  const lineText = text.slice(at, (text.indexOf('\n', at) + 1 || text.length + 1) - 1);
  return at + byteToIndex(lineText)(col - 1);
}

/** Replace text[from, to) by `fill` characters, keeping newlines (every offset stays). */
const mask = (text: string, from: number, to: number, fill = 'x'): string =>
  text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, fill) + text.slice(to);

/** The start of the ${ around `at`, and the index of its `}`; null when `at` is in none. */
function braceAround(text: string, at: number): [number, number] | null {
  for (let open = text.lastIndexOf('${', at); open >= 0; open = text.lastIndexOf('${', open - 1)) {
    let depth = 0;
    for (let j = open + 2; j < text.length; j++) {
      const c = text[j];
      if (c === '\\') { j++; continue; }
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return j >= at ? [open, j] : null;
        depth--;
      }
    }
    return null;
  }
  return null;
}

/** The `)` closing the `(` at `open`, skipping quotes; -1 if none. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') { j++; continue; }
    if (c === "'") { j = text.indexOf("'", j + 1); if (j < 0) return -1; continue; }
    if (c === '"') { for (j++; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

/** A repaired text for a sh-syntax error the target shell does not make, or null. */
function repair(text: string, shell: ShellName, e: ScriptSyntaxError): { text: string; what: string } | null {
  const at = indexOf(text, e.line, e.col);
  if (familyOf(shell) === 'posix' && /is a bash\/mksh\/zsh feature|are a bash\/mksh\/zsh feature/.test(e.reason)) {
    const span = braceAround(text, at);
    if (span) {
      return { text: mask(text, span[0] + 2, span[1]), what: `${text.slice(span[0], span[1] + 1)}: dash reads it and fails only when it runs ("Bad substitution")` };
    }
  }
  if (shell === 'bash' && /encountered `?\(/.test(e.reason) && text[at] === '(') {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const before = text.slice(lineStart, at);
    if (/(^|[\s;&|(){}])eval\s[^;&|\n]*[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=$/.test(before)) {
      const close = closeParen(text, at);
      if (close > at) {
        return { text: mask(mask(text, at, at + 1, '_'), close, close + 1, '_'), what: 'a compound assignment as an argument of eval (bash accepts it)' };
      }
    }
  }
  return null;
}

export interface ParseOptions {
  /** The target shell (default: from the #! line). */
  readonly shell?: ShellName;
  /** The sourced file the text comes from (locations name it). */
  readonly file?: string;
  /** How words are read (tests give a deliberately wrong reader: test/shell/expand-vs-shells.test.ts). */
  readonly readWord?: TranslateOptions['readWord'];
}

export async function parseScript(text: string, options: ParseOptions = {}): Promise<ParsedScript> {
  const shell = options.shell ?? shellOf(text);
  const variant = variantOf(shell);
  const shOptions = { variant, keepComments: false, minify: true };
  await loadShellParser();
  // Validity first. sh-syntax's printer runs its parser without serialising an AST
  // (two to three times cheaper than `parse` on a long script); the errors are the same.
  let repaired = text;
  const repairs: { line: number; what: string }[] = [];
  for (let round = 0; ; round++) {
    const checked = await shPrint(repaired, shOptions).then(() => null, (err: unknown) => err);
    if (checked === null) break;
    if (tooDeep(checked)) throw new ScriptTooDeep(`sh-syntax cannot parse the script (${(checked as Error).message}): it nests too deeply`);
    const e = syntaxErrorOf(checked);
    if (!e) throw checked;
    const fixed = round < 50 ? repair(repaired, shell, e) : null;
    if (!fixed) throw e;
    repairs.push({ line: e.line, what: fixed.what });
    repaired = fixed.text;
  }
  try {
    return { ...(await treeOf(repaired, text, variant, shell, options)), repairs, options: shebangOptions(text) };
  } catch (err) {
    if (tooDeep(err)) throw new ScriptTooDeep(`the script nests too deeply for the checker (${(err as Error).message})`);
    throw err;
  }
}

async function treeOf(text: string, original: string, variant: LangVariant, shell: ShellName, options: ParseOptions): Promise<Omit<ParsedScript, 'repairs' | 'options'>> {
  const parsed = parseShell(text, original);
  let spans: Span[] | undefined;
  if (parsed.errors) {
    // tree-sitter could not parse all of it: sh-syntax's statement spans keep the damage to those statements
    const f = await shParse(text, { variant, keepComments: false });
    const toIndex = byteToIndex(text);
    spans = ((f.Stmts ?? []) as unknown as ShStmt[]).map((st) => [toIndex(st.Pos.Offset), toIndex(st.End.Offset)] as const);
  }
  const syntax = wordSyntaxOf(shell);
  const { program, opaque } = scriptTree(parsed, spans, { syntax, ...(options.file === undefined ? {} : { file: options.file }), ...(options.readWord ? { readWord: options.readWord } : {}) });
  return { program, dialect: familyOf(shell), shell, syntax, opaque };
}

/**
 * A `sh -c` string (or eval text): the same tree, every location at the outer line.
 * Throws Unsupported (shell/syntax/translate.ts) for text it does not understand.
 * Only after parseScript (which loads the parser).
 */
export function parseInline(text: string, line: number, syntax: WordSyntax = BASH_WORDS, file?: string): Node {
  return inlineTree(text, line, syntax, file);
}
