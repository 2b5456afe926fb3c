// Word expansion (XCU 2.6) as far as a static checker can take it: parameters the
// script set, ${…} operators, "$@", tilde, field splitting and pathname expansion
// (through readdir in the model). A variable the script never set (it would come from
// the environment), a command substitution or arithmetic makes the word unknown.

import type { Node, Word, WordPart } from './ast.ts';

/** The shell's own state (not the kernel's): variables, positional parameters, cwd. */
export interface Shell {
  vars: Map<string, string>;
  /** Names the script unset (they expand to nothing, not to "unknown"). */
  unset: Set<string>;
  positional: string[];
  scriptName: string;
  cwd: string;
  umask: number;
  /** The process running these commands. */
  pid: number;
  status: number;
  errexit: boolean;
  funcs: Map<string, Node>;
  depth: number;
}

export const INITIAL_VARS: Readonly<Record<string, string>> = {
  HOME: '/root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', IFS: ' \t\n',
  PWD: '/', SHELL: '/bin/sh', USER: 'root', LOGNAME: 'root',
};

export function newShell(scriptName: string, pid: number): Shell {
  return {
    vars: new Map(Object.entries(INITIAL_VARS)), unset: new Set(), positional: [], scriptName,
    cwd: '/', umask: 0o022, pid, status: 0, errexit: false, funcs: new Map(), depth: 0,
  };
}

export function cloneShell(sh: Shell): Shell {
  return { ...sh, vars: new Map(sh.vars), unset: new Set(sh.unset), positional: [...sh.positional], funcs: new Map(sh.funcs) };
}

export interface ExpandIO {
  /** Pathname expansion of one pattern; null when it cannot be evaluated. */
  glob(pattern: string): string[] | null;
  /** An assumption the expansion made (shown to the user). */
  assume(note: string): void;
}

export type Expanded<T> = { ok: true; value: T } | { ok: false; why: string };
const fail = <T>(why: string): Expanded<T> => ({ ok: false, why });

type Piece = { text: string; quoted: boolean; split: boolean } | { brk: true };

const IFS_DEFAULT = ' \t\n';

function lookup(sh: Shell, name: string): string | undefined | null {
  switch (name) {
    case '?': return String(sh.status);
    case '#': return String(sh.positional.length);
    case '@': case '*': return sh.positional.join(' ');
    case '$': return String(sh.pid);
    case '!': return null;
    case '-': return '';
    case '0': return sh.scriptName;
  }
  if (/^[0-9]+$/.test(name)) return sh.positional[Number(name) - 1];
  if (sh.vars.has(name)) return sh.vars.get(name)!;
  if (sh.unset.has(name)) return undefined;
  return null;
}

function paramValue(part: Extract<WordPart, { kind: 'param' }>, sh: Shell, io: ExpandIO): Expanded<string> {
  const { name, op } = part;
  const v = lookup(sh, name);
  const notSet = `$${name} is not set in the script (it would come from the environment)`;
  const arg = (): Expanded<string> => (part.arg ? expandString(part.arg, sh, io) : { ok: true, value: '' });
  switch (op) {
    case null:
      if (v === null) return fail(notSet);
      return { ok: true, value: v ?? '' };
    case ':-': case '-': case ':=': case '=': {
      if (v === null) io.assume(`$${name} is not set in the script: assumed unset, so \${${name}${op}…} gives its default`);
      const useArg = v === null || v === undefined || ((op === ':-' || op === ':=') && v === '');
      if (!useArg) return { ok: true, value: v! };
      const a = arg();
      if (a.ok && (op === ':=' || op === '=')) { sh.vars.set(name, a.value); sh.unset.delete(name); }
      return a;
    }
    case ':+': case '+':
      if (v === null) return fail(notSet);
      return (v !== undefined && (op === '+' || v !== '')) ? arg() : { ok: true, value: '' };
    case ':?': case '?':
      if (v === null || v === undefined || (op === ':?' && v === '')) return fail(`\${${name}${op}…}: $${name} is not set`);
      return { ok: true, value: v };
    case '#len':
      if (v === null) return fail(notSet);
      return { ok: true, value: String((v ?? '').length) };
    case '#': case '##': case '%': case '%%': {
      if (v === null) return fail(notSet);
      const p = part.arg ? patternOf(part.arg, sh, io) : { ok: true as const, value: '' };
      if (!p.ok) return p;
      return { ok: true, value: trimPattern(v ?? '', p.value, op) };
    }
  }
}

/** ${v#p} ${v##p} ${v%p} ${v%%p}: remove the shortest/longest matching prefix/suffix. */
function trimPattern(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const re = globRegExp(pattern, false);
  const n = value.length;
  if (op === '#' || op === '##') {
    const order = op === '#' ? [...Array(n + 1).keys()] : [...Array(n + 1).keys()].reverse();
    for (const k of order) if (re.test(value.slice(0, k))) return value.slice(k);
  } else {
    const order = op === '%' ? [...Array(n + 1).keys()].reverse() : [...Array(n + 1).keys()];
    for (const k of order) if (re.test(value.slice(k))) return value.slice(0, k);
  }
  return value;
}

function pieces(word: Word, sh: Shell, io: ExpandIO): Expanded<Piece[]> {
  const out: Piece[] = [];
  word.parts.forEach((part, k) => {
    switch (part.kind) {
      case 'lit': {
        let text = part.value;
        // tilde prefix: ~ or ~/… → $HOME (other users' homes are unknown)
        if (k === 0 && !part.quoted && text.startsWith('~') && (text.length === 1 || text[1] === '/')) text = (sh.vars.get('HOME') ?? '/root') + text.slice(1);
        out.push({ text, quoted: part.quoted, split: false });
        break;
      }
      case 'param': {
        if (part.name === '@' && part.op === null && part.quoted) {
          sh.positional.forEach((p, idx) => { if (idx > 0) out.push({ brk: true }); out.push({ text: p, quoted: true, split: false }); });
          break;
        }
        const v = paramValue(part, sh, io);
        if (!v.ok) throw new ExpandFailure(v.why);
        out.push({ text: v.value, quoted: part.quoted, split: !part.quoted });
        break;
      }
      case 'cmdsub':
        throw new ExpandFailure(part.text.startsWith('${') ? `\`${part.text}\` is not a supported expansion` : `the output of \`$(${part.text.trim()})\` is not modelled`);
      case 'arith':
        throw new ExpandFailure(`arithmetic \`$((${part.text}))\` is not evaluated`);
    }
  });
  return { ok: true, value: out };
}

class ExpandFailure extends Error {}

function guard<T>(f: () => Expanded<T>): Expanded<T> {
  try { return f(); } catch (e) { if (e instanceof ExpandFailure) return fail(e.message); throw e; }
}

/** One word to one string: no field splitting, no pathname expansion (assignments, case words, targets). */
export function expandString(word: Word, sh: Shell, io: ExpandIO): Expanded<string> {
  return guard(() => {
    const p = pieces(word, sh, io);
    if (!p.ok) return p;
    return { ok: true, value: p.value.map((x) => ('brk' in x ? ' ' : x.text)).join('') };
  });
}

/** A word as a pattern (case arms, ${v#p}): quoted characters lose their special meaning. */
export function patternOf(word: Word, sh: Shell, io: ExpandIO): Expanded<string> {
  return guard(() => {
    const p = pieces(word, sh, io);
    if (!p.ok) return p;
    return { ok: true, value: p.value.map((x) => ('brk' in x ? ' ' : x.quoted ? escapeGlob(x.text) : x.text)).join('') };
  });
}

const escapeGlob = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => '\\' + c);

/** Words to fields: expansion, field splitting on IFS, pathname expansion. */
export function expandWords(words: readonly Word[], sh: Shell, io: ExpandIO): Expanded<string[]> {
  return guard(() => {
    const ifs = sh.vars.get('IFS') ?? IFS_DEFAULT;
    const fields: string[] = [];
    for (const word of words) {
      const p = pieces(word, sh, io);
      if (!p.ok) return p;
      let cur: { text: string; pattern: string; glob: boolean } | null = null;
      const made: { text: string; pattern: string; glob: boolean }[] = [];
      const add = (text: string, quoted: boolean): void => {
        cur ??= { text: '', pattern: '', glob: false };
        cur.text += text;
        cur.pattern += quoted ? escapeGlob(text) : text;
        if (!quoted && /[*?[]/.test(text)) cur.glob = true;
      };
      for (const piece of p.value) {
        if ('brk' in piece) { if (cur) made.push(cur); cur = { text: '', pattern: '', glob: false }; continue; }
        if (!piece.split) { add(piece.text, piece.quoted); continue; }
        // an unquoted expansion: IFS characters end the field
        let start = 0;
        for (let k = 0; k <= piece.text.length; k++) {
          if (k < piece.text.length && !ifs.includes(piece.text[k]!)) continue;
          if (k > start) add(piece.text.slice(start, k), false);
          if (k < piece.text.length && cur) { made.push(cur); cur = null; }
          start = k + 1;
        }
      }
      if (cur) made.push(cur);
      for (const f of made) {
        if (!f.glob || !isPattern(f.pattern)) { fields.push(f.text); continue; }
        const matches = io.glob(f.pattern);
        if (matches === null) return fail(`the pattern \`${f.text}\` cannot be expanded here`);
        if (matches.length === 0) fields.push(f.text); else fields.push(...matches);
      }
    }
    return { ok: true, value: fields };
  });
}

/**
 * Does the (escaped) pattern have an unquoted wildcard: * or ?, or a [ with a closing ]
 * after at least one character? A lone "[" (the test command) is a plain word.
 */
function isPattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (c === '*' || c === '?') return true;
    if (c === '[') {
      for (let j = i + 2; j < pattern.length; j++) {
        if (pattern[j] === '\\') { j++; continue; }
        if (pattern[j] === ']') return true;
      }
    }
  }
  return false;
}

/** fnmatch(3) as a RegExp; `pathname`: wildcards do not match '/'. */
export function globRegExp(pattern: string, pathname: boolean): RegExp {
  let re = '';
  const any = pathname ? '[^/]' : '[\\s\\S]';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) { re += escapeRe(pattern[++i]!); continue; }
    if (c === '*') { re += `${any}*`; continue; }
    if (c === '?') { re += any; continue; }
    if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close > 0) {
        let body = pattern.slice(i + 1, close);
        const negate = body[0] === '!' || body[0] === '^';
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => '\\' + x)}]`;
        i = close;
        continue;
      }
    }
    re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Does a case pattern (already expanded, quoted characters escaped) match the value? */
export function matchPattern(pattern: string, value: string): boolean {
  return globRegExp(pattern, false).test(value);
}
