// coreutils file commands a start-up script uses on /dev, as model ops: ln (-s: symlink,
// else link), rm, mv (rename), cp of device nodes and files, chmod, chown/chgrp, mknod,
// mkdir, touch. What has no op (rmdir, recursion) is reported as not modelled.

import { formatMode, type KernelResult } from '../../model/index.ts';
import {
  abs, basename, errnoOf, failed, getopt, groupId, has, info, octalMode, op, symbolicMode, under, unknown, userId, valueOf,
  type CommandCtx, type Handler,
} from './context.ts';
import { linkTarget } from './guards.ts';

const statOf = (ctx: CommandCtx, path: string, note: string, nofollow = false): KernelResult =>
  op(ctx, { op: 'stat', path, ...(nofollow ? { nofollow: true } : {}) }, note);

const modeNumber = (r: KernelResult): number => ('mode' in r && r.mode ? parseInt(r.mode, 8) : 0);

/** ln -s [-f] [-n] [-T] [-t DIR] TARGET… [LINK]: with -f the old name is unlinked first. */
export const ln: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 'sfnTvbrLPit:S:',
    long: { symbolic: 'none', force: 'none', 'no-dereference': 'none', 'no-target-directory': 'none', verbose: 'none', backup: 'optional', relative: 'none', logical: 'none', physical: 'none', interactive: 'none', 'target-directory': 'required', suffix: 'required' },
  });
  if (a.bad.length > 0) return unknown(ctx, `ln: option ${a.bad.join(' ')} is not understood`);
  if (!has(a, 's', 'symbolic')) return hardLinks(ctx, a.operands, valueOf(a, 't', 'target-directory'), has(a, 'f', 'force'));
  if (has(a, 'r', 'relative')) return unknown(ctx, 'ln -r (relative link bodies) is not modelled');
  if (has(a, 'b', 'backup')) return unknown(ctx, 'ln --backup renames the old file; not modelled');
  const force = has(a, 'f', 'force');
  const noDeref = has(a, 'n', 'no-dereference');
  const noTargetDir = has(a, 'T', 'no-target-directory');
  const dir = valueOf(a, 't', 'target-directory');
  const ops = a.operands;
  const pairs: { target: string; link: string; intoDir: boolean }[] = [];
  if (dir !== null) for (const t of ops) pairs.push({ target: t, link: abs(ctx.sh, dir) + '/' + basename(t), intoDir: false });
  else if (ops.length === 1) pairs.push({ target: ops[0]!, link: abs(ctx.sh, basename(ops[0]!)), intoDir: false });
  else if (ops.length === 2) pairs.push({ target: ops[0]!, link: abs(ctx.sh, ops[1]!), intoDir: !noTargetDir });
  else if (ops.length > 2) for (const t of ops.slice(0, -1)) pairs.push({ target: t, link: abs(ctx.sh, ops[ops.length - 1]!) + '/' + basename(t), intoDir: false });
  else return failed(ctx, 'ln: missing file operand');
  let status = 0;
  for (const p of pairs) {
    let link = p.link;
    if (p.intoDir) {
      // LINK naming a directory (through a symlink too, unless -n) means "inside it"
      const st = statOf(ctx, link, 'ln: is the link name a directory?', noDeref);
      if (!('errno' in st) && st.type === 'dir') link = link.replace(/\/+$/, '') + '/' + basename(p.target);
    }
    if (force) {
      const r = op(ctx, { op: 'unlink', path: link }, 'ln -f: remove the old name first');
      const e = errnoOf(r);
      if (e === 'EISDIR') { status = failed(ctx, `ln: cannot overwrite directory ${link}`); continue; }
    }
    const r = op(ctx, { op: 'symlink', target: p.target, path: link });
    const e = errnoOf(r);
    if (e) status = failed(ctx, `ln: cannot create symbolic link ${link}: ${e}${e === 'EEXIST' ? ' (it exists; use -f)' : ''}`);
  }
  return status;
};

/** rm [-f] [-r] FILE…: unlink; -f ignores missing files. Directories are not modelled. */
export const rm: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'fiIrRdv', long: { force: 'none', interactive: 'optional', recursive: 'none', dir: 'none', verbose: 'none', 'one-file-system': 'none', 'no-preserve-root': 'none', 'preserve-root': 'optional' } });
  if (a.bad.length > 0) return unknown(ctx, `rm: option ${a.bad.join(' ')} is not understood`);
  const force = has(a, 'f', 'force');
  const recursive = has(a, 'r', 'R', 'recursive');
  let status = 0;
  for (const f of a.operands) {
    const path = abs(ctx.sh, f);
    const e = errnoOf(op(ctx, { op: 'unlink', path }));
    if (e === null || (e === 'ENOENT' && force)) continue;
    if (e === 'EISDIR' && (recursive || has(a, 'd', 'dir'))) unknown(ctx, `removing the directory ${path} is not modelled`);
    else if (e === 'EISDIR') status = failed(ctx, `rm: cannot remove ${path}: Is a directory`);
    else status = failed(ctx, `rm: cannot remove ${path}: ${e}`);
  }
  return status;
};

/** chmod [-R] MODE FILE…: octal or symbolic (computed from the current mode, by stat). */
export const chmod: Handler = (ctx) => {
  // a leading "-w"/"-x"… is a mode, not an option (coreutils)
  const args = ctx.argv.slice(1);
  const a = getopt(args.filter((x) => !/^-[rwxXst]+$/.test(x)), { short: 'RfvcHLP', long: { recursive: 'none', silent: 'none', quiet: 'none', verbose: 'none', changes: 'none', reference: 'required', 'no-preserve-root': 'none', 'preserve-root': 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `chmod: option ${a.bad.join(' ')} is not understood`);
  if (valueOf(a, 'reference') !== null) return unknown(ctx, 'chmod --reference is not modelled');
  const modeArg = args.find((x) => /^-[rwxXst]+$/.test(x)) ?? a.operands[0];
  const files = args.some((x) => /^-[rwxXst]+$/.test(x)) ? a.operands : a.operands.slice(1);
  if (modeArg === undefined || files.length === 0) return failed(ctx, 'chmod: missing operand');
  const recursive = has(a, 'R', 'recursive');
  let status = 0;
  for (const f of files) {
    const path = abs(ctx.sh, f);
    let mode = octalMode(modeArg);
    let isDir = false;
    if (mode === null || recursive) {
      const st = statOf(ctx, path, mode === null ? `chmod ${modeArg}: the current mode` : 'chmod -R: a directory?');
      if ('errno' in st) { status = failed(ctx, `chmod: cannot access ${path}: ${st.errno}`); continue; }
      isDir = st.type === 'dir';
      if (mode === null) {
        const next = symbolicMode(modeArg, modeNumber(st), isDir, ctx.sh.umask);
        if (next === null) return unknown(ctx, `chmod: the mode "${modeArg}" is not understood`);
        mode = formatMode(next);
      }
    }
    const e = errnoOf(op(ctx, { op: 'chmod', path, mode }));
    if (e) status = failed(ctx, `chmod: changing the mode of ${path}: ${e}`);
    if (recursive && isDir) unknown(ctx, `chmod -R: the files below ${path} are not changed in the model`);
  }
  return status;
};

function chownLike(ctx: CommandCtx, spec: string | null, groupOnly: string | null): number {
  const a = getopt(ctx.argv.slice(1), { short: 'RhfvcHLP', long: { recursive: 'none', 'no-dereference': 'none', dereference: 'none', from: 'required', reference: 'required', silent: 'none', quiet: 'none', verbose: 'none', changes: 'none', 'preserve-root': 'none', 'no-preserve-root': 'none' } });
  const name = ctx.argv[0]!;
  if (a.bad.length > 0) return unknown(ctx, `${name}: option ${a.bad.join(' ')} is not understood`);
  if (valueOf(a, 'reference') !== null || valueOf(a, 'from') !== null) return unknown(ctx, `${name} --reference/--from is not modelled`);
  const [first, ...files] = a.operands;
  if (first === undefined || files.length === 0) return failed(ctx, `${name}: missing operand`);
  let owner: string | null = null;
  let group: string | null = null;
  if (groupOnly !== null || spec === null) group = first;
  else {
    const sep = first.includes(':') ? ':' : first.includes('.') ? '.' : null;
    if (sep === null) owner = first;
    else { owner = first.slice(0, first.indexOf(sep)) || null; group = first.slice(first.indexOf(sep) + 1); }
  }
  const uid = owner === null ? null : userId(owner);
  if (owner !== null && uid === null) return unknown(ctx, `${name}: the user "${owner}" is not known to the checker`);
  // "owner:" means the owner's login group; the checker knows root's
  if (group === '') group = owner === 'root' || owner === '0' ? '0' : null;
  const gid = group === null ? null : groupId(group);
  if (group !== null && gid === null) return unknown(ctx, `${name}: the group "${group}" is not known to the checker`);
  if (has(a, 'h', 'no-dereference')) info(ctx, `${name} -h changes a symlink itself; the model changes what it points to`);
  let status = 0;
  for (const f of files) {
    const path = abs(ctx.sh, f);
    let u = uid, g = gid;
    if (u === null || g === null) {
      const st = statOf(ctx, path, `${name}: the current owner`);
      if ('errno' in st) { status = failed(ctx, `${name}: cannot access ${path}: ${st.errno}`); continue; }
      u ??= st.uid!;
      g ??= st.gid!;
    }
    const e = errnoOf(op(ctx, { op: 'chown', path, uid: u, gid: g }));
    if (e) status = failed(ctx, `${name}: changing the ownership of ${path}: ${e}`);
  }
  if (has(a, 'R', 'recursive')) unknown(ctx, `${name} -R: files below the operands are not changed in the model`);
  return status;
}

export const chown: Handler = (ctx) => chownLike(ctx, 'spec', null);
export const chgrp: Handler = (ctx) => chownLike(ctx, null, 'group');

/** mknod [-m MODE] NAME c MAJOR MINOR: the mode is MODE, else 0666 less the umask. */
export const mknod: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'm:Z', long: { mode: 'required', context: 'optional' } });
  if (a.bad.length > 0) return unknown(ctx, `mknod: option ${a.bad.join(' ')} is not understood`);
  const [name, type, major, minor] = a.operands;
  if (name === undefined || type === undefined) return failed(ctx, 'mknod: missing operand');
  if (type !== 'c' && type !== 'u') return unknown(ctx, `mknod of a ${type === 'b' ? 'block device' : type === 'p' ? 'FIFO' : `"${type}" node`} is not modelled`);
  const num = (s: string | undefined): number | null => (s !== undefined && /^(0x[0-9a-f]+|[0-9]+)$/i.test(s) ? Number(s) : null);
  const maj = num(major), min = num(minor);
  if (maj === null || min === null) return failed(ctx, 'mknod: a character device needs a major and a minor number');
  const m = valueOf(a, 'm', 'mode');
  let mode: string | null = formatMode(0o666 & ~ctx.sh.umask);
  if (m !== null) {
    mode = octalMode(m);
    if (mode === null) {
      const sym = symbolicMode(m, 0o666, false, 0);
      if (sym === null) return unknown(ctx, `mknod: the mode "${m}" is not understood`);
      mode = formatMode(sym);
    }
  }
  const path = abs(ctx.sh, name);
  const e = errnoOf(op(ctx, { op: 'mknod', path, major: maj, minor: min, mode }));
  return e ? failed(ctx, `mknod: ${path}: ${e}`) : 0;
};

/** mkdir [-p] [-m MODE] DIR…; -p creates the missing parents (each checked with stat). */
export const mkdir: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'pm:vZ', long: { parents: 'none', mode: 'required', verbose: 'none', context: 'optional' } });
  if (a.bad.length > 0) return unknown(ctx, `mkdir: option ${a.bad.join(' ')} is not understood`);
  const m = valueOf(a, 'm', 'mode');
  const dflt = 0o777 & ~ctx.sh.umask;
  let mode = formatMode(dflt);
  if (m !== null) {
    const o = octalMode(m) ?? (symbolicMode(m, 0o777, true, 0) === null ? null : formatMode(symbolicMode(m, 0o777, true, 0)!));
    if (o === null) return unknown(ctx, `mkdir: the mode "${m}" is not understood`);
    mode = o;
  }
  const parents = has(a, 'p', 'parents');
  let status = 0;
  for (const d of a.operands) {
    const path = abs(ctx.sh, d).replace(/\/+$/, '') || '/';
    if (!parents) {
      const e = errnoOf(op(ctx, { op: 'mkdir', path, mode }));
      if (e) status = failed(ctx, `mkdir: cannot create directory ${path}: ${e}`);
      continue;
    }
    const comps = path.split('/').filter((c) => c !== '');
    for (let k = 1; k <= comps.length; k++) {
      const prefix = '/' + comps.slice(0, k).join('/');
      const st = statOf(ctx, prefix, 'mkdir -p: does it exist?');
      if (!('errno' in st)) {
        if (st.type !== 'dir') { status = failed(ctx, `mkdir: ${prefix} exists and is not a directory`); break; }
        continue;
      }
      if (st.errno !== 'ENOENT') { status = failed(ctx, `mkdir: cannot create directory ${prefix}: ${st.errno}`); break; }
      const parentMode = formatMode(dflt | 0o300); // coreutils: u+wx on the parents it makes
      const e = errnoOf(op(ctx, { op: 'mkdir', path: prefix, mode: k === comps.length ? mode : parentMode }));
      if (e) { status = failed(ctx, `mkdir: cannot create directory ${prefix}: ${e}`); break; }
    }
  }
  return status;
};

/** touch [-c] FILE…: create an empty file (or leave an existing one). */
export const touch: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'acmfhd:r:t:', long: { 'no-create': 'none', date: 'required', reference: 'required', time: 'required', 'no-dereference': 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `touch: option ${a.bad.join(' ')} is not understood`);
  const noCreate = has(a, 'c', 'no-create');
  let status = 0;
  for (const f of a.operands) {
    const path = abs(ctx.sh, f);
    if (noCreate && 'errno' in statOf(ctx, path, 'touch -c: does it exist?')) continue;
    const e = errnoOf(op(ctx, { op: 'touch', path }));
    if (e) status = failed(ctx, `touch: cannot touch ${path}: ${e}`);
  }
  return status;
};

export const notModelled = (what: string): Handler => (ctx) => unknown(ctx, what);

/** `TARGET… DIR` or `SOURCE DEST`: the (source, destination) pairs, DEST a directory or not. */
function pairsOf(ctx: CommandCtx, operands: readonly string[], dir: string | null, noTargetDir = false): { from: string; to: string }[] | null {
  if (dir !== null) return operands.map((o) => ({ from: abs(ctx.sh, o), to: `${abs(ctx.sh, dir)}/${basename(o)}` }));
  if (operands.length < 2) return null;
  const last = abs(ctx.sh, operands[operands.length - 1]!);
  const st = ctx.run.peek({ op: 'stat', pid: ctx.sh.pid, path: last });
  const isDir = !('errno' in st) && st.type === 'dir' && !noTargetDir;
  if (operands.length > 2 && !isDir) return null;
  return operands.slice(0, -1).map((o) => ({ from: abs(ctx.sh, o), to: isDir ? `${last.replace(/\/+$/, '')}/${basename(o)}` : last }));
}

function hardLinks(ctx: CommandCtx, operands: readonly string[], dir: string | null, force: boolean): number {
  const pairs = pairsOf(ctx, operands, dir);
  if (!pairs) return failed(ctx, 'ln: missing or bad operands');
  let status = 0;
  for (const { from, to } of pairs) {
    if (!ctx.run.takes({ op: 'link', target: from, path: to })) { status = unknown(ctx, 'hard links: the model has no link op yet'); continue; }
    if (force) op(ctx, { op: 'unlink', path: to }, 'ln -f: remove the old name first');
    const e = errnoOf(op(ctx, { op: 'link', target: from, path: to }));
    if (e) status = failed(ctx, `ln: failed to create hard link ${to}: ${e}`);
  }
  return status;
}

/** mv SOURCE DEST, mv SOURCE… DIR: rename(2). */
export const mv: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'fiInvTt:bS:u', long: { force: 'none', interactive: 'none', 'no-clobber': 'none', verbose: 'none', 'no-target-directory': 'none', 'target-directory': 'required', backup: 'optional', suffix: 'required', update: 'optional' } });
  if (a.bad.length > 0) return unknown(ctx, `mv: option ${a.bad.join(' ')} is not understood`);
  const pairs = pairsOf(ctx, a.operands, valueOf(a, 't', 'target-directory'), has(a, 'T', 'no-target-directory'));
  if (!pairs) return failed(ctx, 'mv: missing or bad operands');
  let status = 0;
  for (const { from, to } of pairs) {
    if (!ctx.run.takes({ op: 'rename', from, to })) { status = unknown(ctx, 'mv: the model has no rename op yet'); continue; }
    const e = errnoOf(op(ctx, { op: 'rename', from, to }));
    if (e === 'EXDEV') status = unknown(ctx, `mv ${from} ${to} crosses filesystems (a copy and a delete); not modelled`);
    else if (e) status = failed(ctx, `mv: cannot move ${from} to ${to}: ${e}`);
  }
  return status;
};

/** cp: device nodes (with -a/-p/-R or not: a new node, c MAJOR:MINOR), files (an empty file), symlinks with -a/-P/-d. */
export const cp: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'aRrpdPLHfinuvxlsTt:', long: { archive: 'none', recursive: 'none', preserve: 'optional', 'no-dereference': 'none', dereference: 'none', force: 'none', 'no-target-directory': 'none', 'target-directory': 'required', 'one-file-system': 'none', verbose: 'none', 'no-clobber': 'none', update: 'optional', sparse: 'required', reflink: 'optional', parents: 'none', 'remove-destination': 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `cp: option ${a.bad.join(' ')} is not understood`);
  const pairs = pairsOf(ctx, a.operands, valueOf(a, 't', 'target-directory'), has(a, 'T', 'no-target-directory'));
  if (!pairs) return failed(ctx, 'cp: missing or bad operands');
  const archive = has(a, 'a', 'archive');
  const noDeref = archive || has(a, 'P', 'd', 'no-dereference');
  const preserve = archive || has(a, 'p', 'preserve');
  const recursive = archive || has(a, 'R', 'r', 'recursive');
  let status = 0;
  for (const { from, to } of pairs) {
    const st = statOf(ctx, from, 'cp: what is the source?', noDeref);
    if ('errno' in st) { status = failed(ctx, `cp: cannot stat '${from}': ${st.errno}`); continue; }
    if (st.type === 'dir') { status = recursive ? unknown(ctx, `cp -R of the directory ${from} is not modelled`) : failed(ctx, `cp: -r not specified; omitting directory '${from}'`); continue; }
    if (st.type === 'lnk') {
      const body = linkTarget(ctx, from);
      if (body === null) { status = unknown(ctx, `cp of the symlink ${from}`); continue; }
      op(ctx, { op: 'unlink', path: to }, 'cp: replace the destination');
      const e = errnoOf(op(ctx, { op: 'symlink', target: body, path: to }));
      if (e) status = failed(ctx, `cp: cannot create symbolic link '${to}': ${e}`);
      continue;
    }
    if (st.type === 'chr') {
      // cp copies a device node as a node only with -R/-a (--copy-contents aside); else it reads the device
      if (!recursive) { status = unknown(ctx, `cp of the device ${from} without -a/-R copies what the device reads`); continue; }
      const [major, minor] = (st.rdev ?? '0:0').split(':').map(Number);
      op(ctx, { op: 'unlink', path: to }, 'cp: replace the destination');
      const mode = preserve ? st.mode! : formatMode(parseInt(st.mode!, 8) & ~ctx.sh.umask);
      const e = errnoOf(op(ctx, { op: 'mknod', path: to, major: major!, minor: minor!, mode }));
      if (e) { status = failed(ctx, `cp: cannot create special file '${to}': ${e}`); continue; }
      if (preserve) op(ctx, { op: 'chmod', path: to, mode: st.mode! }, 'cp: preserve the mode');
      if (preserve) op(ctx, { op: 'chown', path: to, uid: st.uid!, gid: st.gid! }, 'cp: preserve the owner');
      continue;
    }
    const e = errnoOf(op(ctx, { op: 'touch', path: to }));
    if (e) { status = failed(ctx, `cp: cannot create regular file '${to}': ${e}`); continue; }
    const text = ctx.run.files.get(under(ctx.sh.root, from));
    if (text !== undefined) ctx.run.files.set(under(ctx.sh.root, to), text);
  }
  return status;
};

/** install -d [-m MODE] DIR… (mkdir -p, the last one with MODE); copying files with install is not modelled. */
export const install: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'dm:o:g:Dcpsvb', long: { directory: 'none', mode: 'required', owner: 'required', group: 'required', verbose: 'none' } });
  if (!has(a, 'd', 'directory')) return unknown(ctx, 'install of files is not modelled');
  const m = valueOf(a, 'm', 'mode');
  const argv = ['mkdir', '-p', ...(m !== null ? ['-m', m] : []), ...a.operands];
  return mkdir({ ...ctx, argv });
};

export const rmdir: Handler = (ctx) => unknown(ctx, 'rmdir: the op vocabulary has no rmdir');
