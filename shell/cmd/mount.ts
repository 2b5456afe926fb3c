// mount(8) and umount(8) as util-linux does them, in model ops: several -o are joined
// with commas; VFS flags (ro, nosuid, …) go to mount flags and everything else to the
// filesystem's data string; `-o remount,…` passes the mount's current options (as
// /proc/mounts shows them) followed by the new ones (live 6.x S3, "util-linux
// remount"); a bind with options is a bind and then a remount,bind of the new mount;
// --move and --make-* are the move and propagate ops. proc and sysfs are not in the
// model: where they are mounted is recorded for /proc/mounts and the guards.

import { MOUNT_FLAGS, type MountFlag, type PropagationType } from '../../model/index.ts';
import { resolve } from '../../model/paths.ts';
import { showOptions } from '../observe.ts';
import { abs, errnoOf, failed, getopt, has, info, noEffect, normalize, op, under, unknown, valueOf, valuesOf, type CommandCtx, type Handler } from './context.ts';
import { canonical } from './guards.ts';

/** mount(8) exit status on a failed mount(2). */
const MOUNT_FAILURE = 32;

/** -o items that are mount flags, not filesystem data (libmount's linux and userspace maps). */
const FLAG_ITEMS: Readonly<Record<string, readonly [MountFlag, boolean]>> = {
  ro: ['ro', true], rw: ['ro', false], nosuid: ['nosuid', true], suid: ['nosuid', false],
  nodev: ['nodev', true], dev: ['nodev', false], noexec: ['noexec', true], exec: ['noexec', false],
};
const IGNORED_ITEMS = new Set([
  'sync', 'async', 'dirsync', 'mand', 'nomand', 'atime', 'noatime', 'diratime', 'nodiratime', 'relatime',
  'norelatime', 'strictatime', 'nostrictatime', 'lazytime', 'nolazytime', 'iversion', 'noiversion', 'silent',
  'loud', 'auto', 'noauto', 'user', 'nouser', 'users', 'owner', 'group', 'nofail', '_netdev', 'nosymfollow', 'symfollow',
]);
const PROPAGATION = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable']);
/** Filesystems a start-up script mounts that have nothing to do with devpts (outside /dev). */
const UNRELATED_FS = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'mqueue', 'securityfs', 'debugfs', 'tracefs', 'fusectl', 'configfs', 'binfmt_misc', 'hugetlbfs', 'pstore', 'bpf', 'efivarfs']);

const MOUNT_SPEC = {
  short: 't:o:L:U:O:N:BRMnvfrwiscalhVF',
  long: {
    types: 'required', options: 'required', bind: 'none', rbind: 'none', move: 'none', 'no-mtab': 'none', verbose: 'none',
    fake: 'none', 'read-only': 'none', rw: 'none', 'read-write': 'none', all: 'none', source: 'required', target: 'required',
    namespace: 'required', 'no-canonicalize': 'none', 'internal-only': 'none', 'test-opts': 'required', 'options-mode': 'required',
    'options-source': 'required', 'options-source-force': 'none', onlyonce: 'none', label: 'required', uuid: 'required', fork: 'none',
    'make-shared': 'none', 'make-slave': 'none', 'make-private': 'none', 'make-unbindable': 'none', 'make-rshared': 'none',
    'make-rslave': 'none', 'make-rprivate': 'none', 'make-runbindable': 'none', 'show-labels': 'none', help: 'none', version: 'none',
  },
} as const;

interface MountRequest {
  flags: Map<MountFlag, boolean>;
  data: string[];
  remount: boolean;
  bind: boolean;
  rbind: boolean;
  move: boolean;
  propagation: string[];
}

function classify(items: readonly string[]): MountRequest {
  const req: MountRequest = { flags: new Map(), data: [], remount: false, bind: false, rbind: false, move: false, propagation: [] };
  for (const item of items) {
    if (item === '') continue;
    const flag = FLAG_ITEMS[item];
    if (flag) req.flags.set(flag[0], flag[1]);
    else if (item === 'defaults') for (const f of MOUNT_FLAGS) req.flags.set(f, false);
    else if (item === 'remount') req.remount = true;
    else if (item === 'bind') req.bind = true;
    else if (item === 'rbind') req.rbind = true;
    else if (item === 'move') req.move = true;
    else if (PROPAGATION.has(item)) req.propagation.push(item);
    else if (IGNORED_ITEMS.has(item) || /^(x-|X-|comment=|uhelper=|helper=)/.test(item)) continue;
    else req.data.push(item);
  }
  return req;
}

const flagList = (flags: ReadonlyMap<MountFlag, boolean>, base: readonly MountFlag[] = []): MountFlag[] =>
  MOUNT_FLAGS.filter((f) => flags.get(f) ?? base.includes(f));

export const mount: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), MOUNT_SPEC);
  if (a.bad.length > 0) return unknown(ctx, `mount: option ${a.bad.join(' ')} is not understood`);
  const items = valuesOf(a, 'o', 'options').flatMap((o) => o.split(','));
  const req = classify(items);
  if (has(a, 'r', 'read-only')) req.flags.set('ro', true);
  if (has(a, 'w', 'rw', 'read-write')) req.flags.set('ro', false);
  if (has(a, 'B', 'bind')) req.bind = true;
  if (has(a, 'R', 'rbind')) req.rbind = true;
  if (has(a, 'M', 'move')) req.move = true;
  for (const [name] of a.opts) if (name.startsWith('make-')) req.propagation.push(name.slice(5));
  const operands = [...a.operands];
  const source = valueOf(a, 'source');
  const target = valueOf(a, 'target');
  if (source !== null) operands.unshift(source);
  if (target !== null) operands.push(target);
  const types = valueOf(a, 't', 'types');

  if (has(a, 'h', 'help', 'V', 'version')) return noEffect(ctx, 'mount: prints help or its version');
  if (has(a, 'a', 'all')) return unknown(ctx, '`mount -a` mounts what /etc/fstab lists, which the checker cannot read');
  if (has(a, 'f', 'fake')) return noEffect(ctx, 'mount -f (fake): nothing is mounted');
  if (has(a, 'N', 'namespace')) return unknown(ctx, 'mount --namespace acts in another process\'s namespace');
  if (req.move) {
    if (operands.length !== 2) return failed(ctx, 'mount --move needs a source and a target');
    const r = op(ctx, { op: 'move', source: abs(ctx.sh, operands[0]!), target: abs(ctx.sh, operands[1]!) });
    const e = errnoOf(r);
    if (e === null) moveNames(ctx, operands[0]!, operands[1]!);
    return e ? failed(ctx, `mount --move fails: ${e}`, MOUNT_FAILURE) : 0;
  }

  const onlyPropagation = req.propagation.length > 0 && !req.remount && !req.bind && !req.rbind && types === null && req.data.length === 0;
  if (onlyPropagation) return propagate(ctx, req.propagation, operands);
  if (req.remount) return remount(ctx, operands, req);
  if (req.bind || req.rbind) {
    if (operands.length !== 2) return unknown(ctx, `mount --${req.rbind ? 'rbind' : 'bind'} needs a source and a target`);
    const target = abs(ctx.sh, operands[1]!);
    const r = op(ctx, { op: 'bind', source: abs(ctx.sh, operands[0]!), target, ...(req.rbind ? { recursive: true } : {}) });
    const e = errnoOf(r);
    if (e) return failed(ctx, `bind mount fails: ${e}`, MOUNT_FAILURE);
    // mount(8): per-mount flags given with a bind are a second mount(2) with MS_REMOUNT|MS_BIND
    const flags = flagList(req.flags);
    if (flags.length > 0) {
      if (!ctx.run.takes({ op: 'remount', target, bind: true })) {
        info(ctx, `mount(8) applies ${flags.join(',')} to the bind with a remount,bind, which the model does not have yet; the bind keeps the source's flags`);
      } else {
        const rr = op(ctx, { op: 'remount', target, bind: true, flags }, `mount(8): remount,bind with ${flags.join(',')}`);
        const ee = errnoOf(rr);
        if (ee) return failed(ctx, `remount,bind of ${target} fails: ${ee}`, MOUNT_FAILURE);
      }
    }
    if (req.propagation.length > 0) return propagate(ctx, req.propagation, [operands[1]!]);
    return 0;
  }
  if (operands.length === 0) return noEffect(ctx, 'mount with no operand lists the mounts');
  if (operands.length === 1) return unknown(ctx, 'mount with one operand takes the rest from /etc/fstab, which the checker cannot read');
  if (operands.length > 2) return unknown(ctx, 'mount: too many operands');
  const where = abs(ctx.sh, operands[1]!);
  if (types === null) return unknown(ctx, 'mount without -t would probe the source for a filesystem type; not modelled');
  if (types === 'devpts' || types === 'tmpfs' || types === 'devtmpfs') {
    const flags = flagList(req.flags);
    const r = op(ctx, {
      op: 'mount', fstype: types, target: where,
      ...(req.data.length > 0 ? { options: req.data.join(',') } : {}),
      ...(flags.length > 0 ? { flags } : {}),
    });
    const e = errnoOf(r);
    if (e) return failed(ctx, `mount(2) of ${types} on ${where} fails: ${e}${e === 'ENODEV' && types === 'devtmpfs' ? ' (the model has no devtmpfs yet)' : ''}`, MOUNT_FAILURE);
    nameMount(ctx, where, operands[0]!, types);
    if (req.propagation.length > 0) return propagate(ctx, req.propagation, [operands[1]!]);
    return 0;
  }
  if (PSEUDO_FS.has(types) || (UNRELATED_FS.has(types) && !['/dev', '/dev/pts'].includes(normalize(where)))) {
    // the model has no proc, sysfs, mqueue…: recorded for /proc/mounts, mountpoint and the /proc files
    const st = ctx.run.peek({ op: 'stat', pid: ctx.sh.pid, path: where });
    const onPseudo = /^\/(proc|sys)(\/|$)/.test(normalize(where));
    if ('errno' in st && !onPseudo) return failed(ctx, `mount: ${where}: mount point does not exist`, MOUNT_FAILURE);
    // proc and sysfs belong to the pid and network namespaces: from a user namespace, proc
    // only for a pid namespace it owns (fs/proc/root.c proc_get_tree; live 6.18: EPERM
    // under `unshare -U -r -m`, fine under `unshare -U -r -m -p -f`), sysfs only with a network namespace
    const procs = ctx.run.state.procs as Readonly<Record<number, { userns?: string }>>;
    const inUserns = procs[ctx.sh.pid]?.userns !== undefined && procs[ctx.sh.pid]?.userns !== procs[1]?.userns;
    if (inUserns && ((types === 'proc' && !ctx.sh.pidns) || types === 'sysfs')) {
      return failed(ctx, `mount(2) of ${types} on ${where} fails: EPERM (from a user namespace, ${types === 'proc' ? 'only for a pid namespace it owns' : 'only with a network namespace of its own'})`, MOUNT_FAILURE);
    }
    const target = under(ctx.sh.root, canonical(ctx, where, 'm') ?? normalize(where));
    ctx.run.pseudoMounts.push({ target, fstype: types, source: operands[0]!, ns: ctx.run.state.procs[ctx.sh.pid]?.ns ?? 'ns1' });
    return noEffect(ctx, `a ${types} mount: recorded (the model has no ${types}); it does not touch devpts`);
  }
  return unknown(ctx, `a ${types} mount is not modelled`);
};

const PSEUDO_FS = new Set(['proc', 'sysfs']);

/** The source name mount(8) was given, for /proc/mounts (by the target's path from the host's root). */
function nameMount(ctx: CommandCtx, where: string, source: string, fstype: string): void {
  const target = under(ctx.sh.root, canonical(ctx, where, 'm') ?? normalize(where));
  ctx.run.mountNames.set(target, { source, fstype });
}

function moveNames(ctx: CommandCtx, from: string, to: string): void {
  const a = under(ctx.sh.root, normalize(abs(ctx.sh, from)));
  const b = under(ctx.sh.root, normalize(abs(ctx.sh, to)));
  const named = ctx.run.mountNames.get(a);
  if (named) { ctx.run.mountNames.delete(a); ctx.run.mountNames.set(b, named); }
  for (const m of ctx.run.pseudoMounts.splice(0)) {
    const t = m.target === a ? b : m.target.startsWith(a + '/') ? b + m.target.slice(a.length) : m.target;
    ctx.run.pseudoMounts.push({ ...m, target: t });
  }
}

/** --make-[r]shared|slave|private|unbindable DIR: the propagate op. */
function propagate(ctx: CommandCtx, kinds: readonly string[], operands: readonly string[]): number {
  if (operands.length !== 1) return failed(ctx, 'mount: --make-* needs one mount point');
  const target = abs(ctx.sh, operands[0]!);
  let status = 0;
  for (const k of kinds) {
    const recursive = k.startsWith('r');
    const type = (recursive ? k.slice(1) : k) as PropagationType;
    const step = { op: 'propagate' as const, target, type, ...(recursive ? { recursive: true } : {}) };
    if (!ctx.run.takes(step)) {
      if (type === 'shared' || type === 'slave') {
        status = unknown(ctx, `propagation "${k}" is not in the model yet: later mounts here could propagate to or from the host`);
      } else status = noEffect(ctx, `propagation "${k}": the model's namespaces are private already`);
      continue;
    }
    const e = errnoOf(op(ctx, step));
    if (e) status = failed(ctx, `mount --make-${k} ${target} fails: ${e}`, MOUNT_FAILURE);
  }
  return status;
}

/**
 * `mount -o remount,…`: mount(8) builds the data from the mount's current options plus
 * the new ones, and keeps its current flags unless the command changes them. The
 * current options are read from the model's instance, as /proc/mounts would show them.
 */
function remount(ctx: CommandCtx, operands: readonly string[], req: MountRequest): number {
  if (operands.length === 0) return unknown(ctx, 'mount -o remount needs a mount point');
  const target = abs(ctx.sh, operands[operands.length - 1]!);
  if (req.bind) {
    // MS_REMOUNT|MS_BIND: only the mount's own flags change
    const flags = flagList(req.flags);
    const step = { op: 'remount' as const, target, bind: true, ...(flags.length > 0 ? { flags } : {}) };
    if (!ctx.run.takes(step)) return unknown(ctx, 'remount,bind (per-mount flags only) is not in the model yet');
    const e = errnoOf(op(ctx, step));
    return e ? failed(ctx, `remount,bind of ${target} fails: ${e}`, MOUNT_FAILURE) : 0;
  }
  const state = ctx.run.state;
  const proc = state.procs[ctx.sh.pid]!;
  const w = resolve(state, proc, target);
  let current: string[] = [];
  let baseFlags: readonly MountFlag[] = [];
  if (w.ok) {
    const m = state.mounts[w.pos.mount]!;
    baseFlags = m.flags;
    const fs = state.fss[m.fs]!;
    if (fs.kind === 'devpts') current = showOptions(ctx.run.profile, fs.opts);
  }
  const data = [...current, ...req.data];
  const flags = flagList(req.flags, baseFlags);
  const note = current.length > 0 ? `mount(8) passes the current options "${current.join(',')}" plus "${req.data.join(',')}"` : '';
  const r = op(ctx, { op: 'remount', target, ...(data.length > 0 ? { options: data.join(',') } : {}), ...(flags.length > 0 ? { flags } : {}) }, note);
  const e = errnoOf(r);
  return e ? failed(ctx, `remount of ${target} fails: ${e}`, MOUNT_FAILURE) : 0;
}

export const umount: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 'lfnvidrRaAqct:O:N:hV',
    long: { lazy: 'none', force: 'none', 'no-mtab': 'none', verbose: 'none', 'internal-only': 'none', 'detach-loop': 'none', 'read-only': 'none', recursive: 'none', all: 'none', 'all-targets': 'none', quiet: 'none', 'no-canonicalize': 'none', types: 'required', 'test-opts': 'required', namespace: 'required', help: 'none', version: 'none' },
  });
  if (a.bad.length > 0) return unknown(ctx, `umount: option ${a.bad.join(' ')} is not understood`);
  if (has(a, 'a', 'all')) return unknown(ctx, '`umount -a` unmounts what /etc/mtab lists; not modelled');
  if (has(a, 'N', 'namespace')) return unknown(ctx, 'umount --namespace acts in another process\'s namespace');
  if (a.operands.length === 0) return noEffect(ctx, 'umount without a target does nothing');
  const recursive = has(a, 'R', 'recursive');
  const lazy = has(a, 'l', 'lazy') || recursive;
  if (recursive) info(ctx, 'umount -R: modelled as one lazy detach of the tree');
  let status = 0;
  for (const t of a.operands) {
    const target = abs(ctx.sh, t);
    // a proc or sysfs mount (recorded, not in the model): the last one there goes
    const host = under(ctx.sh.root, canonical(ctx, target, 'm') ?? normalize(target));
    const ns = ctx.run.state.procs[ctx.sh.pid]?.ns;
    const pseudo = ctx.run.pseudoMounts.map((m, k) => ({ m, k })).filter(({ m }) => m.ns === ns && m.target === host).pop();
    if (pseudo) {
      if (recursive) {
        for (let k = ctx.run.pseudoMounts.length - 1; k >= 0; k--) {
          const m = ctx.run.pseudoMounts[k]!;
          if (m.ns === ns && (m.target === host || m.target.startsWith(host + '/'))) ctx.run.pseudoMounts.splice(k, 1);
        }
      } else ctx.run.pseudoMounts.splice(pseudo.k, 1);
      continue;
    }
    if (recursive) {
      for (let k = ctx.run.pseudoMounts.length - 1; k >= 0; k--) {
        const m = ctx.run.pseudoMounts[k]!;
        if (m.ns === ns && m.target.startsWith(host + '/')) ctx.run.pseudoMounts.splice(k, 1);
      }
    }
    const r = op(ctx, { op: 'umount', target, ...(lazy ? { lazy: true } : {}) });
    const e = errnoOf(r);
    if (e) status = failed(ctx, `umount of ${target} fails: ${e}${e === 'EINVAL' ? ' (not mounted)' : e === 'EBUSY' ? ' (busy)' : ''}`, MOUNT_FAILURE);
  }
  return status;
};
