// Text utilities on input the checker knows (a file under /proc it generates, a file the
// script wrote, a here-document, the previous command of a pipeline): cat, grep, head,
// tail, cut, wc, tr, sort, uniq, sed s///, awk '{print $N}', expr, basename, dirname, id,
// seq. Their output feeds $(…) and pipelines, and grep's status is a guard's answer
// (`grep -q devpts /proc/mounts`). On input it does not know, the status is assumed and
// said next to the line.

import { getVar, scalar } from '../shell-state.ts';
import { assumeStatus, basename as base, dirname as dir, failed, getopt, has, noEffect, valueOf, valuesOf, type CommandCtx, type Handler } from './context.ts';
import { knownFile } from './procfs.ts';

type Read = { ok: true; text: string } | { ok: false; status: number };

/** The input of a filter: its file operands (or `-`) in order, else standard input. */
function input(ctx: CommandCtx, files: readonly string[], tool: string): Read {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) {
    const stdin = ctx.io.stdin;
    if (stdin === null) return unknownInput(ctx, `${tool} reads input the checker does not have`);
    const text = stdin.text.slice(stdin.pos);
    stdin.pos = stdin.text.length;
    return { ok: true, text };
  }
  let text = '';
  for (const f of files) {
    const k = f === '-' ? null : knownFile(ctx.run, ctx.sh, f);
    if (k && 'missing' in k) {
      ctx.run.find(ctx.where, 'failed', `${tool}: ${f}: No such file or directory (${k.missing})`);
      return { ok: false, status: tool === 'grep' ? 2 : 1 };
    }
    if (!k) return unknownInput(ctx, `${tool} reads ${f}, whose contents the checker does not know`);
    text += k.text;
  }
  return { ok: true, text };
}

function unknownInput(ctx: CommandCtx, why: string): Read {
  ctx.io.out.unknown(why);
  ctx.run.find(ctx.where, 'noeffect', `${why}: no effect on devpts`);
  return { ok: false, status: assumeStatus(ctx, 0, why) };
}

const lines = (text: string): string[] => {
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
};
const joinLines = (ls: readonly string[]): string => ls.map((l) => l + '\n').join('');

export const cat: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'AbeEnstTuv', long: { 'show-all': 'none', number: 'none' } });
  const r = input(ctx, a.operands, 'cat');
  if (!r.ok) return r.status;
  ctx.io.out.write(r.text);
  return 0;
};

/** POSIX basic regular expressions (and -E extended, -F fixed) as a JavaScript RegExp. */
export function regexOf(pattern: string, mode: 'basic' | 'extended' | 'fixed', flags: string): RegExp {
  if (mode === 'fixed') return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), flags);
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[') {
      // a bracket expression is copied with its classes
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '[' && pattern[j + 1] === ':' ? pattern.indexOf(':]', j + 2) + 2 - j : 1;
      const body = pattern.slice(i + 1, j).replace(/\[:(alpha|digit|alnum|upper|lower|space|blank|punct|xdigit):\]/g, (_m, k: string) =>
        ({ alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', blank: ' \\t', punct: '!-/:-@\\[-`{-~', xdigit: '0-9a-fA-F' } as Record<string, string>)[k]!,
      ).replace(/\\(?![sdwtn])/g, '\\\\');
      re += `[${body}]`;
      i = j;
      continue;
    }
    if (mode === 'basic') {
      if (c === '\\' && i + 1 < pattern.length) {
        const n = pattern[++i]!;
        re += '(){}|+?'.includes(n) ? n : n === '<' || n === '>' ? '\\b' : /[0-9]/.test(n) ? '\\' + n : '\\' + n;
        continue;
      }
      re += '(){}|+?/'.includes(c) ? '\\' + c : c;
      continue;
    }
    if (c === '\\' && i + 1 < pattern.length) { const n = pattern[++i]!; re += n === '<' || n === '>' ? '\\b' : '\\' + n; continue; }
    re += c === '/' ? '\\/' : c;
  }
  return new RegExp(re, flags);
}

export const grep: Handler = (ctx) => {
  const name = base(ctx.argv[0]!);
  const a = getopt(ctx.argv.slice(1), {
    short: 'EFGPe:f:ivwxcLloqsnhHrRabA:B:C:m:z',
    long: { 'extended-regexp': 'none', 'fixed-strings': 'none', 'basic-regexp': 'none', regexp: 'required', 'ignore-case': 'none', 'invert-match': 'none', 'word-regexp': 'none', 'line-regexp': 'none', count: 'none', quiet: 'none', silent: 'none', 'no-messages': 'none', 'only-matching': 'none', 'line-number': 'none', 'max-count': 'required', 'files-with-matches': 'none' },
  });
  if (a.bad.length > 0 || has(a, 'f', 'r', 'R', 'P', 'A', 'B', 'C', 'z')) {
    ctx.io.out.unknown('grep with these options is not modelled');
    return assumeStatus(ctx, 0, `grep ${a.bad.join(' ')} is not modelled`);
  }
  const patterns = valuesOf(a, 'e', 'regexp');
  const ops = [...a.operands];
  if (patterns.length === 0) { if (ops.length === 0) return failed(ctx, 'grep: no pattern', 2); patterns.push(ops.shift()!); }
  const mode = has(a, 'F', 'fixed-strings') || name === 'fgrep' ? 'fixed' : has(a, 'E', 'extended-regexp') || name === 'egrep' ? 'extended' : 'basic';
  const r = input(ctx, ops, 'grep');
  if (!r.ok) return has(a, 's', 'no-messages') && r.status === 2 ? 2 : r.status;
  const res = patterns.flatMap((p) => p.split('\n')).map((p) => {
    let src = regexOf(p, mode, has(a, 'i', 'ignore-case') ? 'i' : '').source;
    if (has(a, 'w', 'word-regexp')) src = `(?<![A-Za-z0-9_])(?:${src})(?![A-Za-z0-9_])`;
    if (has(a, 'x', 'line-regexp')) src = `^(?:${src})$`;
    return new RegExp(src, has(a, 'i', 'ignore-case') ? 'i' : '');
  });
  const invert = has(a, 'v', 'invert-match');
  const max = valueOf(a, 'm', 'max-count');
  let matched = lines(r.text).filter((l) => res.some((re) => re.test(l)) !== invert);
  if (max !== null) matched = matched.slice(0, Number(max));
  const status = matched.length > 0 ? 0 : 1;
  if (has(a, 'q', 'quiet', 'silent')) return status;
  if (has(a, 'c', 'count')) ctx.io.out.write(`${matched.length}\n`);
  else if (has(a, 'l', 'files-with-matches')) { if (status === 0) ctx.io.out.write(`${ops[0] ?? '(standard input)'}\n`); }
  else if (has(a, 'o', 'only-matching')) ctx.io.out.write(joinLines(matched.flatMap((l) => res.flatMap((re) => [...l.matchAll(new RegExp(re.source, re.flags + 'g'))].map((m) => m[0])))));
  else ctx.io.out.write(joinLines(matched));
  return status;
};

const countArg = (a: ReturnType<typeof getopt>, dflt: number): { n: number; from: boolean } => {
  const v = valueOf(a, 'n', 'lines');
  if (v === null) return { n: dflt, from: false };
  return { n: Math.abs(Number(v.replace(/^\+/, ''))) || 0, from: v.startsWith('+') };
};

/** head/tail -N is -n N. */
const numericShort = (args: readonly string[]): string[] => args.map((x) => (/^-[0-9]+$/.test(x) ? `-n${x.slice(1)}` : x));

export const head: Handler = (ctx) => {
  const a = getopt(numericShort(ctx.argv.slice(1)), { short: 'n:c:qv', long: { lines: 'required', bytes: 'required' } });
  if (has(a, 'c', 'bytes')) { ctx.io.out.unknown('head -c'); return assumeStatus(ctx, 0, 'head -c is not modelled'); }
  const r = input(ctx, a.operands, 'head');
  if (!r.ok) return r.status;
  ctx.io.out.write(joinLines(lines(r.text).slice(0, countArg(a, 10).n)));
  return 0;
};

export const tail: Handler = (ctx) => {
  const a = getopt(numericShort(ctx.argv.slice(1)), { short: 'n:c:qvfF', long: { lines: 'required', bytes: 'required', follow: 'optional' } });
  if (has(a, 'c', 'bytes', 'f', 'F', 'follow')) { ctx.io.out.unknown('tail -c/-f'); return assumeStatus(ctx, 0, 'tail -c/-f is not modelled'); }
  const r = input(ctx, a.operands, 'tail');
  if (!r.ok) return r.status;
  const ls = lines(r.text);
  const { n, from } = countArg(a, 10);
  ctx.io.out.write(joinLines(from ? ls.slice(Math.max(0, n - 1)) : ls.slice(Math.max(0, ls.length - n))));
  return 0;
};

/** cut -d D -f LIST, cut -c LIST. */
export const cut: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'd:f:c:b:s', long: { delimiter: 'required', fields: 'required', characters: 'required', bytes: 'required', 'only-delimited': 'none' } });
  const r = input(ctx, a.operands, 'cut');
  if (!r.ok) return r.status;
  const list = valueOf(a, 'f', 'fields') ?? valueOf(a, 'c', 'characters', 'b', 'bytes');
  if (list === null) return failed(ctx, 'cut: you must specify a list of bytes, characters, or fields');
  const wanted = (k: number): boolean => list.split(',').some((range) => {
    const m = /^([0-9]*)(-?)([0-9]*)$/.exec(range);
    if (!m) return false;
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    return k >= lo && k <= hi;
  });
  const delim = valueOf(a, 'd', 'delimiter') ?? '\t';
  const byFields = valueOf(a, 'f', 'fields') !== null;
  ctx.io.out.write(joinLines(lines(r.text).flatMap((l) => {
    if (!byFields) return [[...l].filter((_c, k) => wanted(k + 1)).join('')];
    if (!l.includes(delim)) return has(a, 's', 'only-delimited') ? [] : [l];
    return [l.split(delim).filter((_f, k) => wanted(k + 1)).join(delim)];
  })));
  return 0;
};

export const wc: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'lwcm', long: { lines: 'none', words: 'none', bytes: 'none', chars: 'none' } });
  const r = input(ctx, a.operands, 'wc');
  if (!r.ok) return r.status;
  const counts: number[] = [];
  const all = !has(a, 'l', 'w', 'c', 'm', 'lines', 'words', 'bytes', 'chars');
  if (all || has(a, 'l', 'lines')) counts.push((r.text.match(/\n/g) ?? []).length);
  if (all || has(a, 'w', 'words')) counts.push(r.text.split(/\s+/).filter((w) => w !== '').length);
  if (all || has(a, 'c', 'm', 'bytes', 'chars')) counts.push(Buffer.byteLength(r.text));
  ctx.io.out.write(counts.length === 1 ? `${counts[0]}\n` : counts.map((c) => String(c).padStart(7)).join(' ') + '\n');
  return 0;
};

/** tr SET1 [SET2], tr -d SET, tr -s SET: ranges and the usual classes. */
export const tr: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'dsc', long: { delete: 'none', 'squeeze-repeats': 'none' } });
  if (has(a, 'c')) { ctx.io.out.unknown('tr -c'); return assumeStatus(ctx, 0, 'tr -c is not modelled'); }
  const r = input(ctx, [], 'tr');
  if (!r.ok) return r.status;
  const set = (s: string): string[] => {
    const out: string[] = [];
    const t = s.replace(/\[:(upper|lower|digit|space|alpha|alnum):\]/g, (_m, k: string) => ({ upper: 'A-Z', lower: 'a-z', digit: '0-9', space: ' \t\n\r\f\v', alpha: 'a-zA-Z', alnum: 'a-zA-Z0-9' } as Record<string, string>)[k]!)
      .replace(/\\(n|t|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
    for (let i = 0; i < t.length; i++) {
      if (t[i + 1] === '-' && i + 2 < t.length) { for (let c = t.charCodeAt(i); c <= t.charCodeAt(i + 2); c++) out.push(String.fromCharCode(c)); i += 2; }
      else out.push(t[i]!);
    }
    return out;
  };
  const [s1 = '', s2] = a.operands;
  const from = set(s1);
  let text = r.text;
  if (has(a, 'd', 'delete')) text = [...text].filter((c) => !from.includes(c)).join('');
  else if (s2 !== undefined) {
    const to = set(s2);
    text = [...text].map((c) => { const k = from.indexOf(c); return k < 0 ? c : to[Math.min(k, to.length - 1)] ?? c; }).join('');
  }
  if (has(a, 's', 'squeeze-repeats')) {
    const sq = set(s2 ?? s1);
    text = [...text].filter((c, k, all) => !(k > 0 && c === all[k - 1] && sq.includes(c))).join('');
  }
  ctx.io.out.write(text);
  return 0;
};

export const sort: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'runk:t:', long: { reverse: 'none', unique: 'none', 'numeric-sort': 'none' } });
  if (has(a, 'k', 't')) { ctx.io.out.unknown('sort -k'); return assumeStatus(ctx, 0, 'sort -k/-t is not modelled'); }
  const r = input(ctx, a.operands, 'sort');
  if (!r.ok) return r.status;
  let ls = lines(r.text);
  ls = has(a, 'n', 'numeric-sort') ? ls.sort((x, y) => parseFloat(x) - parseFloat(y)) : ls.sort();
  if (has(a, 'u', 'unique')) ls = ls.filter((l, k) => k === 0 || l !== ls[k - 1]);
  if (has(a, 'r', 'reverse')) ls.reverse();
  ctx.io.out.write(joinLines(ls));
  return 0;
};

export const uniq: Handler = (ctx) => {
  const r = input(ctx, ctx.argv.slice(1).filter((x) => !x.startsWith('-')), 'uniq');
  if (!r.ok) return r.status;
  const ls = lines(r.text);
  ctx.io.out.write(joinLines(ls.filter((l, k) => k === 0 || l !== ls[k - 1])));
  return 0;
};

/** sed with s/RE/REPLACEMENT/[g][p] commands (and -n); anything else: output unknown. */
export const sed: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'ne:Erif:', long: { quiet: 'none', silent: 'none', expression: 'required', 'regexp-extended': 'none', 'in-place': 'optional' } });
  if (has(a, 'i', 'in-place', 'f')) return noEffect(ctx, 'sed -i edits a file: no effect on devpts', false);
  const ops = [...a.operands];
  const scripts = valuesOf(a, 'e', 'expression');
  if (scripts.length === 0 && ops.length > 0) scripts.push(ops.shift()!);
  const cmds: { re: RegExp; rep: string; global: boolean; print: boolean }[] = [];
  for (const s of scripts.flatMap((x) => x.split(/\n|;(?=\s*s)/))) {
    const t = s.trim();
    if (t === '') continue;
    const d = t[1];
    if (t[0] !== 's' || d === undefined) { ctx.io.out.unknown(`sed '${s}' is not modelled`); return assumeStatus(ctx, 0, `sed '${s}' is not modelled`); }
    const parts: string[] = [];
    let cur = '';
    for (let i = 2; i < t.length; i++) {
      if (t[i] === '\\' && t[i + 1] === d) { cur += d; i++; continue; }
      if (t[i] === '\\' && i + 1 < t.length) { cur += t[i]! + t[i + 1]!; i++; continue; }
      if (t[i] === d) { parts.push(cur); cur = ''; continue; }
      cur += t[i];
    }
    parts.push(cur);
    if (parts.length !== 3 || !/^[gpI0-9]*$/.test(parts[2]!)) { ctx.io.out.unknown(`sed '${s}' is not modelled`); return assumeStatus(ctx, 0, `sed '${s}' is not modelled`); }
    const mode = has(a, 'E', 'r', 'regexp-extended') ? 'extended' : 'basic';
    cmds.push({
      re: regexOf(parts[0]!, mode, (parts[2]!.includes('g') ? 'g' : '') + (parts[2]!.includes('I') ? 'i' : '')),
      rep: parts[1]!.replace(/\\([0-9])/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\&/g, '&').replace(/\\n/g, '\n').replace(/\\(.)/g, '$1'),
      global: parts[2]!.includes('g'), print: parts[2]!.includes('p'),
    });
  }
  const r = input(ctx, ops, 'sed');
  if (!r.ok) return r.status;
  const quiet = has(a, 'n', 'quiet', 'silent');
  const out: string[] = [];
  for (let l of lines(r.text)) {
    let printed = false;
    for (const c of cmds) {
      const next = l.replace(c.re, c.rep);
      if (next !== l || c.re.test(l)) { if (c.print) { out.push(next); printed = true; } }
      l = next;
      c.re.lastIndex = 0;
    }
    if (!quiet) out.push(l);
    void printed;
  }
  ctx.io.out.write(joinLines(out));
  return 0;
};

/** awk with one `[/RE/ | $N == "x"] { print $N[, $M] }` rule and -F; anything else: output unknown. */
export const awk: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'F:v:f:' });
  if (has(a, 'v', 'f')) { ctx.io.out.unknown('awk -v/-f'); return assumeStatus(ctx, 0, 'awk -v/-f is not modelled'); }
  const [prog = '', ...files] = a.operands;
  const m = /^\s*(?:\/((?:\\.|[^/])*)\/|\$([0-9]+)\s*(==|!=|~)\s*(?:"([^"]*)"|\/((?:\\.|[^/])*)\/))?\s*\{\s*print\s+((?:\$[0-9]+|"[^"]*")(?:\s*,\s*(?:\$[0-9]+|"[^"]*"))*)\s*;?\s*\}\s*$/.exec(prog);
  const bare = /^\s*\/((?:\\.|[^/])*)\/\s*$/.exec(prog);
  if (!m && !bare) { ctx.io.out.unknown(`awk '${prog}' is not modelled`); return assumeStatus(ctx, 0, `awk '${prog}' is not modelled`); }
  const r = input(ctx, files, 'awk');
  if (!r.ok) return r.status;
  const fs = valueOf(a, 'F');
  const fieldsOf = (l: string): string[] => [l, ...(fs === null || fs === ' ' ? l.trim().split(/[ \t]+/) : l.split(fs.length === 1 ? fs : new RegExp(fs)))];
  const out: string[] = [];
  for (const l of lines(r.text)) {
    const f = fieldsOf(l);
    if (bare) { if (regexOf(bare[1]!, 'extended', '').test(l)) out.push(l); continue; }
    const [, re, field, cmp, str, fre, prints] = m!;
    if (re !== undefined && !regexOf(re, 'extended', '').test(l)) continue;
    if (field !== undefined) {
      const v = f[Number(field)] ?? '';
      const ok = cmp === '~' ? regexOf(fre ?? str ?? '', 'extended', '').test(v) : cmp === '==' ? v === (str ?? '') : v !== (str ?? '');
      if (!ok) continue;
    }
    out.push(prints!.split(/\s*,\s*/).map((p) => (p.startsWith('"') ? p.slice(1, -1) : f[Number(p.slice(1))] ?? '')).join(' '));
  }
  ctx.io.out.write(joinLines(out));
  return 0;
};

export const basenameCmd: Handler = (ctx) => {
  const a = ctx.argv.slice(1).filter((x) => x !== '--');
  if (a[0] === '-a' || a[0] === '-s') { for (const x of a.slice(a[0] === '-s' ? 2 : 1)) ctx.io.out.write(base(x).replace(a[0] === '-s' ? new RegExp(`${a[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : /$^/, '') + '\n'); return 0; }
  if (a.length === 0) return failed(ctx, 'basename: missing operand');
  let b = base(a[0]!);
  if (a[1] !== undefined && b !== a[1] && b.endsWith(a[1])) b = b.slice(0, -a[1].length);
  ctx.io.out.write(b + '\n');
  return 0;
};

export const dirnameCmd: Handler = (ctx) => {
  const a = ctx.argv.slice(1).filter((x) => x !== '--');
  if (a.length === 0) return failed(ctx, 'dirname: missing operand');
  for (const x of a) ctx.io.out.write(dir(x) + '\n');
  return 0;
};

/** id [-u|-g|-n]: the script's process is root unless it changed user (only root is modelled). */
export const id: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'ugGnr', long: { user: 'none', group: 'none', groups: 'none', name: 'none', real: 'none' } });
  const proc = ctx.run.state.procs[ctx.sh.pid];
  const uid = proc?.uid ?? 0;
  const gid = proc?.gid ?? 0;
  const name = (n: number): string => (n === 0 ? 'root' : String(n));
  if (a.operands.length > 0) { ctx.io.out.unknown('id of another user'); return assumeStatus(ctx, 0, 'id of another user is not known'); }
  if (has(a, 'u', 'user')) ctx.io.out.write(`${has(a, 'n', 'name') ? name(uid) : uid}\n`);
  else if (has(a, 'g', 'group', 'G', 'groups')) ctx.io.out.write(`${has(a, 'n', 'name') ? name(gid) : gid}\n`);
  else ctx.io.out.write(`uid=${uid}(${name(uid)}) gid=${gid}(${name(gid)}) groups=${gid}(${name(gid)})\n`);
  return 0;
};

export const whoami: Handler = (ctx) => {
  const uid = ctx.run.state.procs[ctx.sh.pid]?.uid ?? 0;
  ctx.io.out.write(`${uid === 0 ? 'root' : uid}\n`);
  return 0;
};

export const seq: Handler = (ctx) => {
  const n = ctx.argv.slice(1).map(Number);
  if (n.length === 0 || n.some(Number.isNaN)) return failed(ctx, 'seq: invalid argument');
  const [first, step, last] = n.length === 1 ? [1, 1, n[0]!] : n.length === 2 ? [n[0]!, 1, n[1]!] : [n[0]!, n[1]!, n[2]!];
  const out: string[] = [];
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) { out.push(String(v)); if (out.length > 10000) break; }
  ctx.io.out.write(joinLines(out));
  return 0;
};

/** expr: integer arithmetic, comparisons, `STRING : REGEX`, length. */
export const expr: Handler = (ctx) => {
  const t = ctx.argv.slice(1);
  let i = 0;
  const num = (s: string): bigint | null => (/^-?[0-9]+$/.test(s) ? BigInt(s) : null);
  const primary = (): string => {
    const x = t[i++];
    if (x === undefined) throw new Error('syntax error');
    if (x === '(') { const v = orE(); i++; return v; }
    if (x === 'length') return String([...primary()].length);
    return x;
  };
  const match = (): string => {
    let v = primary();
    while (t[i] === ':') {
      i++;
      const re = primary();
      const m = regexOf(re, 'basic', '').exec(v);
      const anchored = m && m.index === 0 ? m : null;
      v = anchored ? (anchored[1] !== undefined ? anchored[1] : String(anchored[0].length)) : (/\\\(/.test(re) ? '' : '0');
    }
    return v;
  };
  const mul = (): string => {
    let v = match();
    while (t[i] === '*' || t[i] === '/' || t[i] === '%') {
      const o = t[i++]!;
      const a = num(v), b = num(match());
      if (a === null || b === null) throw new Error('non-integer argument');
      if (o !== '*' && b === 0n) throw new Error('division by zero');
      v = String(o === '*' ? a * b : o === '/' ? a / b : a % b);
    }
    return v;
  };
  const add = (): string => {
    let v = mul();
    while (t[i] === '+' || t[i] === '-') {
      const o = t[i++]!;
      const a = num(v), b = num(mul());
      if (a === null || b === null) throw new Error('non-integer argument');
      v = String(o === '+' ? a + b : a - b);
    }
    return v;
  };
  const cmp = (): string => {
    let v = add();
    while (['=', '!=', '<', '<=', '>', '>='].includes(t[i] ?? '')) {
      const o = t[i++]!;
      const w = add();
      const a = num(v), b = num(w);
      const c = a !== null && b !== null ? (a < b ? -1 : a > b ? 1 : 0) : v < w ? -1 : v > w ? 1 : 0;
      v = ({ '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 } as Record<string, boolean>)[o] ? '1' : '0';
    }
    return v;
  };
  const andE = (): string => { let v = cmp(); while (t[i] === '&') { i++; const w = cmp(); v = v !== '' && v !== '0' && w !== '' && w !== '0' ? v : '0'; } return v; };
  function orE(): string { let v = andE(); while (t[i] === '|') { i++; const w = andE(); v = v !== '' && v !== '0' ? v : w !== '' && w !== '0' ? w : '0'; } return v; }
  try {
    const v = orE();
    ctx.io.out.write(v + '\n');
    return v === '' || v === '0' ? 1 : 0;
  } catch (e) {
    return failed(ctx, `expr: ${(e as Error).message}`, 2);
  }
};

/** uname: the machine's architecture is known (x86_64); the release is the profile's kernel. */
export const uname: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'asnrvmpio', long: { all: 'none' } });
  const release = ({ '2.6.39-n': '2.6.39.4', '2.6.39-y': '2.6.39.4', '3.4-y': '3.4.113', '4.4-n': '4.4.178', '4.4-y': '4.4.178', '6.1': '6.1.0', '6.x': '6.18.0' } as Record<string, string>)[ctx.run.profile] ?? '6.18.0';
  if (has(a, 'r')) ctx.io.out.write(release + '\n');
  else if (has(a, 'm', 'p', 'i')) ctx.io.out.write('x86_64\n');
  else if (has(a, 'n', 'a', 'all', 'v')) { ctx.io.out.unknown('uname -n/-v/-a'); return 0; }
  else ctx.io.out.write('Linux\n');
  return 0;
};

/** $HOSTNAME and the like are not known; `hostname` prints what it is given nothing about. */
export const printenv: Handler = (ctx) => {
  for (const n of ctx.argv.slice(1)) {
    const v = getVar(ctx.sh, n);
    if (v.kind === 'unknown') { ctx.io.out.unknown(`$${n}`); continue; }
    if (v.kind === 'set' && ctx.sh.exported.has(n)) ctx.io.out.write(scalar(v.value) + '\n');
  }
  return 0;
};
