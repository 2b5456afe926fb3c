// Generated shell words for the expansion property (expand-vs-shells.test.ts): literal
// text, quoting, $VAR and ${…} forms inside words, $@ and $*, command substitution with
// known output, arithmetic; and a context (variables, positional parameters, IFS) to
// expand them in. Every word is valid in dash and bash; a wildcard that reaches pathname
// expansion is relative (no `/` in the alphabets) and matches nothing: the real shells run in
// an empty directory, the checker in an empty directory of the model.

import fc from 'fast-check';

export interface WordCase {
  readonly shell: 'dash' | 'bash';
  readonly vars: readonly (readonly [string, string | null])[];
  readonly positional: readonly string[];
  /** null: IFS unset. */
  readonly ifs: string | null;
  readonly words: readonly string[];
}

const VARS = ['A', 'B', 'C'];
/** Values: letters and the IFS characters the cases use, never a wildcard. */
const value = fc.stringMatching(/^[ab :,=.-]{0,6}$/);
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Unquoted literal text: no quote, $, backquote, wildcard, brace, tilde, # or blank. */
const bare = fc.stringMatching(/^[abc012,=:._@%+-]{1,4}$/);
/** Inside '…' anything goes, but `$$` and `$!` would differ between any two runs inside "${x-'…'}". */
const singleQuoted = fc.stringMatching(/^[abc $"\\*?{}#~,:]{0,5}$/).filter((s) => !/\$[$!]/.test(s)).map((s) => `'${s}'`);
const escaped = fc.constantFrom('\\$', '\\"', "\\'", '\\\\', '\\ ', '\\a', '\\*', '\\:');
const name = fc.constantFrom(...VARS);

/** A pattern for ${V#p} and friends: letters, wildcards, quoted wildcards. */
const pattern = fc.array(fc.constantFrom('a', 'b', ':', ' ', '*', '?', '"*"', "'?'", '\\*', '$B'), { minLength: 0, maxLength: 3 }).map((xs) => xs.join(''));

function word(shell: 'dash' | 'bash', depth: number): fc.Arbitrary<string> {
  const inner = depth > 0 ? word(shell, depth - 1) : fc.oneof(bare, singleQuoted);
  /** The argument of ${V-w}: no unquoted `}` or blank. */
  // inside "${x-…}" dash ends the ${ at the first } and the string at the first ", quoted or not: neither in '…' there
  const sqArg = fc.stringMatching(/^[abc $*?{#~,:]{0,5}$/).filter((s) => !/\$[$!]/.test(s)).map((s) => `'${s}'`);
  const argWord = depth > 0 ? fc.oneof(bare, sqArg, name.map((n) => `$${n}`), fc.constant('"a b"'), fc.constant('')) : fc.oneof(bare, sqArg);
  const param = fc.oneof(
    name.map((n) => `$${n}`),
    name.map((n) => `\${${n}}`),
    fc.tuple(name, fc.constantFrom(':-', '-', ':+', '+', ':=', '='), argWord).map(([n, op, w]) => `\${${n}${op}${w}}`),
    fc.tuple(name, fc.constantFrom('#', '##', '%', '%%'), pattern).map(([n, op, p]) => `\${${n}${op}${p}}`),
    name.map((n) => `\${#${n}}`),
    fc.constantFrom('$1', '$2', '$#', '$@', '$*', '${1:-d}', '${#}', '$0'),
    ...(shell === 'bash'
      ? [
        fc.tuple(name, fc.constantFrom('/', '//'), fc.constantFrom('a', ' ', ':', 'a*', '?'), fc.constantFrom('', 'X', '_', '-')).map(([n, op, p, r]) => `\${${n}${op}${p}/${r}}`),
        fc.tuple(name, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([n, a, b]) => `\${${n}:${a}:${b}}`),
      ]
      : []),
  );
  const cmdsub = fc.oneof(
    inner.map((w) => `$(echo ${w})`),
    inner.map((w) => `$(printf %s ${w})`),
    // inside backquotes a backslash is taken before the command is read (\" inside "…" too): plain words there
    fc.oneof(bare, singleQuoted).map((w) => `\`echo ${w}\``),
    fc.constantFrom('$((1+2))', '$((${#A}*2))', '$(( 7 % 3 ))'),
  );
  const dqPart = fc.oneof(
    fc.stringMatching(/^[abc '*?{}#~,:]{1,4}$/),
    fc.constantFrom('\\"', '\\\\', '\\$', '\\a'),
    param,
    depth > 0 ? cmdsub : param,
  );
  const doubleQuoted = fc.array(dqPart, { minLength: 0, maxLength: 3 }).map((ps) => `"${ps.join('')}"`);
  const atom = fc.oneof({ weight: 3, arbitrary: bare }, singleQuoted, escaped, doubleQuoted, { weight: 3, arbitrary: param }, ...(depth > 0 ? [cmdsub] : []));
  return fc.array(atom, { minLength: 1, maxLength: 4 }).map((as) => as.join(''));
}

export const wordCase = (shell: 'dash' | 'bash'): fc.Arbitrary<WordCase> =>
  fc.record({
    shell: fc.constant(shell),
    vars: fc.tuple(...VARS.map((v) => fc.option(value, { nil: null, freq: 4 }).map((x) => [v, x] as const))),
    positional: fc.array(value, { maxLength: 3 }),
    ifs: fc.constantFrom(null, ' ', ':', ' :', '', ':,', ' \t\n'),
    words: fc.array(word(shell, 2), { minLength: 1, maxLength: 3 }),
  });

/** The case as a script: assignments, set --, IFS, then the number of fields and each field. */
export function scriptOf(c: WordCase): string {
  const lines: string[] = [];
  for (const [n, v] of c.vars) lines.push(v === null ? `unset ${n}` : `${n}=${sq(v)}`);
  lines.push(`set -- ${c.positional.map(sq).join(' ')}`.trimEnd());
  lines.push(c.ifs === null ? 'unset IFS' : `IFS=${sq(c.ifs)}`);
  lines.push(`set -- ${c.words.join(' ')}`);
  lines.push(`printf '%d' $#`);
  lines.push(`printf '<%s>' "$@"`);
  lines.push('echo');
  return lines.join('\n') + '\n';
}
