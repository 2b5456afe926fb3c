// What a process can observe of devpts without changing anything: the options line
// /proc/mounts shows for an instance (mount(8) reads it to build a remount), and the
// host's view (its /dev/pts, /dev/pts/ptmx and /dev/ptmx) to tell which script line
// changed the host.

import { profileOf, step, type DevptsOptions, type KernelResult, type KernelState, type ProfileId } from '../model/index.ts';

/** The options line /proc/mounts shows for an instance, as the profile's kernel prints it. */
export function showOptions(profile: ProfileId, o: DevptsOptions): string[] {
  return profileOf(profile).showOptions(o);
}

/** "chr 0666 0:0 (5:2)", "dir 0755 0:0", or the errno. */
export function describeStat(r: KernelResult): string {
  if ('errno' in r) return r.errno;
  const rdev = r.rdev ? ` (${r.rdev})` : '';
  return `${r.type} ${r.mode} ${r.uid}:${r.gid}${rdev}`;
}

export interface HostView {
  /** The filesystem at the host's /dev/pts (internal id), or the errno. */
  readonly pts: string;
  /** Its devpts options as /proc/mounts shows them, when it is a devpts. */
  readonly options: string | null;
  readonly ptmxNode: string;
  readonly devPtmx: string;
}

const stat = (state: KernelState, path: string, nofollow = false): KernelResult =>
  step(state, { op: 'stat', pid: 1, path, ...(nofollow ? { nofollow: true } : {}) }).result as KernelResult;

/** What init (pid 1, the host) sees of devpts. */
export function hostView(state: KernelState): HostView {
  const pts = stat(state, '/dev/pts');
  const fsId = 'errno' in pts ? pts.errno : pts.fs ?? 'other';
  const fs = state.fss[fsId];
  const options = fs && fs.kind === 'devpts' ? showOptions(state.profile, fs.opts).join(',') : null;
  const link = stat(state, '/dev/ptmx', true);
  const target = describeStat(stat(state, '/dev/ptmx'));
  const devPtmx = !('errno' in link) && link.type === 'lnk' ? `a symlink to ${target}` : target;
  return { pts: fsId, options, ptmxNode: describeStat(stat(state, '/dev/pts/ptmx')), devPtmx };
}

/** One line naming what changed for the host, or null. */
export function describeHostChange(a: HostView, b: HostView): string | null {
  const parts: string[] = [];
  if (a.pts !== b.pts) parts.push(`the host's /dev/pts is now ${b.options === null ? 'no devpts' : 'another devpts instance'}`);
  else if (a.options !== b.options) parts.push(`the host's devpts options ${a.options} → ${b.options}`);
  if (a.ptmxNode !== b.ptmxNode) parts.push(`the host's /dev/pts/ptmx ${a.ptmxNode} → ${b.ptmxNode}`);
  if (a.devPtmx !== b.devPtmx) parts.push(`the host's /dev/ptmx ${a.devPtmx} → ${b.devPtmx}`);
  return parts.length > 0 ? `changes the host: ${parts.join('; ')}` : null;
}
