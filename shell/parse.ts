// Script text → command tree. sh-syntax (mvdan/sh) is the authority on syntax: a
// script it rejects is a parse error with its line and column. Its AST carries only
// statement positions (sh-syntax 0.7 serialises `Cmd` as {Pos, End}, no node types:
// un-ts/sh-syntax#49), so shell/parser.ts builds the tree; a statement that parser
// does not structure becomes an "opaque" node, located by sh-syntax's statement span.

import { LangVariant, parse as shParse, print as shPrint } from 'sh-syntax';
import type { Node } from './ast.ts';
import { Parser, Unsupported } from './parser.ts';

/** The script is not valid shell: line and column are 1-based. */
export class ScriptSyntaxError extends Error {
  constructor(readonly line: number, readonly col: number, readonly reason: string) {
    super(`${line}:${col}: ${reason}`);
  }
}

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
  const options = { variant: dialect === 'posix' ? LangVariant.LangPOSIX : LangVariant.LangBash, keepComments: false };
  // Validity first. sh-syntax's printer runs the same parser without serialising an AST
  // (two to three times cheaper than `parse` on a long script); the errors are the same.
  try {
    await shPrint(text, { ...options, minify: true });
  } catch (err) {
    const syntax = syntaxErrorOf(err);
    if (syntax) throw syntax;
    throw err;
  }
  try {
    return { program: new Parser(text).parseProgram(), dialect, opaque: [] };
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  const file = await shParse(text, options);
  const stmts = (file.Stmts ?? []) as unknown as ShStmt[];
  // Statement by statement, with sh-syntax's spans: what cannot be structured stays opaque.
  const toIndex = byteToIndex(text);
  const items: { node: Node; background: boolean }[] = [];
  const opaque: { line: number; reason: string }[] = [];
  for (const st of stmts) {
    const start = toIndex(st.Pos.Offset);
    const end = toIndex(st.End.Offset);
    const p = new Parser(text);
    p.i = start;
    let node: Node;
    try {
      node = p.parseAndOr();
      p.skipBlanks();
      if (p.i < end && !/^[\s;&]*$/.test(text.slice(p.i, end))) throw new Unsupported('unexpected text', p.i);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      const loc = p.loc(start, end);
      node = { t: 'opaque', loc, reason: err.message };
      opaque.push({ line: loc.line, reason: err.message });
    }
    items.push({ node, background: /&\s*$/.test(text.slice(start, end)) && !/&&\s*$/.test(text.slice(start, end)) });
  }
  const program: Node = { t: 'list', loc: { line: 1, endLine: 1, text: '' }, items };
  return { program, dialect, opaque };
}

/** A `sh -c` string (or eval text): the same tree, every location at the outer line. */
export function parseInline(text: string, line: number): Node {
  return new Parser(text, { fixedLine: line }).parseProgram();
}
