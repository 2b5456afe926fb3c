// Word expansion (XCU 2.6) as the target shell does it: tilde, parameters and their
// ${…} operators, command substitution (through the interpreter, when the command's
// output is known), arithmetic, field splitting on IFS, pathname expansion (through
// readdir in the model) and quote removal. test/shell/expand-vs-shells.test.ts compares
// it with the real dash and bash on generated words.
//
// The environment is what --env gives; every other variable is unset, as after `env -i`,
// and reading one is reported. A variable whose value the checker cannot know (a
// command substitution of an unknown command, `read`) makes the word unknown.

import type { ParamPart, ShellName, Word, WordPart } from './ast.ts';
import { ArithError, ArithUnknown, evalArith } from './arith.ts';
import { getVar, scalar, setVar, type Shell } from './shell-state.ts';
import { BASH_WORDS, lexWord } from './syntax/words.ts';

export interface ExpandIO {
  /** Pathname expansion of one pattern; null when it cannot be evaluated. */
  glob(pattern: string): string[] | null;
  /** An assumption the expansion made (shown to the user). */
  assume(note: string): void;
  /** The word read a variable that is not set. */
  readUnset(name: string, how: 'plain' | 'default'): void;
  /** The output of a command substitution, or why it is not known. */
  commandOutput(text: string): Expanded<string>;
}

/** `fatal`: the shell's own error (Bad substitution, ${x?}, set -u): a non-interactive shell exits. */
export type Expanded<T> = { ok: true; value: T } | { ok: false; why: string; fatal?: boolean };

class ExpandFailure extends Error {
  constructor(readonly why: string, readonly fatal: boolean) { super(why); }
}
const unknownWord = (why: string): never => { throw new ExpandFailure(why, false); };
const shellError = (why: string): never => { throw new ExpandFailure(why, true); };

/** What each shell's ${…} accepts beyond POSIX (checked on Debian 12's dash 0.5.12, bash 5.2, mksh 59c, busybox 1.35). */
interface ParamTraits { substitute: boolean; anchoredSubstitute: boolean; substring: boolean; caseMod: boolean; indirect: boolean; arrays: boolean }
const TRAITS: Readonly<Record<ShellName, ParamTraits>> = {
  sh: { substitute: false, anchoredSubstitute: false, substring: false, caseMod: false, indirect: false, arrays: false },
  dash: { substitute: false, anchoredSubstitute: false, substring: false, caseMod: false, indirect: false, arrays: false },
  bash: { substitute: true, anchoredSubstitute: true, substring: true, caseMod: true, indirect: true, arrays: true },
  mksh: { substitute: true, anchoredSubstitute: true, substring: true, caseMod: false, indirect: false, arrays: true },
  busybox: { substitute: true, anchoredSubstitute: false, substring: true, caseMod: false, indirect: false, arrays: false },
};

/** A piece of an expanded word: text (quoted or not, subject to splitting or not), or a hard field break ("$@"). */
type Piece = { readonly text: string; readonly quoted: boolean; readonly split: boolean } | { readonly brk: true };

const DEFAULT_IFS = ' \t\n';

function ifsOf(sh: Shell): string {
  const v = getVar(sh, 'IFS');
  if (v.kind === 'unknown') return unknownWord('$IFS is not known');
  return v.kind === 'unset' ? DEFAULT_IFS : scalar(v.value);
}

type Found = { kind: 'one'; value: string } | { kind: 'list'; values: string[]; star: boolean } | { kind: 'unset' };

function special(sh: Shell, name: string): Found | null {
  switch (name) {
    case '?': return { kind: 'one', value: String(sh.status) };
    case '#': return { kind: 'one', value: String(sh.positional.length) };
    case '@': case '*': return { kind: 'list', values: [...sh.positional], star: name === '*' };
    case '$': return { kind: 'one', value: String(sh.pid) };
    case '!': return unknownWord('$! (the last background process) is not known');
    case '-': return { kind: 'one', value: `${sh.errexit ? 'e' : ''}${sh.nounset ? 'u' : ''}` };
    case '0': return { kind: 'one', value: sh.scriptName };
  }
  if (/^[0-9]+$/.test(name)) {
    const v = sh.positional[Number(name) - 1];
    return v === undefined ? { kind: 'unset' } : { kind: 'one', value: v };
  }
  return null;
}

/** The value of a parameter (with its subscript or indirection), before its operator. */
function lookup(p: ParamPart, sh: Shell, io: ExpandIO): Found {
  const traits = TRAITS[sh.name];
  let name = p.name;
  if (p.indirect) {
    if (!traits.indirect) return shellError(`\${!${name}}: bad substitution`);
    const ref = lookup({ ...p, indirect: false, index: null }, sh, io);
    if (ref.kind !== 'one') return ref.kind === 'unset' ? { kind: 'unset' } : unknownWord(`\${!${name}}`);
    name = ref.value;
    if (!/^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])$/.test(name)) return shellError(`${name}: invalid variable name`);
  }
  const sp = special(sh, name);
  if (sp) {
    if (p.index !== null) return shellError(`\${${name}[…]}: bad substitution`);
    return sp;
  }
  const v = getVar(sh, name);
  if (v.kind === 'unknown') return unknownWord(`$${name} has a value the checker cannot know`);
  if (p.index !== null && !traits.arrays) return shellError(`\${${name}[${p.index}]}: bad substitution`);
  if (v.kind === 'unset') return { kind: 'unset' };
  const value = v.value;
  if (p.index === '@' || p.index === '*') {
    return { kind: 'list', values: typeof value === 'string' ? [value] : [...value], star: p.index === '*' };
  }
  if (p.index !== null) {
    const k = Number(arith(p.index, sh, io));
    const arr = typeof value === 'string' ? [value] : value;
    const idx = k < 0 ? arr.length + k : k;
    const el = arr[idx];
    return el === undefined ? { kind: 'unset' } : { kind: 'one', value: el };
  }
  return { kind: 'one', value: scalar(value) };
}

/** Arithmetic text: its $-expansions first, then evaluated. */
function arith(text: string, sh: Shell, io: ExpandIO): bigint {
  const word = lexWord(text, BASH_WORDS);
  const expanded = stringOf(pieces(word, sh, io, true), ifsOf(sh));
  try {
    return evalArith(expanded, {
      get: (name) => {
        const v = getVar(sh, name);
        if (v.kind === 'unknown') return null;
        if (v.kind === 'unset') { io.readUnset(name, 'plain'); if (sh.nounset) shellError(`${name}: parameter not set`); return undefined; }
        return scalar(v.value);
      },
      set: (name, value) => setVar(sh, name, value),
    });
  } catch (e) {
    if (e instanceof ArithUnknown) return unknownWord(`arithmetic \`${text.trim()}\`: ${e.message}`);
    if (e instanceof ArithError) return shellError(`arithmetic \`${text.trim()}\`: ${e.message}`);
    throw e;
  }
}

/** The text of pieces as one string ("$@" joined by spaces, "$*" by IFS's first character). */
function stringOf(ps: readonly Piece[], _ifs: string): string {
  return ps.map((x) => ('brk' in x ? ' ' : x.text)).join('');
}

/** One value or list after the operator, as pieces; a quoted one is a field even when empty ("$unset" is ''), "$@" excepted. */
function paramPieces(p: ParamPart, sh: Shell, io: ExpandIO, inString: boolean): Piece[] {
  const out = paramValuePieces(p, sh, io, inString);
  const list = p.name === '@' || p.index === '@';
  return p.quoted && !list && out.length === 0 ? [{ text: '', quoted: true, split: false }] : out;
}

function paramValuePieces(p: ParamPart, sh: Shell, io: ExpandIO, inString: boolean): Piece[] {
  const traits = TRAITS[sh.name];
  const op = p.op;
  const quoted = p.quoted;
  const label = p.name + (p.index !== null ? `[${p.index}]` : '');
  const found = lookup(p, sh, io);
  const isSet = found.kind !== 'unset';
  const isNull = found.kind === 'one' ? found.value === '' : found.kind === 'list' ? found.values.length === 0 || (found.values.length === 1 && found.values[0] === '') : true;
  // the word of ${x-word} in an unquoted ${…}: its unquoted literal text is split too (dash, bash)
  const arg = (): Piece[] => (p.arg ? pieces(p.arg, sh, io, inString).map((x) => ('brk' in x || quoted || x.quoted ? x : { ...x, split: true })) : []);
  const listPieces = (values: readonly string[], star: boolean): Piece[] => {
    if (quoted && star) {
      const ifs = ifsOf(sh);
      return [{ text: values.join(ifs === '' ? '' : ifs[0]!), quoted, split: false }];
    }
    // bash: an unquoted $@ or $* is the parameters joined by IFS's first character, then split
    // (so an empty parameter next to a non-white IFS delimiter is a field); dash, mksh and ash split each one
    if (!quoted && !inString && sh.name === 'bash') {
      const ifs = ifsOf(sh);
      if (ifs !== '') return [{ text: values.join(ifs[0]!), quoted: false, split: true }];
    }
    const out: Piece[] = [];
    values.forEach((v, k) => {
      if (k > 0) out.push(inString ? { text: ' ', quoted, split: false } : { brk: true });
      out.push({ text: v, quoted, split: !quoted });
    });
    return out;
  };
  const valuePieces = (): Piece[] => {
    if (found.kind === 'one') return [{ text: found.value, quoted, split: !quoted }];
    if (found.kind === 'list') return listPieces(found.values, found.star);
    return [];
  };
  const mapValues = (f: (v: string) => string): Piece[] => {
    if (found.kind === 'one') return [{ text: f(found.value), quoted, split: !quoted }];
    if (found.kind === 'list') return listPieces(found.values.map(f), found.star);
    return [{ text: f(''), quoted, split: !quoted }];
  };
  const plainRead = (): void => {
    if (found.kind !== 'unset' || /^[0-9@*]+$/.test(p.name)) return;
    io.readUnset(label, 'plain');
    if (sh.nounset) shellError(`${label}: parameter not set`);
  };
  switch (op) {
    case null:
      plainRead();
      return valuePieces();
    case ':-': case '-': case ':=': case '=': {
      if (!isSet && !/^[0-9@*]+$/.test(p.name)) io.readUnset(label, 'default');
      const useArg = !isSet || ((op === ':-' || op === ':=') && isNull);
      if (!useArg) return valuePieces();
      const a = arg();
      if (op === ':=' || op === '=') {
        if (/^[0-9@*#?$!-]+$/.test(p.name)) return shellError(`${p.name}: cannot assign in this way`);
        const text = stringOf(a, ifsOf(sh));
        setVar(sh, p.name, text);
        return [{ text, quoted, split: !quoted }];
      }
      return a;
    }
    case ':+': case '+': {
      const useArg = isSet && (op === '+' || !isNull);
      return useArg ? arg() : [];
    }
    case ':?': case '?': {
      if (!isSet || (op === ':?' && isNull)) {
        const msg = p.arg ? stringOf(arg(), ifsOf(sh)) : (isSet ? 'parameter null or not set' : 'parameter not set');
        return shellError(`${label}: ${msg}`);
      }
      return valuePieces();
    }
    case '#len': {
      plainRead();
      if (p.name === '@' || p.name === '*') return [{ text: String(sh.positional.length), quoted, split: !quoted }];
      if (found.kind === 'list') return [{ text: String(found.values.length), quoted, split: !quoted }];
      return [{ text: String(found.kind === 'one' ? [...found.value].length : 0), quoted, split: !quoted }];
    }
    case '#': case '##': case '%': case '%%': {
      plainRead();
      const pattern = patternText(p.arg, sh, io);
      return mapValues((v) => trimPattern(v, pattern, op));
    }
    case '/': case '//': case '/#': case '/%': {
      if (!traits.substitute || ((op === '/#' || op === '/%') && !traits.anchoredSubstitute)) {
        if (traits.substitute) return unknownWord(`\${${label}${op}…} is not evaluated for ${sh.name}`);
        return shellError(`\${${label}${op}…}: bad substitution`);
      }
      plainRead();
      const pattern = patternText(p.arg, sh, io);
      const replacement = p.arg2 ? stringOf(pieces(p.arg2, sh, io, true), ifsOf(sh)) : '';
      return mapValues((v) => substitute(v, pattern, replacement, op));
    }
    case ':': {
      if (!traits.substring) return shellError(`\${${label}:…}: bad substitution`);
      plainRead();
      const offset = Number(arith(p.arg?.raw ?? '0', sh, io));
      const length = p.arg2 ? Number(arith(p.arg2.raw, sh, io)) : null;
      if (found.kind === 'list') {
        // ${@:1:2}: positional parameters from $1 (offset 0 includes $0)
        const all = p.name === '@' || p.name === '*' ? [sh.scriptName, ...found.values] : found.values;
        const start = offset < 0 ? Math.max(0, all.length + offset) : offset;
        const end = length === null ? all.length : length < 0 ? shellError(`${length}: substring expression < 0`) : start + length;
        return listPieces(all.slice(start, end), found.star);
      }
      return mapValues((v) => {
        const chars = [...v];
        const start = offset < 0 ? Math.max(0, chars.length + offset) : Math.min(offset, chars.length);
        const end = length === null ? chars.length : length < 0 ? chars.length + length : start + length;
        if (end < start && length !== null && length < 0) return shellError(`${length}: substring expression < 0`);
        return chars.slice(start, Math.max(start, end)).join('');
      });
    }
    case '^': case '^^': case ',': case ',,': {
      if (!traits.caseMod) return shellError(`\${${label}${op}…}: bad substitution`);
      plainRead();
      const pattern = p.arg && p.arg.raw !== '' ? patternText(p.arg, sh, io) : '?';
      const re = globRegExp(pattern, false);
      const upper = op[0] === '^';
      const all = op.length === 2;
      return mapValues((v) => {
        const chars = [...v];
        for (let k = 0; k < chars.length; k++) {
          if (!all && k > 0) break;
          if (re.test(chars[k]!)) chars[k] = upper ? chars[k]!.toUpperCase() : chars[k]!.toLowerCase();
        }
        return chars.join('');
      });
    }
  }
  return unknownWord(`\${${label}${op}…} is not evaluated`);
}

/** A pattern operand (${v#p}, ${v/p/r}, case): quoted characters lose their special meaning. */
function patternText(word: Word | null, sh: Shell, io: ExpandIO): string {
  if (!word) return '';
  return pieces(word, sh, io, true).map((x) => ('brk' in x ? ' ' : x.quoted ? escapeGlob(x.text) : x.text)).join('');
}

/** ${v#p} ${v##p} ${v%p} ${v%%p}: remove the shortest/longest matching prefix/suffix. */
function trimPattern(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const re = globRegExp(pattern, false);
  const n = value.length;
  if (op === '#' || op === '##') {
    for (let i = 0; i <= n; i++) {
      const k = op === '#' ? i : n - i;
      if (re.test(value.slice(0, k))) return value.slice(k);
    }
  } else {
    for (let i = 0; i <= n; i++) {
      const k = op === '%' ? n - i : i;
      if (re.test(value.slice(k))) return value.slice(0, k);
    }
  }
  return value;
}

/** ${v/p/r} (first), ${v//p/r} (all), ${v/#p/r} (at the start), ${v/%p/r} (at the end): longest match. */
function substitute(value: string, pattern: string, replacement: string, op: '/' | '//' | '/#' | '/%'): string {
  if (pattern === '' && op !== '/#' && op !== '/%') return value;
  const re = globRegExp(pattern, false);
  const n = value.length;
  if (op === '/#') {
    for (let k = n; k >= 0; k--) if (re.test(value.slice(0, k))) return replacement + value.slice(k);
    return value;
  }
  if (op === '/%') {
    for (let k = 0; k <= n; k++) if (re.test(value.slice(k))) return value.slice(0, k) + replacement;
    return value;
  }
  let out = '';
  let i = 0;
  while (i <= n) {
    let matched = -1;
    for (let k = n; k > i; k--) if (re.test(value.slice(i, k))) { matched = k; break; }
    if (matched < 0) {
      if (i < n) out += value[i];
      i++;
      continue;
    }
    out += replacement;
    i = matched;
    if (op === '/') return out + value.slice(i);
  }
  return out;
}

/** A word's pieces: every part expanded, not yet split. `inString`: "$@" joins with spaces. */
function pieces(word: Word, sh: Shell, io: ExpandIO, inString: boolean): Piece[] {
  const out: Piece[] = [];
  word.parts.forEach((part: WordPart, k) => {
    switch (part.kind) {
      case 'lit': {
        let text = part.value;
        if (k === 0 && !part.quoted && text.startsWith('~')) text = tilde(text, sh);
        out.push({ text, quoted: part.quoted, split: false });
        return;
      }
      case 'param':
        out.push(...paramPieces(part, sh, io, inString));
        return;
      case 'cmdsub': {
        const r = io.commandOutput(part.text);
        if (!r.ok) return r.fatal ? shellError(r.why) : unknownWord(r.why);
        out.push({ text: r.value.replace(/\n+$/, ''), quoted: part.quoted, split: !part.quoted });
        return;
      }
      case 'arith':
        out.push({ text: arith(part.text, sh, io).toString(), quoted: part.quoted, split: !part.quoted });
        return;
      case 'bad':
        return part.fatal ? shellError(part.why) : unknownWord(part.why);
    }
  });
  return out;
}

/** ~ and ~/… → $HOME; with HOME unset, bash uses root's home from the password file, the others keep `~`. */
function tilde(text: string, sh: Shell): string {
  const slash = text.indexOf('/');
  const user = text.slice(1, slash < 0 ? undefined : slash);
  const rest = slash < 0 ? '' : text.slice(slash);
  if (user === '') {
    const home = getVar(sh, 'HOME');
    if (home.kind === 'set') return scalar(home.value) + rest;
    if (home.kind === 'unknown') return unknownWord('$HOME is not known');
    return sh.name === 'bash' ? '/root' + rest : text;
  }
  if (user === 'root') return '/root' + rest;
  return text;
}

function guard<T>(f: () => T): Expanded<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof ExpandFailure) return e.fatal ? { ok: false, why: e.why, fatal: true } : { ok: false, why: e.why };
    throw e;
  }
}

/** One word to one string: no field splitting, no pathname expansion (assignments, case words, targets, here-documents). */
export function expandString(word: Word, sh: Shell, io: ExpandIO): Expanded<string> {
  return guard(() => stringOf(pieces(word, sh, io, true), ifsOf(sh)));
}

/** A word as a pattern (case arms, [[ == ]]): quoted characters lose their special meaning. */
export function patternOf(word: Word, sh: Shell, io: ExpandIO): Expanded<string> {
  return guard(() => patternText(word, sh, io));
}

/** Arithmetic text ($((…)), ((…)), let): its value. */
export function expandArith(text: string, sh: Shell, io: ExpandIO): Expanded<bigint> {
  return guard(() => arith(text, sh, io));
}

const escapeGlob = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => '\\' + c);

interface Field { text: string; pattern: string; glob: boolean }

/**
 * Field splitting (XCU 2.6.5): only the unquoted results of expansions are split. IFS
 * white space around a field is dropped; each other IFS character ends a field, so two
 * in a row make an empty field; a hard break ("$@") always ends one.
 */
function split(ps: readonly Piece[], ifs: string, regions: boolean): Field[] {
  const fields: Field[] = [];
  const ws = [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('');
  let cur: Field | null = null;
  /** 'ws': the last field ended at IFS white space (a following non-white IFS character is the same delimiter); 'delim': a delimiter was just consumed. */
  let state: 'none' | 'ws' | 'delim' = 'none';
  const add = (text: string, quoted: boolean): void => {
    cur ??= { text: '', pattern: '', glob: false };
    cur.text += text;
    cur.pattern += quoted ? escapeGlob(text) : text;
    if (!quoted && /[*?[]/.test(text)) cur.glob = true;
    state = 'none';
  };
  const end = (): void => { if (cur) fields.push(cur); cur = null; };
  let afterBreak = false;
  for (const piece of ps) {
    // the boundary between two parameters of $@ or $* is like IFS white space (dash, busybox ash;
    // checked against dash: `set -- a :b; IFS=:,; printf '<%s>' $*` gives <a><b>)
    if ('brk' in piece) { if (cur) { end(); state = 'ws'; } afterBreak = true; continue; }
    const fresh = !afterBreak;
    afterBreak = false;
    if (!piece.split) { add(piece.text, piece.quoted); continue; }
    // dash and busybox ash split each expansion on its own: a delimiter does not run on into the next one
    // (`A='a '; B=':b'; IFS=' :'; $A$B` is a, '', b there and a, b in bash)
    if (regions && fresh && state !== 'none' && cur === null) state = 'none';
    // IFS empty: no splitting, but an empty unquoted expansion still makes no field
    if (ifs === '') { if (piece.text !== '') add(piece.text, false); continue; }
    let run = '';
    for (const c of piece.text) {
      if (!ifs.includes(c)) { run += c; continue; }
      if (run) { add(run, false); run = ''; }
      if (ws.includes(c)) {
        if (cur) { end(); state = 'ws'; }
      } else if (cur) { end(); state = 'delim'; }
      else if (state === 'ws') state = 'delim';
      else { fields.push({ text: '', pattern: '', glob: false }); state = 'delim'; }
    }
    if (run) add(run, false);
  }
  end();
  return fields;
}

/** Words to fields: expansion, field splitting on IFS, pathname expansion. */
export function expandWords(words: readonly Word[], sh: Shell, io: ExpandIO): Expanded<string[]> {
  return guard(() => {
    const out: string[] = [];
    for (const word of words) {
      // a word with a quoted part (even "") makes a field; "$@" with no parameters makes none
      const fields = split(pieces(word, sh, io, false), ifsOf(sh), sh.name !== 'bash');
      for (const f of fields) {
        if (!f.glob || !isPattern(f.pattern)) { out.push(f.text); continue; }
        const matches = io.glob(f.pattern);
        if (matches === null) return unknownWord(`the pattern \`${f.text}\` cannot be expanded here`);
        if (matches.length === 0) out.push(f.text); else out.push(...matches);
      }
    }
    return out;
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
      const close = bracketEnd(pattern, i);
      if (close > 0) {
        let body = pattern.slice(i + 1, close);
        const negate = body[0] === '!' || body[0] === '^';
        if (negate) body = body.slice(1);
        let set = '';
        for (let j = 0; j < body.length; j++) {
          const cls = /^\[:([a-z]+):\]/.exec(body.slice(j));
          if (cls && CLASSES[cls[1]!] !== undefined) { set += CLASSES[cls[1]!]; j += cls[0].length - 1; continue; }
          if (body[j] === '\\' && j + 1 < body.length) { set += '\\' + body[++j]; continue; }
          set += /[\]^\\[]/.test(body[j]!) ? '\\' + body[j] : body[j];
        }
        re += `[${negate ? '^' : ''}${set}]`;
        i = close;
        continue;
      }
    }
    re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

/** The `]` closing a bracket expression opened at `open` (a `]` first in it, and [:class:], are inside); -1 if none. */
function bracketEnd(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === '!' || pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  for (; j < pattern.length; j++) {
    if (pattern[j] === '\\') { j++; continue; }
    if (pattern[j] === '[' && pattern[j + 1] === ':') {
      const k = pattern.indexOf(':]', j + 2);
      if (k > 0) { j = k + 1; continue; }
    }
    if (pattern[j] === ']') return j;
  }
  return -1;
}

const CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v', blank: ' \\t',
  punct: '!-/:-@\\[-`{-~', xdigit: '0-9a-fA-F', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f',
};

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Does a case pattern (already expanded, quoted characters escaped) match the value? */
export function matchPattern(pattern: string, value: string): boolean {
  return globRegExp(pattern, false).test(value);
}
