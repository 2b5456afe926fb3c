// The command tree of a start-up script, as the interpreter (shell/interp.ts) runs it.
// shell/from-tree-sitter.ts builds it from tree-sitter-bash's syntax tree.

/** Where a command is: 1-based line (and last line), and its source text, one line. */
export interface Loc { readonly line: number; readonly endLine: number; readonly text: string }

/** One piece of a word, before expansion. `quoted`: inside '…', "…" or after a backslash. */
export type WordPart =
  | { readonly kind: 'lit'; readonly value: string; readonly quoted: boolean }
  | { readonly kind: 'param'; readonly name: string; readonly op: ParamOp | null; readonly arg: Word | null; readonly quoted: boolean }
  | { readonly kind: 'cmdsub'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'arith'; readonly text: string; readonly quoted: boolean };

/** ${name<op>arg} operators; '#len' is ${#name}. */
export type ParamOp = ':-' | '-' | ':=' | '=' | ':?' | '?' | ':+' | '+' | '#' | '##' | '%' | '%%' | '#len';

export interface Word { readonly parts: readonly WordPart[]; readonly raw: string }

export interface Redirect {
  readonly op: string;            // '<' '>' '>>' '>|' '<>' '<&' '>&' '<<' '<<-' '<<<' '&>' '&>>'
  readonly fd: number | null;     // the IO number before the operator, if any
  readonly target: Word;          // file, fd, or here-document delimiter
}

export interface Assignment { readonly name: string; readonly value: Word }

export type Node =
  | { readonly t: 'simple'; readonly loc: Loc; readonly assigns: readonly Assignment[]; readonly words: readonly Word[]; readonly redirs: readonly Redirect[] }
  | { readonly t: 'list'; readonly loc: Loc; readonly items: readonly { readonly node: Node; readonly background: boolean }[] }
  | { readonly t: 'andor'; readonly loc: Loc; readonly first: Node; readonly rest: readonly { readonly op: '&&' | '||'; readonly node: Node }[] }
  | { readonly t: 'pipeline'; readonly loc: Loc; readonly negated: boolean; readonly cmds: readonly Node[] }
  | { readonly t: 'if'; readonly loc: Loc; readonly branches: readonly { readonly cond: Node; readonly body: Node }[]; readonly otherwise: Node | null; readonly redirs: readonly Redirect[] }
  | { readonly t: 'loop'; readonly loc: Loc; readonly until: boolean; readonly cond: Node; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'for'; readonly loc: Loc; readonly name: string; readonly items: readonly Word[] | null; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'case'; readonly loc: Loc; readonly word: Word; readonly arms: readonly { readonly patterns: readonly Word[]; readonly body: Node }[]; readonly redirs: readonly Redirect[] }
  | { readonly t: 'group'; readonly loc: Loc; readonly subshell: boolean; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'func'; readonly loc: Loc; readonly name: string; readonly body: Node }
  /** `[[ … ]]` (bash): its words, operators included as literal words. */
  | { readonly t: 'dbracket'; readonly loc: Loc; readonly words: readonly Word[]; readonly redirs: readonly Redirect[] }
  /** A valid statement the translation does not structure (or tree-sitter cannot parse): run as "effect unknown". */
  | { readonly t: 'opaque'; readonly loc: Loc; readonly reason: string };

export type NodeOf<T extends Node['t']> = Extract<Node, { t: T }>;
