// The questions scripts ask before they act, answered from the model's state at that
// point: mountpoint(1), findmnt(8), OpenRC's mountinfo, stat(1), readlink(1) and
// realpath(1), ls of a directory. Mount questions read the same table /proc/self/mountinfo
// shows (shell/mountinfo.ts); file questions are stat ops.

import { nodeAt, resolve } from '../../model/paths.ts';
import { mountTable, type MountEntry } from '../mountinfo.ts';
import type { Shell } from '../shell-state.ts';
import { abs, assumeStatus, errnoOf, failed, getopt, has, normalize, op, unknown, valueOf, type CommandCtx, type Handler } from './context.ts';
import { pseudoMountsOf } from './procfs.ts';

/** The mounts the shell's process sees (targets from its root), or null. */
export function tableOf(ctx: CommandCtx): MountEntry[] | null {
  return mountTable(ctx.run, ctx.sh.pid, pseudoMountsOf(ctx.run, ctx.sh), ctx.sh.root);
}

/** A symlink's body, read from the model (null: not a symlink, or not there). */
export function linkTarget(ctx: CommandCtx, path: string): string | null {
  const state = ctx.run.state;
  const proc = state.procs[ctx.sh.pid];
  if (!proc) return null;
  const w = resolve(state, proc, path, true);
  if (!w.ok) return null;
  return nodeAt(state, w.pos)?.target ?? null;
}

/**
 * The canonical path (readlink -f, realpath): symlinks followed component by component.
 * `mode` e: every component must exist; f: all but the last; m: none.
 */
export function canonical(ctx: CommandCtx, path: string, mode: 'e' | 'f' | 'm' = 'f'): string | null {
  let pending = normalize(abs(ctx.sh, path)).split('/').filter((c) => c !== '');
  let done = '';
  for (let hops = 0; pending.length > 0; ) {
    const c = pending.shift()!;
    if (c === '..') { done = done.slice(0, done.lastIndexOf('/')); continue; }
    const next = `${done}/${c}`;
    const st = ctx.run.peek({ op: 'stat', pid: ctx.sh.pid, path: next, nofollow: true });
    if ('errno' in st) {
      if (mode === 'm' || (mode === 'f' && pending.length === 0)) { done = next; continue; }
      return null;
    }
    if (st.type === 'lnk') {
      if (++hops > 40) return null;
      const body = linkTarget(ctx, next) ?? '';
      pending = [...body.split('/').filter((x) => x !== '' && x !== '.'), ...pending];
      if (body.startsWith('/')) done = '';
      continue;
    }
    done = next;
  }
  return done === '' ? '/' : done;
}

/** mountpoint(1): is DIR the root of a mount (as /proc/self/mountinfo lists it)? */
export const mountpoint: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'qdxnh', long: { quiet: 'none', 'fs-devno': 'none', devno: 'none', nofollow: 'none', help: 'none' } });
  if (a.operands.length !== 1) return failed(ctx, 'mountpoint: bad usage', 1);
  const path = a.operands[0]!;
  const quiet = has(a, 'q', 'quiet');
  if (has(a, 'x', 'devno')) { ctx.io.out.unknown('mountpoint -x'); return assumeStatus(ctx, 0, 'mountpoint -x is not modelled'); }
  const table = tableOf(ctx);
  // proc and sysfs are not in the model: their mount points are taken as they are named
  const named = normalize(abs(ctx.sh, path));
  const pseudo = table?.find((e) => e.target === named && ['proc', 'sysfs'].includes(e.fstype));
  const canon = pseudo ? named : has(a, 'nofollow') ? named : canonical(ctx, path, 'e');
  if (canon === null || (!pseudo && 'errno' in op(ctx, { op: 'stat', path: abs(ctx.sh, path) }, 'mountpoint'))) {
    if (!quiet) ctx.io.out.write('');
    return 1;
  }
  if (!table) { ctx.io.out.unknown('the mount table'); return assumeStatus(ctx, 0, 'the mount table is not known'); }
  const entry = [...table].reverse().find((e) => e.target === canon);
  if (has(a, 'd', 'fs-devno')) {
    if (!entry) return 32;
    ctx.io.out.write(`0:${entry.dev}\n`);
    return 0;
  }
  if (!quiet) ctx.io.out.write(`${path} is ${entry ? '' : 'not '}a mountpoint\n`);
  return entry ? 0 : 32;
};

const COLUMNS: Readonly<Record<string, (e: MountEntry) => string>> = {
  TARGET: (e) => e.target, SOURCE: (e) => e.source, FSTYPE: (e) => e.fstype,
  OPTIONS: (e) => [...e.mountOptions, ...e.superOptions.slice(1)].join(','), 'VFS-OPTIONS': (e) => e.mountOptions.join(','),
  'FS-OPTIONS': (e) => e.superOptions.join(','), 'MAJ:MIN': (e) => `0:${e.dev}`, PROPAGATION: () => 'private',
};

/** findmnt [-t TYPES] [-M/--mountpoint DIR] [-T/--target PATH] [-S SOURCE] [TARGET|SOURCE] [-n] [-o COLS] [-r/-l/-f]. */
export const findmnt: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 'nro:t:M:T:S:klfuaAbcDeFiJPsvwxRUN:O:p::',
    long: { noheadings: 'none', raw: 'none', output: 'required', types: 'required', mountpoint: 'required', target: 'required', source: 'required', kernel: 'none', list: 'none', 'first-only': 'none', notruncate: 'none', all: 'none', ascii: 'none', bytes: 'none', canonicalize: 'none', df: 'none', evaluate: 'none', fstab: 'none', invert: 'none', json: 'none', pairs: 'none', submounts: 'none', verify: 'none', mtab: 'none', options: 'required', task: 'required', nofsroot: 'none', 'output-all': 'none', poll: 'optional', uniq: 'none', 'real': 'none', pseudo: 'none', shadowed: 'none' },
  });
  if (a.bad.length > 0 || has(a, 's', 'fstab', 'x', 'verify', 'p', 'poll', 'N', 'task', 'J', 'json', 'D', 'df')) {
    ctx.io.out.unknown('findmnt with these options');
    return assumeStatus(ctx, 0, `findmnt ${a.bad.join(' ') || 'with --fstab/--poll/--task/--json'} is not modelled`);
  }
  const table = tableOf(ctx);
  if (!table) { ctx.io.out.unknown('the mount table'); return assumeStatus(ctx, 0, 'the mount table is not known'); }
  let rows = [...table];
  const types = valueOf(a, 't', 'types');
  if (types !== null) {
    const neg = types.startsWith('no');
    const list = types.replace(/^no/, '').split(',');
    rows = rows.filter((e) => list.includes(e.fstype) !== neg);
  }
  const options = valueOf(a, 'O', 'options');
  if (options !== null) rows = rows.filter((e) => options.split(',').every((o) => (o.startsWith('no') && !['nosuid', 'nodev', 'noexec'].includes(o) ? ![...e.mountOptions, ...e.superOptions].includes(o.slice(2)) : [...e.mountOptions, ...e.superOptions].includes(o))));
  const source = valueOf(a, 'S', 'source');
  if (source !== null) rows = rows.filter((e) => e.source === source);
  const mp = valueOf(a, 'M', 'mountpoint');
  const tgt = valueOf(a, 'T', 'target');
  if (mp !== null) { const c = canonical(ctx, mp, 'm') ?? normalize(abs(ctx.sh, mp)); rows = rows.filter((e) => e.target === c); }
  if (tgt !== null) {
    const c = canonical(ctx, tgt, 'm') ?? normalize(abs(ctx.sh, tgt));
    const containing = [...rows].filter((e) => c === e.target || c.startsWith(e.target === '/' ? '/' : e.target + '/')).sort((x, y) => y.target.length - x.target.length);
    rows = containing.slice(0, 1);
  }
  const operand = a.operands[0];
  if (operand !== undefined) {
    const c = operand.startsWith('/') || operand.startsWith('.') ? canonical(ctx, operand, 'm') ?? normalize(abs(ctx.sh, operand)) : operand;
    rows = rows.filter((e) => e.target === c || e.source === operand);
  }
  if (has(a, 'f', 'first-only')) rows = rows.slice(0, 1);
  if (!has(a, 'kernel', 'k') && has(a, 'm', 'mtab')) { /* same table */ }
  const cols = (valueOf(a, 'o', 'output') ?? 'TARGET,SOURCE,FSTYPE,OPTIONS').toUpperCase().split(',');
  if (cols.some((c) => !COLUMNS[c])) {
    ctx.io.out.unknown(`findmnt -o ${cols.join(',')}`);
  } else {
    const raw = has(a, 'r', 'raw', 'P', 'pairs');
    const heading = !has(a, 'n', 'noheadings');
    const out: string[] = [];
    if (heading) out.push(cols.join(raw ? ' ' : '  '));
    for (const e of rows) out.push(cols.map((c) => COLUMNS[c]!(e)).join(raw ? ' ' : '  '));
    ctx.io.out.write(out.length > (heading ? 1 : 0) ? out.join('\n') + '\n' : '');
  }
  return rows.length > 0 ? 0 : 1;
};

/**
 * OpenRC's mountinfo [-q] [-f/--fstype-regex RE] [-F …] [-o/--options-regex RE] [-p/--point-regex RE] [MOUNTPOINT…]:
 * with mount points, status 0 when every one is mounted (and matches); without, lists the matching mount points.
 */
export const mountinfo: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 'f:F:n:N:o:O:p:P:eEqh',
    long: { 'fstype-regex': 'required', 'skip-fstype-regex': 'required', 'node-regex': 'required', 'skip-node-regex': 'required', 'options-regex': 'required', 'skip-options-regex': 'required', 'point-regex': 'required', 'skip-point-regex': 'required', netdev: 'none', nonetdev: 'none', quiet: 'none', help: 'none' },
  });
  if (a.bad.length > 0) return unknown(ctx, `mountinfo: option ${a.bad.join(' ')} is not understood`);
  const table = tableOf(ctx);
  if (!table) { ctx.io.out.unknown('the mount table'); return assumeStatus(ctx, 0, 'the mount table is not known'); }
  const re = (...names: string[]): RegExp | null => { const v = valueOf(a, ...names); return v === null ? null : new RegExp(v); };
  const tests: [RegExp | null, boolean, (e: MountEntry) => string][] = [
    [re('f', 'fstype-regex'), true, (e) => e.fstype], [re('F', 'skip-fstype-regex'), false, (e) => e.fstype],
    [re('n', 'node-regex'), true, (e) => e.source], [re('N', 'skip-node-regex'), false, (e) => e.source],
    [re('o', 'options-regex'), true, (e) => [...e.mountOptions, ...e.superOptions.slice(1)].join(',')], [re('O', 'skip-options-regex'), false, (e) => [...e.mountOptions, ...e.superOptions.slice(1)].join(',')],
    [re('p', 'point-regex'), true, (e) => e.target], [re('P', 'skip-point-regex'), false, (e) => e.target],
  ];
  const matching = table.filter((e) => tests.every(([r, want, get]) => r === null || r.test(get(e)) === want));
  const quiet = has(a, 'q', 'quiet');
  if (a.operands.length === 0) {
    if (!quiet) ctx.io.out.write(matching.map((e) => e.target + '\n').join(''));
    return matching.length > 0 ? 0 : 1;
  }
  let status = 0;
  for (const p of a.operands) {
    const c = canonical(ctx, p, 'm') ?? normalize(abs(ctx.sh, p));
    if (matching.some((e) => e.target === c)) { if (!quiet) ctx.io.out.write(c + '\n'); }
    else status = 1;
  }
  return status;
};

const TYPE_NAMES: Readonly<Record<string, string>> = { dir: 'directory', chr: 'character special file', reg: 'regular empty file', lnk: 'symbolic link' };

/** stat [-L] [-c FORMAT] FILE…: the model's stat; FORMAT's %F %a %A %u %g %U %G %t %T %n %N %s %m. */
export const stat: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'Lfc:t', long: { dereference: 'none', 'file-system': 'none', format: 'required', printf: 'required', terse: 'none' } });
  if (has(a, 'f', 'file-system', 't', 'terse')) { ctx.io.out.unknown('stat -f/-t'); return assumeStatus(ctx, 0, 'stat -f/-t is not modelled'); }
  const follow = has(a, 'L', 'dereference');
  const format = valueOf(a, 'c', 'format') ?? valueOf(a, 'printf');
  let status = 0;
  for (const f of a.operands) {
    const path = abs(ctx.sh, f);
    const r = op(ctx, { op: 'stat', path, ...(follow ? {} : { nofollow: true }) }, 'stat');
    const e = errnoOf(r);
    if (e || 'errno' in r) { status = failed(ctx, `stat: cannot stat '${f}': ${e}`); continue; }
    if (format === null) { ctx.io.out.unknown('stat without -c prints sizes and times'); continue; }
    const mode = parseInt(r.mode ?? '0', 8);
    const [maj, min] = (r.rdev ?? '0:0').split(':').map(Number);
    const table = tableOf(ctx);
    const fields: Record<string, () => string | null> = {
      F: () => TYPE_NAMES[r.type ?? ''] ?? null, a: () => mode.toString(8), A: () => permString(r.type ?? 'reg', mode),
      u: () => String(r.uid), g: () => String(r.gid), U: () => (r.uid === 0 ? 'root' : null), G: () => (r.gid === 0 ? 'root' : r.gid === 5 ? 'tty' : null),
      t: () => maj!.toString(16), T: () => min!.toString(16), n: () => f, N: () => (r.type === 'lnk' ? `'${f}' -> '${linkTarget(ctx, path) ?? ''}'` : `'${f}'`),
      s: () => (r.type === 'dir' ? '4096' : '0'), h: () => '1', '%': () => '%',
      m: () => { const c = canonical(ctx, path, 'm'); return table && c ? [...table].filter((x) => c === x.target || c.startsWith(x.target === '/' ? '/' : x.target + '/')).sort((x, y) => y.target.length - x.target.length)[0]?.target ?? '/' : null; },
    };
    let out = '';
    let known = true;
    for (let i = 0; i < format.length; i++) {
      if (format[i] !== '%' || i + 1 >= format.length) { out += format[i]; continue; }
      const v = fields[format[++i]!]?.() ?? null;
      if (v === null) known = false; else out += v;
    }
    if (!known) ctx.io.out.unknown(`stat -c '${format}'`);
    else ctx.io.out.write(out + (valueOf(a, 'printf') !== null ? '' : '\n'));
  }
  return status;
};

function permString(type: string, mode: number): string {
  const t = type === 'dir' ? 'd' : type === 'chr' ? 'c' : type === 'lnk' ? 'l' : '-';
  const bits = 'rwxrwxrwx'.split('').map((c, k) => (mode & (0o400 >> k) ? c : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return t + bits.join('');
}

/** readlink [-f|-e|-m] [-n] PATH, realpath [-e|-m] PATH. */
export const readlink: Handler = (ctx) => {
  const real = ctx.argv[0]!.endsWith('realpath');
  const a = getopt(ctx.argv.slice(1), { short: 'femnqsvzsLP', long: { canonicalize: 'none', 'canonicalize-existing': 'none', 'canonicalize-missing': 'none', 'no-newline': 'none', quiet: 'none', silent: 'none', verbose: 'none', zero: 'none', logical: 'none', physical: 'none', 'relative-to': 'required', 'relative-base': 'required', strip: 'none', 'no-symlinks': 'none' } });
  const mode = has(a, 'e', 'canonicalize-existing') ? 'e' : has(a, 'm', 'canonicalize-missing') ? 'm' : has(a, 'f', 'canonicalize') || real ? 'f' : null;
  const nl = has(a, 'n', 'no-newline') ? '' : '\n';
  let status = 0;
  for (const p of a.operands) {
    if (has(a, 's', 'strip', 'no-symlinks') && real) { ctx.io.out.write(normalize(abs(ctx.sh, p)) + nl); continue; }
    const v = mode === null ? linkTarget(ctx, abs(ctx.sh, p)) : canonical(ctx, p, mode);
    if (v === null) { status = 1; continue; }
    ctx.io.out.write(v + nl);
  }
  return status;
};

/** ls DIR: its entries, one per line (with -a: . and ..). Long listings are not modelled. */
export const ls: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: '1aAdlLhFRrtSiCmnpsx', long: { all: 'none', 'almost-all': 'none', color: 'optional' } });
  if (has(a, 'l', 'R', 'i', 'n', 's')) { ctx.io.out.unknown('ls -l'); return noStatus(ctx); }
  let status = 0;
  const dirs = a.operands.length > 0 ? a.operands : ['.'];
  for (const d of dirs) {
    const path = abs(ctx.sh, d);
    const st = op(ctx, { op: 'stat', path }, 'ls');
    if ('errno' in st) { status = failed(ctx, `ls: cannot access '${d}': ${st.errno}`, 2); continue; }
    if (st.type !== 'dir' || has(a, 'd')) { ctx.io.out.write(d + '\n'); continue; }
    const r = op(ctx, { op: 'readdir', path }, 'ls');
    const entries = 'errno' in r ? [] : r.entries ?? [];
    const all = has(a, 'a', 'all') ? ['.', '..', ...entries] : entries.filter((e) => has(a, 'A', 'almost-all') || !e.startsWith('.'));
    if (dirs.length > 1) ctx.io.out.write(`${d}:\n`);
    ctx.io.out.write(all.map((e) => e + '\n').join(''));
  }
  return status;
};

const noStatus = (ctx: CommandCtx): number => assumeStatus(ctx, 0, 'ls -l is not modelled');

/** The shell's root, for messages. */
export const rootOf = (sh: Shell): string => sh.root;
