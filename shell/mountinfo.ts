// What a process reads in /proc/self/mounts (and /proc/mounts, /etc/mtab) and
// /proc/self/mountinfo, generated from the model's mount table in the kernel's formats
// (fs/proc_namespace.c: show_vfsmnt, show_mountinfo). The table comes from the model's
// `mounts` op (operations.md); the source names mount(8) was given and the proc/sysfs
// mounts the model does not have come from the script's own record (Run.mountNames).

import type { KernelState, Mount } from '../model/index.ts';
import { profileOf } from '../model/index.ts';
import type { Run } from './run.ts';
import type { MountLine } from './world.ts';

export interface MountEntry {
  /** Relative to the process's root, as the kernel prints it. */
  readonly target: string;
  readonly fstype: string;
  readonly source: string;
  /** Per-mount flags as /proc/mounts shows them: rw or ro, nosuid, nodev, noexec, relatime. */
  readonly mountOptions: readonly string[];
  /** The filesystem's own options (devpts_show_options and the like). */
  readonly superOptions: readonly string[];
  /** A stable number per filesystem instance (the minor of st_dev). */
  readonly dev: number;
}

/** The mounts a process sees, in mountinfo order; null when the model cannot say. */
export function mountTable(run: Run, pid: number, extra: readonly { target: string; fstype: string; source: string }[] = [], root = '/'): MountEntry[] | null {
  const lines = viaOp(run, pid) ?? fromState(run.state, pid);
  if (!lines) return null;
  const devs = new Map<string, number>();
  const devOf = (fs: string): number => {
    if (!devs.has(fs)) devs.set(fs, 20 + devs.size);
    return devs.get(fs)!;
  };
  const out: MountEntry[] = lines.map((l) => {
    const named = run.mountNames.get(root === '/' ? l.target : l.target === '/' ? root : root + l.target);
    const fstype = l.fstype;
    const source = named && named.fstype === fstype ? named.source : defaultSource(fstype, l.target);
    const flags = l.flags ?? [];
    const superOptions = l.options !== undefined ? l.options.split(',').filter((o) => o !== '') : fstype === 'devtmpfs' ? ['size=4096k', 'nr_inodes=1024', 'mode=755'] : [];
    return {
      target: l.target, fstype, source, dev: devOf(l.fs),
      mountOptions: [flags.includes('ro') ? 'ro' : 'rw', ...['nosuid', 'nodev', 'noexec'].filter((f) => flags.includes(f)), 'relatime'],
      superOptions: [flags.includes('ro') || l.readonly ? 'ro' : 'rw', ...superOptions],
    };
  });
  for (const e of extra) {
    out.push({ target: e.target, fstype: e.fstype, source: e.source, dev: devOf(`${e.fstype}:${e.target}`), mountOptions: ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'], superOptions: ['rw'] });
  }
  return out;
}

function defaultSource(fstype: string, target: string): string {
  if (target === '/') return '/dev/root';
  if (fstype === 'devtmpfs') return 'udev';
  return fstype;
}

interface Line extends MountLine { readonly flags?: readonly string[]; readonly readonly?: boolean }

/** The model's `mounts` op, when it has it. */
function viaOp(run: Run, pid: number): Line[] | null {
  if (!run.takes({ op: 'mounts', pid })) return null;
  const r = run.peek({ op: 'mounts', pid }) as { mounts?: Line[] };
  return r.mounts ?? null;
}

/**
 * Until the model has `mounts`: the process's namespace's mounts, paths from the
 * namespace root (the model has no per-process root yet), flags from the mount records.
 */
function fromState(state: KernelState, pid: number): Line[] | null {
  const proc = state.procs[pid];
  if (!proc) return null;
  const ns = state.namespaces[proc.ns];
  if (!ns) return null;
  const paths = new Map<string, string>();
  const pathOf = (m: Mount): string => {
    const known = paths.get(m.id);
    if (known !== undefined) return known;
    let p = '/';
    if (m.parent !== null) {
      const parent = state.mounts[m.parent]!;
      const inside = inodePath(state, parent, m.mountpoint);
      const base = pathOf(parent);
      p = inside === '' ? base : (base === '/' ? '' : base) + inside;
    }
    paths.set(m.id, p);
    return p;
  };
  return ns.mounts.map((id) => {
    const m = state.mounts[id]!;
    const fs = state.fss[m.fs]!;
    const fstype = fs.kind === 'devpts' ? 'devpts' : fs.id === 'root' ? 'ext4' : 'tmpfs';
    const options = fs.kind === 'devpts' ? profileOf(state.profile).showOptions(fs.opts).join(',') : undefined;
    return {
      target: pathOf(m), fstype, fs: fs.id, flags: m.flags, readonly: fs.readonly === true,
      ...(options !== undefined ? { options } : {}),
    };
  });
}

/** The path of an inode inside a mount's filesystem, from that mount's root ('' for the root itself). */
function inodePath(state: KernelState, m: Mount, ino: number): string {
  const fs = state.fss[m.fs]!;
  const names: string[] = [];
  let cur = ino;
  for (let guard = 0; cur !== m.root && guard < 4096; guard++) {
    if (fs.kind === 'devpts') {
      names.unshift(cur === 2 ? 'ptmx' : String(cur - 3));
      break;
    }
    const inode = fs.inodes[cur];
    if (!inode) break;
    const parent = fs.inodes[inode.parent];
    if (!parent || parent.type !== 'dir' || inode.parent === cur) break;
    const name = Object.entries(parent.entries).find(([, v]) => v === cur)?.[0];
    if (name === undefined) break;
    names.unshift(name);
    cur = inode.parent;
  }
  return names.length === 0 ? '' : '/' + names.join('/');
}

/** Octal escapes of the kernel's seq_escape (space, tab, newline, backslash). */
const escape = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));

/** /proc/self/mounts: "SOURCE TARGET FSTYPE OPTIONS 0 0" (show_vfsmnt). */
export function procMounts(table: readonly MountEntry[]): string {
  return table.map((e) => {
    const opts = [e.superOptions[0] === 'ro' ? 'ro' : e.mountOptions[0]!, ...e.mountOptions.slice(1), ...e.superOptions.slice(1)];
    return `${escape(e.source)} ${escape(e.target)} ${e.fstype} ${opts.join(',')} 0 0\n`;
  }).join('');
}

/** /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT TARGET OPTS - FSTYPE SOURCE SUPEROPTS" (show_mountinfo). */
export function procMountinfo(table: readonly MountEntry[]): string {
  const parentOf = (k: number): number => {
    const t = table[k]!.target;
    for (let j = k - 1; j >= 0; j--) {
      const p = table[j]!.target;
      if (p === '/' || t.startsWith(p + '/')) return 22 + j;
    }
    return 1;
  };
  return table.map((e, k) =>
    `${22 + k} ${k === 0 ? 1 : parentOf(k)} 0:${e.dev} / ${escape(e.target)} ${e.mountOptions.join(',')} - ${e.fstype} ${escape(e.source)} ${e.superOptions.join(',')}\n`,
  ).join('');
}
