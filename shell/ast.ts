// The command tree of a start-up script, as the interpreter (shell/interp.ts) runs it.
// shell/syntax/translate.ts builds it from tree-sitter-bash's syntax tree; the words in
// it come from shell/syntax/words.ts, which reads each word's text as the target shell does.

/**
 * Where a command is: 1-based line (and last line), and its source text, one line.
 * `file`: the sourced file it comes from (absent: the script itself).
 */
export interface Loc { readonly line: number; readonly endLine: number; readonly text: string; readonly file?: string }

/** One piece of a word, before expansion. `quoted`: inside '…', "…" or after a backslash. */
export type WordPart =
  | { readonly kind: 'lit'; readonly value: string; readonly quoted: boolean }
  | ParamPart
  | { readonly kind: 'cmdsub'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'arith'; readonly text: string; readonly quoted: boolean }
  /** A ${…} form the target shell rejects at run time ("Bad substitution") or the checker does not evaluate. */
  | { readonly kind: 'bad'; readonly text: string; readonly why: string; readonly fatal: boolean; readonly quoted: boolean };

/**
 * ${name<op>arg}. `index`: the subscript text of name[index] (arrays); `indirect`: ${!name}.
 * For '/' '//' '/#' '/%' `arg` is the pattern and `arg2` the replacement; for ':' (substring)
 * `arg` is the offset and `arg2` the length (arithmetic texts as words).
 */
export interface ParamPart {
  readonly kind: 'param';
  readonly name: string;
  readonly index: string | null;
  readonly indirect: boolean;
  readonly op: ParamOp | null;
  readonly arg: Word | null;
  readonly arg2: Word | null;
  readonly quoted: boolean;
}

/** ${name<op>arg} operators; '#len' is ${#name}. */
export type ParamOp =
  | ':-' | '-' | ':=' | '=' | ':?' | '?' | ':+' | '+' | '#' | '##' | '%' | '%%' | '#len'
  | '/' | '//' | '/#' | '/%' | ':' | '^' | '^^' | ',' | ',,';

export interface Word { readonly parts: readonly WordPart[]; readonly raw: string }

export interface Redirect {
  readonly op: string;            // '<' '>' '>>' '>|' '<>' '<&' '>&' '<<' '<<-' '<<<' '&>' '&>>'
  readonly fd: number | null;     // the IO number before the operator, if any
  readonly target: Word;          // file, fd, or here-document delimiter
  /** A here-document's body: expanded (an unquoted delimiter) or literal text. */
  readonly body?: Word;
}

/** NAME=value, NAME[i]=value, NAME=(a b c), NAME+=…. */
export interface Assignment {
  readonly name: string;
  readonly index?: string;
  readonly value: Word;
  /** NAME=( … ): the elements (value is then empty). */
  readonly array?: readonly Word[];
  readonly append?: boolean;
}

export type Node =
  /** `arrays`: `local X=(…)` and the like: assigned after the builtin declared the names. */
  | { readonly t: 'simple'; readonly loc: Loc; readonly assigns: readonly Assignment[]; readonly words: readonly Word[]; readonly redirs: readonly Redirect[]; readonly arrays?: readonly Assignment[] }
  | { readonly t: 'list'; readonly loc: Loc; readonly items: readonly { readonly node: Node; readonly background: boolean }[] }
  | { readonly t: 'andor'; readonly loc: Loc; readonly first: Node; readonly rest: readonly { readonly op: '&&' | '||'; readonly node: Node }[] }
  | { readonly t: 'pipeline'; readonly loc: Loc; readonly negated: boolean; readonly cmds: readonly Node[] }
  | { readonly t: 'if'; readonly loc: Loc; readonly branches: readonly { readonly cond: Node; readonly body: Node }[]; readonly otherwise: Node | null; readonly redirs: readonly Redirect[] }
  | { readonly t: 'loop'; readonly loc: Loc; readonly until: boolean; readonly cond: Node; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'for'; readonly loc: Loc; readonly name: string; readonly items: readonly Word[] | null; readonly body: Node; readonly redirs: readonly Redirect[] }
  /** `for (( init; cond; update ))` (bash, mksh): the three arithmetic texts. */
  | { readonly t: 'cfor'; readonly loc: Loc; readonly init: string; readonly cond: string; readonly update: string; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'case'; readonly loc: Loc; readonly word: Word; readonly arms: readonly { readonly patterns: readonly Word[]; readonly body: Node }[]; readonly redirs: readonly Redirect[] }
  | { readonly t: 'group'; readonly loc: Loc; readonly subshell: boolean; readonly body: Node; readonly redirs: readonly Redirect[] }
  | { readonly t: 'func'; readonly loc: Loc; readonly name: string; readonly body: Node }
  /** `[[ … ]]` (bash): its words, operators included as literal words. */
  | { readonly t: 'dbracket'; readonly loc: Loc; readonly words: readonly Word[]; readonly redirs: readonly Redirect[] }
  /** `(( … ))` (bash, mksh): the expression text. */
  | { readonly t: 'arith'; readonly loc: Loc; readonly text: string; readonly redirs: readonly Redirect[] }
  /** A valid statement the translation does not structure (or tree-sitter cannot parse): run as "effect unknown". */
  | { readonly t: 'opaque'; readonly loc: Loc; readonly reason: string };

export type NodeOf<T extends Node['t']> = Extract<Node, { t: T }>;

/** The shells a script can be written for (--shell); `sh` is POSIX sh as Debian's dash runs it. */
export type ShellName = 'sh' | 'bash' | 'dash' | 'mksh' | 'busybox';
export const SHELL_NAMES: readonly ShellName[] = ['sh', 'bash', 'dash', 'mksh', 'busybox'];
