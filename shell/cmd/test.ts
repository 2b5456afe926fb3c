// test, [ … ] and bash's [[ … ]], evaluated against the model at that point of the
// script: every file test is a `stat` op (lstat for -L/-h) by the shell's process,
// recorded like any other step.

import { permits, R, W, X } from '../../model/paths.ts';
import { matchPattern } from '../expand.ts';
import { abs, assumeStatus, failed, normalize, op, unknown, type CommandCtx, type Handler } from './context.ts';
import { knownFile, pseudoMountsOf } from './procfs.ts';
import { regexOf } from './text.ts';

class TestUnknown extends Error {}
class TestSyntax extends Error {}

const FILE_OPS = new Set(['-b', '-c', '-d', '-e', '-f', '-g', '-h', '-k', '-L', '-p', '-r', '-s', '-S', '-t', '-u', '-w', '-x', '-O', '-G', '-N']);
const UNARY = new Set([...FILE_OPS, '-n', '-z']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-ef', '-nt', '-ot', '=~']);

/** /proc and /sys are not in the model: what the checker knows of them (proc mounted or not, the files it generates). */
function pseudoTest(ctx: CommandCtx, o: string, path: string): boolean | null {
  const m = /^\/(proc|sys)(\/.*)?$/.exec(path);
  if (!m) return null;
  const mounted = pseudoMountsOf(ctx.run, ctx.sh).some((x) => x.target === `/${m[1]}`);
  if (!mounted) {
    // the directory itself may be in the model (a rootfs has empty proc and sys)
    if (m[2] === undefined) return null;
    return false;
  }
  if (m[2] === undefined || m[2] === '/') return ['-e', '-d', '-r', '-x', '-s'].includes(o);
  const f = knownFile(ctx.run, ctx.sh, path);
  if (f && 'text' in f) return ['-e', '-f', '-r'].includes(o) || (o === '-w' && path.startsWith('/proc/sys/'));
  if (/^\/proc\/(self|[0-9]+)$/.test(path)) return ['-e', '-d', '-r', '-x'].includes(o);
  throw new TestUnknown(`test ${o} ${path}: the checker does not know this file of ${m[1]}`);
}

/**
 * A path the model has no entry for. The checker's trees hold no system files: under
 * the program directories (bin, sbin, lib, usr) a file is assumed there (a script checks
 * for a program it then runs), under /etc assumed absent (no local configuration); the
 * assumption is said next to the line. Anything else the model answers: absent.
 */
function systemFile(ctx: CommandCtx, o: string, path: string, errno: string): boolean {
  if (errno !== 'ENOENT' || ['-L', '-h', '-c', '-d', '-b', '-p', '-S', '-s'].includes(o)) return false;
  const inRoot = normalize(path);
  if (/^\/(usr\/(local\/)?)?(bin|sbin|lib|lib32|lib64|libexec)\//.test(inRoot)) {
    ctx.run.find(ctx.where, 'assumed', `${inRoot}: the checker has no system files; assumed to be there`);
    ctx.run.lastUnknown = true;
    return true;
  }
  if (inRoot.startsWith('/etc/')) {
    ctx.run.find(ctx.where, 'assumed', `${inRoot}: the checker has no system files; assumed absent (no local configuration)`);
    ctx.run.lastUnknown = true;
  }
  return false;
}

function fileTest(ctx: CommandCtx, o: string, operand: string): boolean {
  if (o === '-t') throw new TestUnknown('test -t (is a terminal) depends on how the script runs');
  if (o === '-N') throw new TestUnknown('test -N (modified since read) is not modelled');
  const path = abs(ctx.sh, operand);
  if (path === '') return false;
  const pseudo = pseudoTest(ctx, o, normalize(path));
  if (pseudo !== null) return pseudo;
  const nofollow = o === '-L' || o === '-h';
  const r = op(ctx, { op: 'stat', path, ...(nofollow ? { nofollow: true } : {}) }, `test ${o} ${operand}`);
  if ('errno' in r) return systemFile(ctx, o, path, r.errno);
  const mode = parseInt(r.mode ?? '0', 8);
  const proc = ctx.run.state.procs[ctx.sh.pid]!;
  const attrs = { mode, uid: r.uid ?? 0, gid: r.gid ?? 0 };
  switch (o) {
    case '-e': return true;
    case '-f': return r.type === 'reg';
    case '-d': return r.type === 'dir';
    case '-c': return r.type === 'chr';
    case '-b': case '-p': case '-S': return false; // the model has no block devices, FIFOs or sockets
    case '-L': case '-h': return r.type === 'lnk';
    case '-g': return (mode & 0o2000) !== 0;
    case '-u': return (mode & 0o4000) !== 0;
    case '-k': return (mode & 0o1000) !== 0;
    case '-O': return attrs.uid === proc.uid;
    case '-G': return attrs.gid === proc.gid;
    case '-r': return permits(attrs, proc, R);
    case '-w': return permits(attrs, proc, W);
    case '-x': return proc.uid === 0 ? r.type === 'dir' || (mode & 0o111) !== 0 : permits(attrs, proc, X);
    case '-s':
      if (r.type === 'dir') return true;
      if (r.type === 'chr') return false;
      throw new TestUnknown('test -s (non-empty file): file sizes are not modelled');
  }
  throw new TestSyntax(`unknown operator ${o}`);
}

function integer(s: string): number {
  if (!/^\s*[-+]?[0-9]+\s*$/.test(s)) throw new TestSyntax(`integer expression expected: "${s}"`);
  return Number(s.trim());
}

function binary(a: string, o: string, b: string, dbl: boolean): boolean {
  switch (o) {
    case '=': case '==': return dbl ? matchPattern(b, a) : a === b;
    case '!=': return dbl ? !matchPattern(b, a) : a !== b;
    case '=~':
      // [[ a =~ ERE ]] (bash): the regex unanchored; a bad one is status 2 in bash
      if (!dbl) break;
      try { return regexOf(b, 'extended', '').test(a); } catch { throw new TestSyntax(`invalid regular expression ${b}`); }
    case '<': return a < b;
    case '>': return a > b;
    case '-eq': return integer(a) === integer(b);
    case '-ne': return integer(a) !== integer(b);
    case '-lt': return integer(a) < integer(b);
    case '-le': return integer(a) <= integer(b);
    case '-gt': return integer(a) > integer(b);
    case '-ge': return integer(a) >= integer(b);
  }
  throw new TestUnknown(`test ${o} is not modelled`);
}

function unary(ctx: CommandCtx, o: string, x: string): boolean {
  if (o === '-n') return x !== '';
  if (o === '-z') return x === '';
  return fileTest(ctx, o, x);
}

/** The test(1) expression grammar, with POSIX's rules by argument count for up to 4 arguments. */
export function evalTest(ctx: CommandCtx, args: readonly string[], dbl = false): boolean {
  const and = dbl ? '&&' : '-a';
  const or = dbl ? '||' : '-o';
  if (!dbl) {
    switch (args.length) {
      case 0: return false;
      case 1: return args[0] !== '';
      case 2:
        if (args[0] === '!') return args[1] === '';
        if (UNARY.has(args[0]!)) return unary(ctx, args[0]!, args[1]!);
        throw new TestSyntax(`${args[0]}: unary operator expected`);
      case 3:
        if (BINARY.has(args[1]!)) return binary(args[0]!, args[1]!, args[2]!, false);
        if (args[1] === and || args[1] === or) break;
        if (args[0] === '!') return !evalTest(ctx, args.slice(1));
        if (args[0] === '(' && args[2] === ')') return args[1] !== '';
        throw new TestSyntax(`${args[1]}: binary operator expected`);
      case 4:
        if (args[0] === '!') return !evalTest(ctx, args.slice(1));
        if (args[0] === '(' && args[3] === ')') return evalTest(ctx, args.slice(1, 3));
        break;
    }
  }
  let i = 0;
  const peek = (): string | undefined => args[i];
  const parseOr = (): boolean => {
    let v = parseAnd();
    while (peek() === or) { i++; const w = parseAnd(); v = v || w; }
    return v;
  };
  const parseAnd = (): boolean => {
    let v = parseNot();
    while (peek() === and) { i++; const w = parseNot(); v = v && w; }
    return v;
  };
  const parseNot = (): boolean => {
    if (peek() === '!' && i + 1 < args.length) { i++; return !parseNot(); }
    return parsePrimary();
  };
  const parsePrimary = (): boolean => {
    const t = args[i];
    if (t === undefined) throw new TestSyntax('argument expected');
    if (t === '(') {
      i++;
      const v = parseOr();
      if (args[i] !== ')') throw new TestSyntax('")" expected');
      i++;
      return v;
    }
    if (UNARY.has(t) && i + 1 < args.length && !BINARY.has(args[i + 1]!)) { i += 2; return unary(ctx, t, args[i - 1]!); }
    if (i + 2 < args.length + 0 && BINARY.has(args[i + 1]!)) { i += 3; return binary(t, args[i - 2]!, args[i - 1]!, dbl); }
    i++;
    return t !== '';
  };
  const v = parseOr();
  if (i !== args.length) throw new TestSyntax(`unexpected "${args[i]}"`);
  return v;
}

/** Run a test; unknown → warning and status 0; a syntax error is status 2, as test(1) gives. */
export function runTest(ctx: CommandCtx, args: readonly string[], dbl: boolean): number {
  try {
    return evalTest(ctx, args, dbl) ? 0 : 1;
  } catch (e) {
    if (e instanceof TestUnknown) { ctx.run.find(ctx.where, 'noeffect', e.message); return assumeStatus(ctx, 0, e.message); }
    if (e instanceof TestSyntax) return failed(ctx, `test: ${e.message}`, 2);
    throw e;
  }
}

export const test: Handler = (ctx) => runTest(ctx, ctx.argv.slice(1), false);

export const bracket: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  if (args[args.length - 1] !== ']') return failed(ctx, '[: missing "]"', 2);
  return runTest(ctx, args.slice(0, -1), false);
};
