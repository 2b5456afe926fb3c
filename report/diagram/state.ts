// The final state of a counterexample as a picture's data: mount namespaces → mounts →
// devpts instances → ptys, which namespace sees which instance (at which path), and
// where an open of /dev/ptmx by root in each namespace would allocate. Read from the
// model's state with the model's own path walker and the profile's ptmx lookup, so the
// picture can never disagree with the semantics.

import { formatMode, profileOf, type KernelState } from '../../model/index.ts';
import { nodeAt, nsRoot, resolve, DEVPTS_ROOT_INO } from '../../model/paths.ts';
import { mountPointPath, pathFromRoot } from '../../model/mountinfo.ts';
import { INITIAL_USERNS, type DevptsFs, type Mount, type Proc } from '../../model/state.ts';
import type { MountKind, StateDiagram } from '../data.ts';

/** Labels for devpts instances: `known` first (the labels results used), then the rest in creation order. */
export function instanceLabels(state: KernelState, known: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const labels = new Map(known);
  const used = new Set(labels.values());
  let n = 1;
  const ids = Object.keys(state.fss)
    .filter((id) => state.fss[id]!.kind === 'devpts' && !labels.has(id))
    .sort((a, b) => num(a) - num(b));
  for (const id of ids) {
    while (used.has(`devpts${n}`)) n++;
    labels.set(id, `devpts${n}`);
    used.add(`devpts${n}`);
  }
  return labels;
}
const num = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? 0);

function optionsText(fs: DevptsFs): string {
  const o = fs.opts;
  const parts: string[] = [];
  if (o.uid !== null) parts.push(`uid=${o.uid}`);
  if (o.gid !== null) parts.push(`gid=${o.gid}`);
  parts.push(`mode=${formatMode(o.mode)}`);
  if (fs.ptmx !== null) parts.push(`ptmxmode=${formatMode(o.ptmxmode)}`);
  if (o.max !== null) parts.push(`max=${o.max}`);
  if (o.newinstance) parts.push('newinstance');
  return parts.join(',');
}

/** Where a mount is mounted ("?" where the walk up cannot name its mount point). */
function mountPath(state: KernelState, m: Mount): string {
  if (m.ns === null) return '(detached)';
  return mountPointPath(state, m) ?? '?';
}

function mountKind(state: KernelState, m: Mount): MountKind {
  const fs = state.fss[m.fs]!;
  if (m.root !== (fs.kind === 'devpts' ? DEVPTS_ROOT_INO : 1)) return 'bind';
  if (fs.kind === 'devpts') return 'devpts';
  return fs.kind === 'plain' && (fs.id === 'root' || fs.fstype === 'rootfs') ? 'root' : 'tmpfs';
}

/** mountinfo's optional fields, as a short label (none for a private mount). */
function propagationText(m: Mount): string | undefined {
  const parts: string[] = [];
  if (m.group !== undefined) parts.push(`shared:${m.group}`);
  if (m.master !== undefined) parts.push(`master:${m.master}`);
  if (m.unbindable) parts.push('unbindable');
  if (m.locked) parts.push('locked');
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A user namespace as a label: its id and its mapping ("user2: 0→1000"). */
function usernsText(state: KernelState, id: string): string | undefined {
  const u = state.userns[id];
  return u === undefined || u.parent === null ? undefined : `${id}: 0→${u.uid}`;
}

/**
 * Build the picture's data from a model state. `known` maps internal instance ids to the
 * labels the step results used; `ptmxPaths` are other paths to show leads for (those
 * the counterexample opened), besides /dev/ptmx.
 */
export function stateDiagram(state: KernelState, known: ReadonlyMap<string, string> = new Map(), ptmxPaths: readonly string[] = []): StateDiagram {
  const profile = profileOf(state.profile);
  const labels = instanceLabels(state, known);
  const fsLabel = (id: string): string => labels.get(id) ?? (id === 'root' ? 'rootfs' : id.replace(/#/, ''));

  const mountIds = Object.keys(state.mounts).sort((a, b) => num(a) - num(b));
  const covered = new Set<string>();
  for (const id of mountIds) {
    const m = state.mounts[id]!;
    if (m.parent !== null && m.ns !== null && state.mounts[m.parent]!.root === m.mountpoint) covered.add(m.parent);
  }
  // hidden: covered itself, or below a covered mount other than through the mount that covers it
  const hidden = (m: Mount): boolean => {
    if (covered.has(m.id)) return true;
    for (let cur = m; cur.parent !== null; cur = state.mounts[cur.parent]!) {
      const p = state.mounts[cur.parent]!;
      if (covered.has(p.id) && cur.mountpoint !== p.root) return true;
    }
    return false;
  };
  const mounts = mountIds.map((id) => {
    const m = state.mounts[id]!;
    const propagation = propagationText(m);
    return { id, ns: m.ns, path: mountPath(state, m), kind: mountKind(state, m), fs: fsLabel(m.fs), hidden: m.ns !== null && hidden(m), ...(propagation ? { propagation } : {}) };
  });

  const nsIds = Object.keys(state.namespaces).sort((a, b) => num(a) - num(b));
  const namespaces = nsIds.map((ns) => {
    const procs = Object.values(state.procs).filter((p) => p.ns === ns).map((p) => {
      // the root as a path from the namespace's root (what a chroot or pivot_root left)
      const root = pathFromRoot(state, p.root, nsRoot(state, ns));
      const userns = usernsText(state, p.userns);
      return { pid: p.pid, uid: p.uid, ...(root !== null && root !== '/' ? { root } : root === null ? { root: '(outside)' } : {}), ...(userns ? { userns } : {}) };
    });
    const owner = usernsText(state, state.namespaces[ns]!.owner);
    // root as the namespace's first process sees it (its root and working directory), else at the namespace's root
    const first = Object.values(state.procs).find((p) => p.ns === ns);
    const top = first ? first.root : nsRoot(state, ns);
    const root: Proc = { pid: 0, uid: 0, gid: 0, ns, userns: first?.userns ?? INITIAL_USERNS, caps: true, root: top, cwd: first ? first.cwd : top, ...(first?.map ? { map: first.map } : {}) };
    const leads = [ptmxLead(state, profile, root, fsLabel, '/dev/ptmx')];
    for (const path of ptmxPaths) {
      if (path === '/dev/ptmx' || leads.some((l) => l.path === path)) continue;
      const r = resolve(state, root, path);
      if (r.ok && r.node.type === 'chr' && r.node.rdev?.[0] === 5 && r.node.rdev[1] === 2) leads.push(ptmxLead(state, profile, root, fsLabel, path));
    }
    return { id: ns, label: ns === 'ns1' ? 'ns1 (initial)' : ns, procs, leads, ...(owner ? { owner } : {}) };
  });

  const instances = Object.keys(state.fss)
    .filter((id) => state.fss[id]!.kind === 'devpts')
    .sort((a, b) => fsLabel(a).localeCompare(fsLabel(b), 'en', { numeric: true }))
    .map((id) => {
      const fs = state.fss[id] as DevptsFs;
      return {
        id: fsLabel(id), initial: fs.initial, options: optionsText(fs),
        ptmxMode: fs.ptmx ? formatMode(fs.ptmx.mode) : null, ptmxOption: fs.ptmx ? formatMode(fs.opts.ptmxmode) : null,
      };
    });

  const ptys = instances.flatMap((inst) => {
    const internal = [...labels].find(([, l]) => l === inst.id)![0];
    const fs = state.fss[internal] as DevptsFs;
    return Object.keys(fs.ptys).map(Number).sort((a, b) => a - b).map((index) => {
      const p = fs.ptys[index]!;
      return { instance: inst.id, index, master: p.masterOpen, slaves: p.slaveOpens, locked: p.locked, node: p.node !== null };
    });
  });

  const sees = mounts
    .filter((m) => m.ns !== null && !m.hidden && m.kind === 'devpts')
    .map((m) => ({ ns: m.ns!, instance: m.fs, path: m.path }));

  return { namespaces, mounts, instances, ptys, sees };
}

/** Where root's open(path) in this namespace allocates, and how the path gets there. */
function ptmxLead(
  state: KernelState, profile: ReturnType<typeof profileOf>, proc: Proc, fsLabel: (id: string) => string, path: string,
): StateDiagram['namespaces'][number]['leads'][number] {
  const link = resolve(state, proc, path, true);
  if (!link.ok) return { path, instance: null, errno: link.errno, via: `no ${path}` };
  let via: string;
  if (link.node.type === 'lnk') via = `symlink → ${link.node.target}`;
  else if (link.node.devpts) {
    // a bind mount of a ptmx file is a mount whose root is that node
    const bound = state.mounts[link.pos.mount]!.root === link.pos.ino;
    via = bound ? `bind of ${fsLabel(link.node.devpts.id)}'s ptmx` : `${fsLabel(link.node.devpts.id)}'s own ptmx node`;
  }
  else if (link.node.type === 'chr') via = `device node c ${link.node.rdev!.join(':')}`;
  else via = `a ${link.node.type}`;
  const r = resolve(state, proc, path);
  if (!r.ok) return { path, instance: null, errno: r.errno, via };
  if (r.node.type !== 'chr' || r.node.rdev?.[0] !== 5 || r.node.rdev?.[1] !== 2) {
    return { path, instance: null, errno: r.node.type === 'dir' ? 'EISDIR' : 'ENXIO', via };
  }
  if (r.node.devpts && link.node.type === 'lnk') via = `symlink → ${(nodeAt(state, link.pos)?.target) ?? '?'} (${fsLabel(r.node.devpts.id)}'s ptmx)`;
  const where = profile.ptmxInstance(state, r.pos, r.node, r.dir.ino);
  if (!where.ok) return { path, instance: null, errno: where.errno, via };
  return { path, instance: fsLabel(where.fs), errno: null, via };
}
