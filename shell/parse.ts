// Script text → command tree. sh-syntax (mvdan/sh, the parser behind shfmt) is the
// authority on validity: a script it rejects is a parse error with its line and column,
// in the dialect the #! line asks for. tree-sitter-bash (shell/from-tree-sitter.ts)
// builds the tree; a statement it cannot parse or the translation does not structure
// becomes an "opaque" node (effect unknown) at its line.
//
// Why both: tree-sitter-bash 0.25 alone is not a validator. It accepts bash syntax in
// a #!/bin/sh script, reports ERROR on valid shell (a here-document followed by `;` or
// `&` on its line, two here-documents on one line), and has no error messages.

import { LangVariant, parse as shParse, print as shPrint } from 'sh-syntax';
import type { Node } from './ast.ts';
import { inlineTree, loadShellParser, parseShell, scriptTree, type Span } from './from-tree-sitter.ts';

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
  /** 'posix' or 'bash': chosen from the #! line (sh, dash, ash: posix; otherwise bash). */
  readonly dialect: 'posix' | 'bash';
  /** Statements the tree builder could not structure, by line (also present as opaque nodes). */
  readonly opaque: readonly { line: number; reason: string }[];
}

export function dialectOf(text: string): 'posix' | 'bash' {
  const first = text.startsWith('#!') ? text.slice(0, text.indexOf('\n') >>> 0) : '';
  return /\b(sh|dash|ash|posh)\b/.test(first) && !/\b(bash|ksh|zsh|mksh)\b/.test(first) ? 'posix' : 'bash';
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

export async function parseScript(text: string): Promise<ParsedScript> {
  const dialect = dialectOf(text);
  const options = { variant: dialect === 'posix' ? LangVariant.LangPOSIX : LangVariant.LangBash, keepComments: false, minify: true };
  // Validity first. sh-syntax's printer runs its parser without serialising an AST
  // (two to three times cheaper than `parse` on a long script); the errors are the same.
  const [, checked] = await Promise.all([loadShellParser(), shPrint(text, options).then(() => null, (err: unknown) => err)]);
  if (checked !== null) {
    if (tooDeep(checked)) throw new ScriptTooDeep(`sh-syntax cannot parse the script (${(checked as Error).message}): it nests too deeply`);
    throw syntaxErrorOf(checked) ?? checked;
  }
  try {
    return await treeOf(text, dialect, options.variant);
  } catch (err) {
    if (tooDeep(err)) throw new ScriptTooDeep(`the script nests too deeply for the checker (${(err as Error).message})`);
    throw err;
  }
}

async function treeOf(text: string, dialect: ParsedScript['dialect'], variant: LangVariant): Promise<ParsedScript> {
  const parsed = parseShell(text);
  let spans: Span[] | undefined;
  if (parsed.errors) {
    // tree-sitter could not parse all of it: sh-syntax's statement spans keep the damage to those statements
    const file = await shParse(text, { variant, keepComments: false });
    const toIndex = byteToIndex(text);
    spans = ((file.Stmts ?? []) as unknown as ShStmt[]).map((st) => [toIndex(st.Pos.Offset), toIndex(st.End.Offset)] as const);
  }
  const { program, opaque } = scriptTree(parsed, spans);
  return { program, dialect, opaque };
}

/**
 * A `sh -c` string (or eval text): the same tree, every location at the outer line.
 * Throws Unsupported (shell/from-tree-sitter.ts) for text it does not understand.
 * Only after parseScript (which loads the parser).
 */
export function parseInline(text: string, line: number): Node {
  return inlineTree(text, line);
}
