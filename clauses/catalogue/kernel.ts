// Kernel facts the document does not state (K1-K11): what the code does, checked on
// every transition.

import { TRANSITIONS } from '../transitions.ts';
import { ALL, CONFIG_Y, expectAll, transition, WITH_NODE, type Clause } from '../record.ts';

export const KERNEL_CLAUSES: readonly Clause[] = [  {
    id: 'K1', kind: 'K', profiles: ['2.6.39-n'], expected: { '2.6.39-n': 'holds' },
    statement: 'legacy mounts reset all options, then apply them only up to the first unknown one: the result depends on option order',
    code: 'devpts_mount → mount_single → do_remount_sb (error ignored) → parse_mount_options: defaults first, then left to right, stop at the first bogus token.',
    formalization: 'on every devpts mount and every remount of the single instance: the mount succeeds even with unknown items; the options equal those of the same op cut before the first unknown item (unknown: anything but uid=/gid= with a C number, mode= octal); and they equal those the op gives from an instance with other options (reset).',
    check: transition(TRANSITIONS.K1),
  },
  {
    id: 'K2', kind: 'K', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'a mount without newinstance replaces the initial instance\'s options wholesale (a container can change the host\'s slave mode and group)',
    code: 'devpts_mount: memcpy of the freshly parsed options onto the initial instance\'s (2.6.39, 3.4).',
    formalization: 'after a successful devpts mount without newinstance, the attached instance\'s options are exactly the mount data parsed from defaults.',
    check: transition(TRANSITIONS.K2),
  },
  {
    id: 'K3', kind: 'K', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'ptmxmode= on a mount of an existing instance changes the options, not the existing ptmx node',
    code: 'mknod_ptmx returns early when the node exists; only update_ptmx_mode (remount) changes it.',
    formalization: 'a successful devpts mount with a ptmxmode= item that attaches an existing instance leaves its ptmx node as it was and sets its ptmxmode option.',
    check: transition(TRANSITIONS.K3, { weights: { mountDevpts: 16 } }),
  },
  {
    id: 'K4', kind: 'K', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'holds'),
    statement: 'a remount resets the ptmx node\'s mode to the given or default ptmxmode, undoing chmod (2.6.39/3.4: even when it fails)',
    code: 'devpts_remount → update_ptmx_mode, after parse_mount_options whatever it returned (2.6.39/3.4); 6.x devpts_reconfigure applies only on success.',
    formalization: 'every remount by root of a devpts mount root sets the ptmx node\'s mode to the ptmxmode that parsing the data gives (on 2.6.39/3.4 also when the parse fails: EINVAL, partial parse), keeping its owner; a remount failing otherwise (EBUSY before devpts is asked), or any failed remount on 6.x, leaves the node.',
    check: transition(TRANSITIONS.K4),
  },
  {
    id: 'K5', kind: 'K', profiles: ALL, expected: expectAll(ALL, 'holds'),
    statement: 'the pty limit: per-instance index ≥ kernel.pty.max → EIO (2.6.39); global count and max= → ENOSPC (3.4+); max=0 means no limit on 6.x',
    code: 'devpts_new_index (2.6.39: ida index vs pty_limit; 3.4: pty_count vs pty_limit − reserve, then max; 6.x: atomic_inc_return(&pty_count) ≥ limit, ida_alloc_max(max − 1)).',
    formalization: 'every ptmx open that passes the permission checks and finds its instance fails with EIO (2.6.39) / ENOSPC (3.4, 6.x) exactly when the limit of its generation is reached.',
    check: transition(TRANSITIONS.K5, { weights: { sysctl: 10, openPtmx: 20, pty: 6 } }),
  },
  {
    id: 'K6', kind: 'K', profiles: ALL, expected: expectAll(ALL, 'holds'),
    statement: 'an index is freed only when master and slave are both closed; the slave\'s name disappears when the master closes',
    code: 'pty_close → devpts_pty_kill on master close; devpts_kill_index when the tty is released (both ends).',
    formalization: 'on every close and exit: a closed master\'s slave node is gone at once; a pty stays allocated exactly while some handle (master or slave) is open on it.',
    check: transition(TRANSITIONS.K6, { weights: { pty: 14, openSlave: 6, close: 12, exit: 4 } }),
  },
  {
    id: 'K7', kind: 'K', profiles: ALL, expected: expectAll(ALL, 'holds'),
    statement: 'root opens a mode-0000 ptmx; others get EACCES',
    code: 'may_open → inode_permission: CAP_DAC_OVERRIDE lets root read/write any mode.',
    formalization: 'every open of a ptmx node of mode 0000 (not on a nodev mount) gives EACCES exactly when the opener is not root.',
    check: transition(TRANSITIONS.K7, { weights: { user: 8, setuid: 4, chmod: 8 }, boots: [{}, { ptmxMode: '0000' }, { ptmxMode: '0000', devptsOptions: 'gid=5,mode=620' }, { devptsOptions: 'newinstance' }] }),
  },
  {
    id: 'K8', kind: 'K', profiles: ['6.x'], expected: { '6.x': 'holds' },
    statement: 'on 6.x a non-devpts ptmx node allocates in the devpts mounted at its sibling pts (topmost mount), ENOENT if there is no pts, ENODEV if it is not a devpts root; no fallback',
    code: 'devpts_acquire → devpts_ptmx_path → path_pts (6.x fs/devpts/inode.c); live 6.x S2b–S2d.',
    formalization: 'every open of a ptmx node not on devpts: success only when its directory\'s `pts` (looked up without following symlinks, topmost mount) is a devpts root, and then in that instance; otherwise ENOENT (no `pts`) or ENODEV (EACCES and ENOSPC may come from permissions and limits).',
    check: transition(TRANSITIONS.K8, { weights: { layout: 10, mknod: 4 } }),
  },
  {
    id: 'K9', kind: 'K', profiles: ['6.x'], expected: { '6.x': 'holds' },
    statement: 'on 6.x a bind of another instance\'s ptmx allocates there, but TIOCGPTPEER on that master fails with ENODEV',
    code: 'ptmx_open uses the inode\'s own superblock; ptm_open_peer → devpts_mntget walks up from the bind and checks the sibling pts (live 6.x S2f).',
    formalization: 'every successful open of a devpts ptmx node (wherever bound) allocates in that node\'s instance; TIOCGPTPEER on a master opened through a file bind of a ptmx whose directory\'s sibling pts is another devpts instance gives ENODEV.',
    check: transition(TRANSITIONS.K9, { weights: { bind: 8, peer: 8, container: 8 } }),
  },
  {
    id: 'K10', kind: 'K', profiles: ALL, expected: expectAll(ALL, 'holds'),
    statement: 'umount of a devpts is not blocked by masters opened through a ptmx outside it; afterwards their slaves cannot be reached by path',
    code: 'do_umount checks references to the vfsmount; a master opened through /dev/ptmx holds none on /dev/pts (live 6.x S5a).',
    formalization: 'a non-lazy umount of a devpts mount gives EBUSY only if a file was opened through that mount or a mount sits on it; after a successful umount leaving no mount of the instance in that namespace, none of its slaves resolves under the umounted path.',
    check: transition(TRANSITIONS.K10, { weights: { umount: 10 } }),
  },
  {
    id: 'K11', kind: 'K', profiles: ['2.6.39-n', ...CONFIG_Y], expected: expectAll(['2.6.39-n', ...CONFIG_Y], 'holds'),
    statement: 'a devpts mount onto the mount point where the same instance is already mounted fails with EBUSY, yet the instance\'s options are replaced as if it had succeeded (a failed mount in a container still rewrites the host\'s pty options)',
    code: 'do_new_mount calls devpts_mount first (=y: memcpy of the parsed options onto the initial instance; =n: mount_single → do_remount_sb), then do_add_mount refuses "the same filesystem on the same mount point" with EBUSY; nothing undoes the options (fs/namespace.c, 2.6.39, 3.4, 4.4; QEMU 2.6.39.4 =n/=y, 3.4.113 =y, 4.4.178 =y).',
    formalization: 'on every devpts mount by root onto a path whose topmost mount is the initial (single) instance at its root — without newinstance and with data the parser accepts on CONFIG=y; any data on CONFIG=n: the result is EBUSY, the instance\'s options are exactly what the mount applies (=y: the data parsed from defaults; =n: reset, then applied up to the first unknown item), nothing else of the instance changes (its ptmx node keeps its mode) and no mount is attached.',
    check: transition(TRANSITIONS.K11, { weights: { mountDevpts: 12, container: 8 } }),
  },
];
