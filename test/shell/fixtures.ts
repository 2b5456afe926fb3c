// The script fixtures (test/shell/fixtures/): twenty kinds of scripts people run to set
// up /dev/pts — chroot helpers (Debian, Arch, Alpine, Gentoo, schroot, debootstrap),
// initramfs and init scripts (dracut, initramfs-tools, OpenRC, runit, sysvinit, busybox),
// build tools (pbuilder, live-build), LXC, rootless wrappers, container-from-scratch
// scripts and Android chroot launchers — with the flags they are checked with and the
// verdicts the kernel's rules give, derived by hand before running the checker (the
// reasoning is beside each). Columns: reachable, isolated, host unharmed, non-root
// usable; y, n, or - (does not apply: role host).

import type { Op } from '../../model/index.ts';
import type { ShellName } from '../../shell/ast.ts';
import type { CheckOptions } from '../../shell/check.ts';

export interface Fixture {
  readonly file: string;
  /** The shell whose own parser (`-n`) must accept it. */
  readonly shell: ShellName;
  readonly options: CheckOptions;
  /** --source-path test/shell/fixtures/lib. */
  readonly sourcePath?: boolean;
  /** Per profile; the CONFIG=n, CONFIG=y and 4.7+ kernels of the same kind have the same row unless said. */
  readonly table: Record<string, string>;
  /** Commands whose effect is unknown, by name (anything else unknown is a failure). */
  readonly unknown?: readonly string[];
  /** What the model must have (the "world" issue's ops) for the verdicts to be right. */
  readonly needs: readonly (Op | 'devtmpfs')[];
  /** Reasons the verdicts must give (profile/verdict → pattern). */
  readonly why?: Readonly<Record<string, RegExp>>;
}

const CHROOT: Op = { op: 'chroot', pid: 1, path: '/' };
const MOVE: Op = { op: 'move', pid: 1, source: '/tmp', target: '/tmp' };
const PROPAGATE: Op = { op: 'propagate', pid: 1, target: '/', type: 'private' };
const PIVOT: Op = { op: 'pivotRoot', pid: 1, newRoot: '/', putOld: '/' };
const ALL = (v: string): Record<string, string> => ({ '2.6.39-n': v, '2.6.39-y': v, '3.4-y': v, '4.4-n': v, '4.4-y': v, '6.1': v, '6.x': v });
/**
 * A row per profile from the three kinds: CONFIG=n (2.6.39-n, 4.4-n: one instance),
 * CONFIG=y (2.6.39-y, 3.4-y, 4.4-y: the initial instance unless newinstance) and 4.7+
 * (6.1, 6.x: every mount a new instance, ptmx finds its sibling pts). `userns` overrides
 * the rows of kernels with and without user namespaces where the script makes one.
 */
const BY = (n: string, y: string, x: string, userns?: { without: [string, string]; n44: string; y44: string }): Record<string, string> => ({
  '2.6.39-n': userns ? userns.without[0] : n, '2.6.39-y': userns ? userns.without[1] : y, '3.4-y': userns ? userns.without[1] : y,
  '4.4-n': userns ? userns.n44 : n, '4.4-y': userns ? userns.y44 : y, '6.1': x, '6.x': x,
});

export const FIXTURES: Readonly<Record<string, Fixture>> = {
  // The host's /dev/pts bound into the chroot: the chroot's static c 5:2 node allocates in
  // the host's instance on every profile (initial instance; 6.x: the sibling pts is the
  // bind of the host's), which its /dev/pts lists: reachable, not isolated. Everything is
  // unmounted again. The same on every profile.
  'debian-chroot-bind.sh': {
    file: 'debian-chroot-bind.sh', shell: 'sh', needs: [CHROOT],
    options: { rootfs: ['/srv/chroot/bookworm'] },
    table: ALL('ynyy'),
    why: { '6.x/isolated': /the chroot is in the host's mount namespace and its \/dev\/pts is the host's instance/ },
  },
  // arch-chroot on a systemd host (/dev devtmpfs, shared mounts): the chroot's /dev is the
  // kernel's devtmpfs again (its ptmx node 0666), devpts with mode=0620,gid=5 on its
  // /dev/pts. 6.x: a new instance, the devtmpfs node finds it as its sibling: all yes.
  // CONFIG=y and =n: without newinstance the mount binds the initial instance (the host's)
  // and K2 replaces its options with the same gid=5,mode=620: reachable, not isolated,
  // the host as it was. The EXIT trap unmounts everything.
  'arch-chroot.sh': {
    file: 'arch-chroot.sh', shell: 'bash', needs: [CHROOT, 'devtmpfs'],
    options: { boot: 'devtmpfs', rootfs: ['/mnt'], args: ['/mnt', 'ls', '/dev/pts'] },
    table: BY('ynyy', 'ynyy', 'yyyy'),
  },
  // Recursive binds of the host's /dev (with its devpts) and /sys, made rprivate: the
  // chroot uses the host's instance (not isolated) and the binds stay after the script
  // (host unharmed: no, its mount table changed). Every profile alike.
  'alpine-chroot-install.sh': {
    file: 'alpine-chroot-install.sh', shell: 'sh', needs: [CHROOT, PROPAGATE],
    options: { rootfs: ['/alpine'] },
    table: ALL('ynny'),
    why: { '6.x/hostUnharmed': /the host's mount table changed: \+ \/alpine\/dev/ },
  },
  // dracut's initramfs: devtmpfs on /dev (ptmx 0666), devpts gid=5,mode=620 on /dev/pts.
  // Root and uid 1000 get ptys on every profile. (rm -fr of /newrun: no rmdir op.)
  'dracut-init.sh': {
    file: 'dracut-init.sh', shell: 'sh', needs: ['devtmpfs', MOVE], sourcePath: true,
    options: { role: 'host', boot: 'none' },
    table: ALL('y--y'), unknown: ['rm'],
  },
  // initramfs-tools: devtmpfs and devpts gid=5,mode=0620 moved into the new root,
  // run-init: as dracut, in the new root. The kernel command line is not known.
  'initramfs-tools-init.sh': {
    file: 'initramfs-tools-init.sh', shell: 'sh', needs: ['devtmpfs', MOVE, CHROOT], sourcePath: true,
    options: { role: 'host', boot: 'none' },
    table: ALL('y--y'), unknown: ['for', 'case'],
  },
  // OpenRC: proc and /run first, then devfs: devtmpfs on /dev, devpts gid=5,mode=0620
  // (no /etc/fstab entry: fstabinfo fails, and the assumption is said). y--y everywhere.
  'openrc-sysinit.sh': {
    file: 'openrc-sysinit.sh', shell: 'sh', needs: ['devtmpfs'],
    options: { role: 'host', boot: 'none', call: 'start' },
    table: ALL('y--y'),
  },
  // void's runit stage 1: each pseudo-filesystem only when mountpoint says it is not
  // mounted; devtmpfs, then devpts mode=0620,gid=5. y--y everywhere.
  'runit-stage1.sh': {
    file: 'runit-stage1.sh', shell: 'sh', needs: ['devtmpfs'], sourcePath: true,
    options: { role: 'host', boot: 'none' },
    table: ALL('y--y'),
  },
  // pbuilder's mountproc: U4 in the build place on CONFIG=y and 6.x (the word with
  // $TTYGRP and $TTYMODE reaches the mount expanded). CONFIG=n: newinstance is bogus
  // (K1, D3: the host's options reset), no ptmx to bind, one instance.
  'pbuilder-mountproc.sh': {
    file: 'pbuilder-mountproc.sh', shell: 'bash', needs: [CHROOT],
    options: { rootfs: ['/var/cache/pbuilder/build/1234'], env: new Map([['BUILDPLACE', '/var/cache/pbuilder/build/1234']]) },
    table: BY('ynny', 'yyyy', 'yyyy'),
    unknown: ['dpkg-buildpackage'],
  },
  // live-build's chroot_devpts install: devpts without newinstance on chroot/dev/pts
  // (relative to the build directory), left mounted for the stages that follow. 6.x: a
  // new instance, found by the chroot's static node: all yes but the host's mount table.
  // CONFIG=y and =n: the initial instance (the host's), options rewritten to the same
  // gid=5,mode=620: reachable, not isolated.
  'live-build-devpts.sh': {
    file: 'live-build-devpts.sh', shell: 'sh', needs: [CHROOT],
    options: { cwd: '/build', rootfs: ['/build/chroot'], args: ['install'] },
    table: BY('ynny', 'ynny', 'yyny'),
    unknown: ['.'],
  },
  // lxc-busybox: the template's nodes, then the container: its own tmpfs /dev, a
  // newinstance devpts with ptmxmode=0666 and /dev/ptmx -> pts/ptmx (U2, U4): all yes on
  // CONFIG=y and 6.x. CONFIG=n: no /dev/pts/ptmx (the link dangles), K1 resets the host's
  // options, one instance. (The block device ram0 is not modelled.)
  'lxc-busybox.sh': {
    file: 'lxc-busybox.sh', shell: 'sh', needs: [CHROOT],
    options: { args: ['/var/lib/lxc/bb/rootfs'] },
    table: BY('nnnn', 'yyyy', 'yyyy'),
    unknown: ['mknod'],
  },
  // unshare -r -U -m -p -f --mount-proc: 4.7+ mounts a devpts instance in the user
  // namespace and binds its ptmx (reachable, isolated, the host untouched); only root is
  // mapped, so uid 1000 does not exist there. 2.6.39 and 3.4: no CLONE_NEWUSER (EINVAL),
  // set -e ends the script, no container: the host's own namespace. 4.4-y: user
  // namespaces, and devpts mountable from one with newinstance (3.9's FS_USERNS_MOUNT), as
  // 4.7+. 4.4-n: no FS_USERNS_MOUNT without multiple instances: the devpts mount is EPERM,
  // sh -e ends the container's shell before the chroot; that shell (in the user
  // namespace, on the host's one instance) is the container.
  'rootless-mmdebstrap.sh': {
    file: 'rootless-mmdebstrap.sh', shell: 'sh', needs: [CHROOT],
    options: { rootfs: ['/home/builder/target'], args: ['/home/builder/target', 'ls', '/dev/pts'] },
    table: BY('', '', 'yyyn', { without: ['ynyy', 'ynyy'], n44: 'ynyn', y44: 'yyyn' }),
  },
  // Android (devpts mounted by init with no options): the phone's /dev bound into the
  // tree (not its /dev/pts: a plain bind), then a devpts mount on the tree's /dev/pts.
  // 6.x: a new instance; the phone's ptmx node, seen through the bind, finds it as its
  // sibling: reachable and isolated. CONFIG=y and =n: the initial instance (the phone's),
  // options rewritten to the same defaults. The mounts stay: host unharmed no.
  'android-chroot-devpts.sh': {
    file: 'android-chroot-devpts.sh', shell: 'mksh', needs: [CHROOT],
    options: { bootOptions: '', rootfs: ['/data/local/debian'] },
    table: BY('ynny', 'ynny', 'yyny'),
    unknown: ['ssh'],
  },
  // The phone's /dev and /dev/pts bound into the tree (mksh arrays), unmounted in reverse
  // afterwards: the phone's instance, every profile alike.
  'android-chroot-bindpts.sh': {
    file: 'android-chroot-bindpts.sh', shell: 'mksh', needs: [CHROOT],
    options: { rootfs: ['/data/local/arch'] },
    table: ALL('ynyy'),
  },
  // The Gentoo Handbook: rbind /dev (with the host's devpts), make-rslave, and the mounts
  // stay for the installation: the host's instance, the host's mount table changed.
  'gentoo-handbook-chroot.sh': {
    file: 'gentoo-handbook-chroot.sh', shell: 'bash', needs: [CHROOT, PROPAGATE],
    options: { rootfs: ['/mnt/gentoo'] },
    table: ALL('ynny'), unknown: ['source'],
  },
  // A container from scratch: new namespaces, a private /dev with nodes, a newinstance
  // devpts with ptmxmode=0666, /dev/ptmx -> pts/ptmx, pivot_root: U2/U4 on CONFIG=y and
  // 6.x. CONFIG=n: dangling link, K1, one instance.
  'container-pivot-root.sh': {
    file: 'container-pivot-root.sh', shell: 'bash', needs: [PIVOT],
    options: { rootfs: ['/var/lib/mini/rootfs'] },
    table: BY('nnnn', 'yyyy', 'yyyy'),
  },
  // sysvinit's mountdevsubfs.sh after an initramfs moved /dev (devtmpfs, devpts) in:
  // domount sees /dev/pts mounted and leaves it. The host's ptys work.
  'debian-mountdevsubfs.sh': {
    file: 'debian-mountdevsubfs.sh', shell: 'sh', needs: ['devtmpfs'], sourcePath: true,
    options: { role: 'host', boot: 'devtmpfs', args: ['start'] },
    table: ALL('y--y'),
  },
  // debootstrap: device nodes and an empty /dev/pts, no devpts mounted there. 6.x: the
  // static node's sibling pts is no devpts: ENODEV (nothing reachable, nothing shared).
  // CONFIG=y and =n: the node allocates in the host's instance, which the chroot's empty
  // /dev/pts does not list and the host's does.
  'debootstrap-devices.sh': {
    file: 'debootstrap-devices.sh', shell: 'sh', needs: [CHROOT],
    options: { rootfs: ['/srv/target'], args: ['/srv/target'] },
    table: BY('nnyn', 'nnyn', 'nyyn'),
    why: { '6.x/reachable': /ENODEV/ },
  },
  // schroot's setup-start: the host's /dev/pts bound in, the session running (the
  // setup-stop that unmounts comes later): the host's instance, the host's table changed.
  'schroot-setup-mount.sh': {
    file: 'schroot-setup-mount.sh', shell: 'sh', needs: [CHROOT],
    options: { rootfs: ['/srv/chroot/sid'], env: new Map([['STAGE', 'setup-start'], ['CHROOT_PATH', '/srv/chroot/sid']]) },
    table: ALL('ynny'), unknown: ['.'],
  },
  // unshare --propagation unchanged on a systemd host (every mount shared): the
  // container's devpts mount and ptmx bind propagate back onto the host's /dev/pts and
  // /dev/ptmx. Reachable, but host and container share the instance and the host's
  // mounts at /dev/pts and /dev/ptmx changed. CONFIG=n: K1 as well; the bind fails (set -e in the text).
  'unshare-unchanged-systemd.sh': {
    file: 'unshare-unchanged-systemd.sh', shell: 'sh', needs: [PROPAGATE, 'devtmpfs'],
    options: { boot: 'devtmpfs' },
    table: ALL('ynny'),
    why: { '6.x/hostUnharmed': /the host's mounts at its pty paths are .*\/dev\/pts devpts gid=5,mode=620,ptmxmode=666; \/dev\/ptmx devpts/ },
  },
  // A busybox rcS: devtmpfs, then devpts with no options (mode 0600, no gid): the opener
  // owns its slave, so uid 1000 gets a pty too. y--y everywhere.
  'busybox-rcS.sh': {
    file: 'busybox-rcS.sh', shell: 'busybox', needs: ['devtmpfs'],
    options: { shell: 'busybox', role: 'host', boot: 'none' },
    table: ALL('y--y'),
  },
};
