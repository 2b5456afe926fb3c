// The command tree: sh-syntax decides validity (errors with line and column);
// tree-sitter-bash's tree is translated, and what cannot be is left as opaque
// statements at their line.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Node, Word } from '../../shell/ast.ts';
import { loadShellParser, displayText } from '../../shell/syntax/tree.ts';
import { scriptTree } from '../../shell/syntax/translate.ts';
import { parseScript, ScriptSyntaxError, dialectOf } from '../../shell/parse.ts';

beforeAll(() => loadShellParser());

const tree = (text: string): Node => scriptTree(text).program;
const lit = (w: Word): string => w.parts.map((p) => (p.kind === 'lit' ? p.value : `<${p.kind}>`)).join('');

/** A compact rendering: the shape of the tree with the words of simple commands. */
function shape(n: Node): unknown {
  switch (n.t) {
    case 'simple': return [...n.assigns.map((a) => `${a.name}=${a.array ? `(${a.array.map(lit).join(' ')})` : lit(a.value)}`), ...n.words.map(lit), ...n.redirs.map((r) => `${r.fd ?? ''}${r.op}${lit(r.target)}`)].join(' ');
    case 'list': return { list: n.items.map((i) => (i.background ? { bg: shape(i.node) } : shape(i.node))) };
    case 'andor': return { andor: [shape(n.first), ...n.rest.flatMap((r) => [r.op, shape(r.node)])] };
    case 'pipeline': return { pipe: n.cmds.map(shape), ...(n.negated ? { not: true } : {}) };
    case 'if': return { if: n.branches.map((b) => [shape(b.cond), shape(b.body)]), else: n.otherwise ? shape(n.otherwise) : null };
    case 'loop': return { [n.until ? 'until' : 'while']: [shape(n.cond), shape(n.body)] };
    case 'for': return { for: n.name, in: n.items?.map(lit) ?? null, do: shape(n.body) };
    case 'case': return { case: lit(n.word), arms: n.arms.map((a) => [a.patterns.map(lit), shape(a.body)]) };
    case 'group': return { [n.subshell ? 'subshell' : 'group']: shape(n.body) };
    case 'func': return { func: n.name, body: shape(n.body) };
    case 'dbracket': return { '[[': n.words.map(lit) };
    case 'arith': return { '((': n.text };
    case 'cfor': return { cfor: [n.init, n.cond, n.update], do: shape(n.body) };
    case 'opaque': return { opaque: n.reason };
  }
}

describe('words', () => {
  it('removes quotes and keeps what was quoted', () => {
    const n = tree(`echo 'a b' "c $d" e\\ f ""`) as Extract<Node, { t: 'simple' }>;
    expect(n.words.map(lit)).toEqual(['echo', 'a b', 'c <param>', 'e f', '']);
    expect(n.words[1]!.parts).toEqual([{ kind: 'lit', value: 'a b', quoted: true }]);
    expect(n.words[3]!.parts).toEqual([{ kind: 'lit', value: 'e', quoted: false }, { kind: 'lit', value: ' ', quoted: true }, { kind: 'lit', value: 'f', quoted: false }]);
  });

  it('reads parameter expansions, command substitutions and arithmetic', () => {
    const n = tree('echo ${X:-/dev/pts} $(uname -r) `id -u` $((1+2)) $1 ${#X}') as Extract<Node, { t: 'simple' }>;
    const parts = n.words.slice(1).map((w) => w.parts[0]);
    expect(parts[0]).toMatchObject({ kind: 'param', name: 'X', op: ':-' });
    expect(lit((parts[0] as { arg: Word }).arg)).toBe('/dev/pts');
    expect(parts[1]).toMatchObject({ kind: 'cmdsub', text: 'uname -r' });
    expect(parts[2]).toMatchObject({ kind: 'cmdsub', text: 'id -u' });
    expect(parts[3]).toMatchObject({ kind: 'arith', text: '1+2' });
    expect(parts[4]).toMatchObject({ kind: 'param', name: '1' });
    expect(parts[5]).toMatchObject({ kind: 'param', name: 'X', op: '#len' });
  });

  it('tells assignments, words and redirections apart', () => {
    expect(shape(tree('A=1 B="x y" cmd A=2 >/dev/null 2>&1 </etc/fstab'))).toBe('A=1 B=x y cmd A=2 >/dev/null 2>&1 <etc/fstab'.replace('<etc', '</etc'));
  });

  it('skips here-document bodies, even when they look like commands', () => {
    const n = tree('cat <<EOF\nmount -t devpts x /dev/pts\nEOF\necho after\ncat <<-\'E\'\n\tumount /\n\tE\necho end');
    expect(shape(n)).toEqual({ list: ['cat <<EOF', 'echo after', 'cat <<-E', 'echo end'] });
  });

  it('joins backslash-newline continuations', () => {
    const n = tree('mount -t devpts \\\n  -o newinstance \\\n  devpts /dev/pts') as Extract<Node, { t: 'simple' }>;
    expect(n.words.map(lit)).toEqual(['mount', '-t', 'devpts', '-o', 'newinstance', 'devpts', '/dev/pts']);
    expect(n.loc).toMatchObject({ line: 1, endLine: 3, text: 'mount -t devpts -o newinstance devpts /dev/pts' });
  });
});

describe('commands', () => {
  it('structures lists, and-or lists, pipelines and negation', () => {
    expect(shape(tree('a; b && c || d; ! e | f & g'))).toEqual({
      list: ['a', { andor: ['b', '&&', 'c', '||', 'd'] }, { bg: { pipe: ['e', 'f'], not: true } }, 'g'],
    });
  });

  it('structures if/elif/else, loops, for and case', () => {
    expect(shape(tree('if [ -L x ]; then a; elif b; then c; else d; fi'))).toEqual({ if: [['[ -L x ]', 'a'], ['b', 'c']], else: 'd' });
    expect(shape(tree('while a; do b; done'))).toEqual({ while: ['a', 'b'] });
    expect(shape(tree('until a\ndo\n  b\ndone'))).toEqual({ until: ['a', 'b'] });
    expect(shape(tree('for d in a "b c"; do mkdir $d; done'))).toEqual({ for: 'd', in: ['a', 'b c'], do: 'mkdir <param>' });
    expect(shape(tree('for x\ndo echo $x; done'))).toEqual({ for: 'x', in: null, do: 'echo <param>' });
    expect(shape(tree('case $x in\n  a|b) one;;\n  (*) two ;;\nesac'))).toEqual({ case: '<param>', arms: [[['a', 'b'], 'one'], [['*'], 'two']] });
  });

  it('structures functions, groups and subshells', () => {
    expect(shape(tree('f() { a; b; }\nfunction g { c; }\n(d)'))).toEqual({
      list: [{ func: 'f', body: { group: { list: ['a', 'b'] } } }, { func: 'g', body: { group: 'c' } }, { subshell: 'd' }],
    });
  });

  it('reads [[ … ]] with its operators as words', () => {
    expect(shape(tree('[[ -c /dev/pts/ptmx && ! -L /dev/ptmx ]] && echo y'))).toEqual({
      andor: [{ '[[': ['-c', '/dev/pts/ptmx', '&&', '!', '-L', '/dev/ptmx'] }, '&&', 'echo y'],
    });
  });

  it('keeps line numbers and one-line texts', () => {
    const n = tree('# comment\n\nif true\nthen\n  mount -t devpts devpts /dev/pts # here\nfi\n') as Extract<Node, { t: 'if' }>;
    expect(n.loc).toMatchObject({ line: 3, endLine: 6, text: 'if true …' });
    expect(n.branches[0]!.body.loc).toMatchObject({ line: 5, text: 'mount -t devpts devpts /dev/pts' });
  });

  it('shortens long command texts', () => {
    expect(displayText(`echo ${'x'.repeat(200)}`)).toHaveLength(98);
  });
});

describe('parseScript', () => {
  it('reports sh-syntax errors with line and column', async () => {
    const err = await parseScript('echo ok\nif [ -L /dev/ptmx ]; then\n  echo "unclosed\nfi\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptSyntaxError);
    expect(err).toMatchObject({ line: 3, col: 8 });
    expect((err as ScriptSyntaxError).reason).toMatch(/quote/);
  });

  it('reports a missing fi at its line', async () => {
    const err = await parseScript('if true; then\n  echo x\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptSyntaxError);
    expect((err as ScriptSyntaxError).line).toBeGreaterThan(0);
  });

  it('parses #!/bin/sh scripts as POSIX and rejects bash syntax there', async () => {
    expect(dialectOf('#!/bin/sh\n')).toBe('posix');
    expect(dialectOf('#!/usr/bin/env bash\n')).toBe('bash');
    expect(dialectOf('echo no shebang\n')).toBe('bash');
    const err = await parseScript('#!/bin/sh\nfunction f { :; }\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptSyntaxError);
    expect(err).toMatchObject({ line: 2 });
  });

  it('keeps a statement it cannot structure as opaque, at its line, and structures the rest', async () => {
    const r = await parseScript('#!/bin/bash\nmount -t devpts devpts /dev/pts\narr=(a b c)\nselect x in a b; do echo $x; done\nln -s pts/ptmx /dev/ptmx\n');
    expect(r.opaque.map((o) => o.line)).toEqual([4]);
    expect(shape(r.program)).toEqual({
      list: ['mount -t devpts devpts /dev/pts', 'arr=(a b c)', { opaque: 'select loops' }, 'ln -s pts/ptmx /dev/ptmx'],
    });
  });
});

// tree-sitter-bash 0.25 is not the shell's grammar everywhere; the translation must
// give the shell's meaning anyway (shell/from-tree-sitter.ts, header comment).
describe("tree-sitter-bash's tree, taken to the shell's meaning", () => {
  it('ends a command at an unescaped newline where tree-sitter runs on (tree-sitter-bash#228, #342, #347)', () => {
    expect(shape(tree('A=1 B=2\necho x\n'))).toEqual({ list: ['A=1 B=2', 'echo x'] });
    expect(shape(tree('A=1 B=2 # set both\necho x\n'))).toEqual({ list: ['A=1 B=2', 'echo x'] });
    expect(shape(tree('a | grep x | head -30\necho B && cd s\n'))).toEqual({
      list: [{ pipe: ['a', 'grep x', 'head -30'] }, { andor: ['echo B', '&&', 'cd s'] }],
    });
    const f = tree('f() {\n  mime="$1" file="$2"\n\n  if [ -z "$d" ]; then\n    touch /x\n  fi\n}\n');
    expect(shape(f)).toEqual({ func: 'f', body: { group: { list: ['mime=<param> file=<param>', { if: [['[ -z <param> ]', 'touch /x']], else: null }] } } });
    // and the line numbers are the script's, not those of the text parsed again
    expect(((f as Extract<Node, { t: 'func' }>).body as Extract<Node, { t: 'group' }>).body).toMatchObject({ items: [{ node: { loc: { line: 2 } } }, { node: { loc: { line: 4 } } }] });
  });

  it('takes the rest of a here-document line back out of the redirection', () => {
    expect(shape(tree('cat <<EOF | sh -s && echo ok\nbody\nEOF\necho after\n'))).toEqual({
      list: [{ andor: [{ pipe: ['cat <<EOF', 'sh -s'] }, '&&', 'echo ok'] }, 'echo after'],
    });
    expect(shape(tree('cat <<EOF >/tmp/f 2>&1 || true\nb\nEOF\n'))).toEqual({ andor: ['cat <<EOF >/tmp/f 2>&1', '||', 'true'] });
    const n = tree('cat <<EOF > /tmp/f\nline\nEOF\n') as Extract<Node, { t: 'simple' }>;
    expect(n.loc).toMatchObject({ line: 1, text: 'cat <<EOF > /tmp/f' });
  });

  it('gives a redirection after a pipeline to its last command, and `!` to the whole pipeline', () => {
    expect(shape(tree('a | b > f\na && b > f\n! a | b\n'))).toEqual({
      list: [{ pipe: ['a', 'b >f'] }, { andor: ['a', '&&', 'b >f'] }, { pipe: ['a', 'b'], not: true }],
    });
  });

  it('joins a word tree-sitter splits at a line continuation; $10 is $1 then 0', () => {
    expect(shape(tree('echo a\\\nb c'))).toBe('echo ab c');
    const n = tree('echo $10') as Extract<Node, { t: 'simple' }>;
    expect(n.words[1]!.parts).toEqual([{ kind: 'param', name: '1', index: null, indirect: false, op: null, arg: null, arg2: null, quoted: false }, { kind: 'lit', value: '0', quoted: false }]);
  });

  it('valid shell tree-sitter cannot parse: that statement is opaque at its line, its neighbours are not swallowed', async () => {
    const r = await parseScript('#!/bin/bash\nX=a\nif [ "$X" \\< b ]; then touch /tmp/lt; fi\ncat <<EOF &\nbody\nEOF\ntouch /tmp/after\n');
    expect(r.opaque).toEqual([
      { line: 3, reason: expect.stringMatching(/^tree-sitter-bash cannot parse it: .* at 3:\d+$/) },
      { line: 4, reason: expect.stringMatching(/^tree-sitter-bash cannot parse it: unexpected `&` at 4:11$/) },
    ]);
    expect(shape(r.program)).toEqual({
      list: ['X=a', { opaque: r.opaque[0]!.reason }, { opaque: r.opaque[1]!.reason }, 'touch /tmp/after'],
    });
  });

  it('a reserved word tree-sitter reads as a command name: one opaque statement, not pieces', async () => {
    const r = await parseScript('! { false; }\ntouch /tmp/after\n');
    expect(r.opaque).toEqual([{ line: 1, reason: expect.stringContaining('the reserved word `{` is read as a command name') }]);
    expect(shape(r.program)).toEqual({ list: [{ opaque: r.opaque[0]!.reason }, 'touch /tmp/after'] });
  });
});

describe('valid scripts the parsers used to refuse (issue 14)', () => {
  it('bash: `eval local args=(…)` (bash -n accepts it; the quotes go before eval joins the words)', async () => {
    const r = await parseScript('#!/bin/bash\nf() { eval local args=(a "b c"); mkdir "/tmp/${#args[@]}"; }\nf\n');
    expect(r.repairs.map((x) => x.line)).toEqual([2]);
    expect(r.opaque).toEqual([]);
  });

  it('dash: ${ZONE// /_} parses (dash fails only when it runs it: "Bad substitution")', async () => {
    const r = await parseScript('#!/bin/sh\nZONE="a b"\necho ${ZONE// /_}\n');
    expect(r.shell).toBe('sh');
    expect(r.repairs.map((x) => x.line)).toEqual([3]);
  });

  it('mksh arrays under #!/system/bin/sh', async () => {
    const r = await parseScript('#!/system/bin/sh\nset -A arr a b c\narr[1]=x\necho ${arr[1]} ${#arr[@]}\n');
    expect(r.shell).toBe('mksh');
    expect(r.opaque).toEqual([]);
  });
});
