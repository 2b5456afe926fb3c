// Files whose contents the checker knows: /proc/self/mounts, /proc/self/mountinfo and
// /etc/mtab (generated from the model's mount table), /proc/filesystems, the pty
// sysctls under /proc/sys/kernel/pty, and whatever the script itself wrote into a file.
// proc is there where the boot mounted it or the script did (`mount -t proc proc
// DIR/proc`, recorded by mount(8)'s handler): inside a chroot without it, /proc/mounts
// does not exist.

import { INITIAL_NS } from '../../model/index.ts';
import { mountTable, procMountinfo, procMounts } from '../mountinfo.ts';
import type { Run } from '../run.ts';
import type { Shell } from '../shell-state.ts';
import { abs, normalize } from './context.ts';

/** A filesystem the model does not have (proc, sysfs, …) that the script or the boot mounted. */
export interface PseudoMount { readonly target: string; readonly fstype: string; readonly source: string; readonly ns: string }

/** What the script's boot has mounted besides the model's mounts: proc and sysfs (not with --boot none). */
export function bootPseudoMounts(mounted: boolean): PseudoMount[] {
  return mounted
    ? [{ target: '/proc', fstype: 'proc', source: 'proc', ns: INITIAL_NS }, { target: '/sys', fstype: 'sysfs', source: 'sysfs', ns: INITIAL_NS }]
    : [];
}

/** The pseudo mounts a process sees, with targets from its root. */
export function pseudoMountsOf(run: Run, sh: Shell): { target: string; fstype: string; source: string }[] {
  const ns = run.state.procs[sh.pid]?.ns ?? INITIAL_NS;
  const out: { target: string; fstype: string; source: string }[] = [];
  for (const m of run.pseudoMounts) {
    if (m.ns !== ns) continue;
    const target = sh.root === '/' ? m.target : m.target === sh.root ? '/' : m.target.startsWith(sh.root + '/') ? m.target.slice(sh.root.length) : null;
    if (target !== null) out.push({ target, fstype: m.fstype, source: m.source });
  }
  return out;
}

/** Is proc mounted at the process's /proc? */
export function procMounted(run: Run, sh: Shell): boolean {
  return pseudoMountsOf(run, sh).some((m) => m.target === '/proc' && m.fstype === 'proc');
}

/** The filesystems a kernel lists in /proc/filesystems that scripts look for. */
const FILESYSTEMS = ['nodev\tsysfs', 'nodev\ttmpfs', 'nodev\tbdev', 'nodev\tproc', 'nodev\tcgroup', 'nodev\tcgroup2', 'nodev\tdevtmpfs', 'nodev\tdebugfs', 'nodev\tsecurityfs', 'nodev\tsockfs', 'nodev\tpipefs', 'nodev\tramfs', 'nodev\tdevpts', 'nodev\tmqueue', '\text4'];

export type KnownFile = { readonly text: string } | { readonly missing: string } | null;

/** The contents of a file the checker knows; `missing`: it does not exist; null: not known. */
export function knownFile(run: Run, sh: Shell, path: string): KnownFile {
  const p = normalize(abs(sh, path));
  const proc = /^\/proc\/(self|thread-self|[0-9]+)\/(mounts|mountinfo)$/.exec(p) ?? (p === '/proc/mounts' ? [p, 'self', 'mounts'] : null);
  if (proc || p === '/proc/filesystems' || p.startsWith('/proc/sys/')) {
    if (!procMounted(run, sh)) return { missing: `${p}: proc is not mounted on ${sh.root === '/' ? '' : sh.root}/proc` };
  }
  if (proc) {
    const who = proc[1] === 'self' || proc[1] === 'thread-self' ? sh.pid : Number(proc[1]);
    const pid = run.state.procs[who] ? who : null;
    if (pid === null) return null;
    const table = mountTable(run, pid, pseudoMountsOf(run, sh), sh.root);
    if (!table) return null;
    return { text: proc[2] === 'mounts' ? procMounts(table) : procMountinfo(table) };
  }
  if (p === '/etc/mtab' && sh.root === '/') return knownFile(run, sh, '/proc/self/mounts');
  if (p === '/proc/filesystems') return { text: FILESYSTEMS.join('\n') + '\n' };
  const pty = /^\/proc\/sys\/kernel\/pty\/(max|reserve|nr)$/.exec(p);
  if (pty) {
    const name = `kernel.pty.${pty[1]}`;
    if (run.takes({ op: 'sysctl', name })) {
      const r = run.peek({ op: 'sysctl', name }) as { value?: number };
      if (typeof r.value === 'number') return { text: `${r.value}\n` };
    }
    if (pty[1] === 'nr') return null;
    return { text: `${pty[1] === 'max' ? run.state.sysctl.max : run.state.sysctl.reserve}\n` };
  }
  const written = run.files.get(sh.root === '/' ? p : sh.root + p);
  if (written !== undefined) return { text: written };
  return null;
}

/** The contents, or null when not known (or missing). */
export function readKnownFile(run: Run, sh: Shell, path: string): string | null {
  const f = knownFile(run, sh, path);
  return f && 'text' in f ? f.text : null;
}
