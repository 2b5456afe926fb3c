// The clauses that come from the document's body (D1-D8) and from its numbered
// "User-space changes" notes (U1-U7), with their words and their checks.

import type { BootConfig, Op } from '../../model/index.ts';
import { TRANSITIONS } from '../transitions.ts';
import { both, neverNamesDevptsPtmx, noNewinstance, noNewOptions } from '../comparisons.ts';
import { d8Check, d8Scenario, u2Check, u2Scenario, u3Check, u3Scenario, u4Check, u4Scenario, u5Check, u5Scenario, u7Check } from '../scenarios.ts';
import { comparison, CONFIG_Y, expectAll, scenario, transition, WITH_NODE, type Clause } from '../record.ts';

/** Boots a legacy-era system may have (the first, the default, is what shrinking aims for). */
export const LEGACY_BOOTS: readonly BootConfig[] = [{}, { devptsOptions: 'gid=5,mode=620' }, { mountDevpts: false }, { devptsOptions: 'mode=0620' }];
/** Boots where init's own mount already uses newinstance. */
export const NEWINSTANCE_BOOTS: readonly BootConfig[] = [{ devptsOptions: 'newinstance' }, { devptsOptions: 'newinstance,ptmxmode=0666' }, { devptsOptions: 'newinstance,gid=5,mode=620' }];
/** /dev/ptmx → pts/ptmx before anything else (R2's premise; D8's and U3's recipe). */
export const SYMLINK_PREFIX: readonly Op[] = [
  { op: 'unlink', pid: 1, path: '/dev/ptmx' },
  { op: 'symlink', pid: 1, target: 'pts/ptmx', path: '/dev/ptmx' },
];

export const DOCUMENT_CLAUSES: readonly Clause[] = [  {
    id: 'D1', kind: 'D', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'holds'),
    statement: 'ptys allocated in one instance never change the indices allocated, or the nodes listed, in another instance',
    document: 'indices of ptys allocated in one instance are independent of indices allocated in other instances of devpts.',
    code: 'each superblock has its own ida; devpts_new_index allocates from the instance of the opened ptmx (fs/devpts/inode.c).',
    formalization: 'on every successful ptmx open (and every close of a pty): no other instance gains or loses an index or a listed node, and the index allocated is the lowest free in the allocating instance alone.',
    check: transition(TRANSITIONS.D1),
  },
  {
    id: 'D2', kind: 'D', profiles: ['2.6.39-n', ...CONFIG_Y], expected: expectAll(['2.6.39-n', ...CONFIG_Y], 'holds'),
    statement: 'multi-instance behaviour needs both CONFIG=y and newinstance; otherwise every devpts mount shows the same ptys',
    document: 'this support for multiple instances is enabled only if: CONFIG_DEVPTS_MULTIPLE_INSTANCES=y, and \'-o newinstance\' mount option is specified',
    code: 'CONFIG=n: mount_single always returns the one superblock; CONFIG=y without newinstance: devpts_mount returns the initial kernel mount\'s superblock.',
    formalization: 'every successful devpts mount on 2.6.39-n, and every one without a `newinstance` item on CONFIG=y, attaches the initial (single) instance.',
    check: transition(TRANSITIONS.D2),
  },
  {
    id: 'D3', kind: 'D', profiles: ['2.6.39-n'], expected: { '2.6.39-n': 'violated' },
    statement: 'with CONFIG=n, newinstance and ptmxmode are ignored with a bogus-option console message: the mount behaves as if they were absent',
    document: 'In this mode, the new mount options (-o newinstance and -o ptmxmode) will be ignored with a \'bogus option\' message on console.',
    code: 'the mount is an implicit remount of the single instance: options are reset, then applied up to the first unknown item; items after it are lost (mount_single ignores the error).',
    formalization: 'a devpts mount whose data has a `newinstance` or `ptmxmode=` item prints the bogus-option message and gives the same result and the same state as the same mount with those items removed.',
    check: transition(TRANSITIONS.D3),
  },
  {
    id: 'D4', kind: 'D', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'with CONFIG=y, a mount without newinstance binds the initial kernel mount: ptys are common across the system',
    document: 'devpts is mounted without the \'newinstance\' option (as in current start-up scripts) the new mount binds to the initial kernel mount of devpts. [...] PTYs are common across the system.',
    code: 'devpts_mount without newinstance uses devpts_mnt->mnt_sb, the initial kernel instance.',
    formalization: 'a successful devpts mount without `newinstance` attaches the initial instance; while no other instance exists, every successful ptmx open allocates in the initial instance.',
    check: transition(TRANSITIONS.D4),
  },
  {
    id: 'D5', kind: 'D', profiles: ['2.6.39-y', '2.6.39-n'], expected: { '2.6.39-y vs 2.6.39-n': 'violated' },
    statement: 'the only difference between single-instance mode and legacy mode is /dev/pts/ptmx: without newinstance and without touching /dev/pts/ptmx, the two profiles give the same results',
    document: 'The only difference between this single-instance mode and the legacy mode is the presence of new, \'/dev/pts/ptmx\' node with permissions 0000, which can safely be ignored.',
    code: 'with CONFIG=y a bogus option fails the mount (EINVAL) and changes nothing; with CONFIG=n the mount succeeds after a partial reset-and-apply; ptmxmode= is valid only with CONFIG=y.',
    formalization: 'sequences generated on 2.6.39-y with any options except newinstance (bogus ones and ptmxmode included), that never name a devpts ptmx node by any path, replayed on 2.6.39-n: every step gives the same result (fs relabelled; the "ptmx" entry of a devpts listing ignored).',
    check: comparison(['2.6.39-y', '2.6.39-n'], both(noNewinstance, neverNamesDevptsPtmx), { vocabulary: 'noNewinstance', avoidDevptsPtmx: true, boots: [...LEGACY_BOOTS, { devptsOptions: 'gid=5,mode=620,ptmxmode=000' }] }, true),
  },
  {
    id: 'D6', kind: 'D', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'with CONFIG=y, newinstance creates a new instance whose ptys are independent of all others, with its own /dev/pts/ptmx',
    document: 'If CONFIG_DEVPTS_MULTIPLE_INSTANCES=y and \'newinstance\' option is specified, [...] a new instance of the devpts fs is created. Any ptys created in this instance are independent of ptys in other instances of devpts. Like in the single-instance mode, the /dev/pts/ptmx node is present.',
    code: 'sget with a NULL test always allocates a fresh superblock; mknod_ptmx creates its ptmx node with the mount\'s ptmxmode.',
    formalization: 'a successful devpts mount with `newinstance` attaches an instance that did not exist, holds no pty, and whose ptmx node is <target>/ptmx. (Independence of its ptys: D1.)',
    check: transition(TRANSITIONS.D6, { weights: { mountDevpts: 12, container: 10 } }),
  },
  {
    id: 'D7', kind: 'D', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'to use a new instance, opens of /dev/ptmx must be redirected to /dev/pts/ptmx (symlink or bind mount); an unredirected /dev/ptmx never allocates in a new instance',
    document: 'To effectively use the multi-instance mode, open of /dev/ptmx must be a redirected to \'/dev/pts/ptmx\' using a symlink or bind-mount.',
    code: 'pts_sb_from_inode: a ptmx inode on devpts gives its own instance; any other c 5:2 node the initial instance. (6.x: not needed, K8.)',
    formalization: 'every successful open of a ptmx node that is not on devpts (however it is reached) allocates in the initial instance.',
    check: transition(TRANSITIONS.D7),
  },
  {
    id: 'D8', kind: 'D', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'holds'),
    statement: 'the document\'s container example (chmod, rm, ln -s, new namespace, umount, newinstance mount, a daemon opens a pty): the daemon\'s pty is not visible in the original mount',
    document: 'A container startup script could do the following: chmod 0666 /dev/pts/ptmx; rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx; ns_exec -cm /bin/bash; umount /dev/pts; mount -t devpts -o newinstance lxcpts /dev/pts; sshd -p 1234 [...] A pty created by the sshd is not visible in the original mount of /dev/pts.',
    code: 'the symlink is resolved at each open, to the container\'s own /dev/pts/ptmx (a new instance).',
    formalization: 'after a random prefix, the example runs as written (host: chmod, rm, ln -s; a child in a new namespace: umount, newinstance mount; its child daemon: open /dev/ptmx); when the redirect, the namespace, the mount and the open succeed, the daemon\'s pty is in neither the host\'s /dev/pts at the start of the example nor the host\'s /dev/pts after the open.',
    check: scenario(d8Scenario, d8Check),
  },
];

export const USER_SPACE_CLAUSES: readonly Clause[] = [  {
    id: 'U1', kind: 'U', profiles: ['2.6.39-y', '2.6.39-n'], expected: { '2.6.39-y vs 2.6.39-n': 'hypothesis' },
    statement: 'if newinstance is never used, /dev/pts/ptmx can be ignored and start-up scripts need no change',
    document: 'If -o newinstance mount option is never used, /dev/pts/ptmx can be ignored and no change is needed to system-startup scripts.',
    code: 'without newinstance, 2.6.39-y behaves as single-instance; but its parser rejects what the legacy one ignores (a bogus option fails the mount).',
    formalization: 'a legacy-era script (no newinstance, no ptmxmode: options a legacy kernel knows, plus unknown items the legacy kernel ignores) gives on 2.6.39-y the results it gives on 2.6.39-n, over sequences that never name a devpts ptmx node (its listing entry ignored). With only valid legacy options this is R1.',
    check: comparison(['2.6.39-y', '2.6.39-n'], both(noNewOptions, neverNamesDevptsPtmx), { vocabulary: 'legacyAny', avoidDevptsPtmx: true, boots: LEGACY_BOOTS }, true),
  },
  {
    id: 'U2', kind: 'U', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'holds'),
    statement: 'either a bind mount or a symlink redirect makes /dev/ptmx allocate in the new instance',
    document: 'administrators or startup scripts should "redirect" open of /dev/ptmx to /dev/pts/ptmx using either a bind mount or symlink. [...] $ rm /dev/ptmx; $ ln -s pts/ptmx /dev/ptmx [...] or $ mount -o bind /dev/pts/ptmx /dev/ptmx',
    code: 'a bind is the devpts ptmx inode itself; a symlink resolves to it at open time.',
    formalization: 'after a random prefix, a root process (init or a fresh container) mounts a newinstance devpts on /dev/pts, redirects /dev/ptmx by symlink or by bind, and opens /dev/ptmx: when the mount and the redirect succeed, the open allocates in the new instance (limit errors excepted).',
    check: scenario(u2Scenario, u2Check),
  },
  {
    id: 'U3', kind: 'U', profiles: WITH_NODE, expected: { '2.6.39-y': 'violated', '3.4-y': 'violated', '6.x': 'holds' },
    statement: 'the symlink redirect needs the mode of /dev/pts/ptmx set (default 0000), by ptmxmode in the fstab entry or by chmod; then non-root users can open it',
    document: 'this method requires that system-startup scripts set the mode of /dev/pts/ptmx correctly (default mode is 0000). The scripts can set the mode by, either - adding ptmxmode mount option to devpts entry in /etc/fstab, or - using \'chmod 0666 /dev/pts/ptmx\'',
    code: 'a mount without newinstance binds the existing initial instance: its ptmx node (made 0000 at kern_mount) is not changed by ptmxmode= (mknod_ptmx returns early). 6.x: every mount is a new instance, so ptmxmode= applies.',
    formalization: 'after a random prefix, a root process sets the mode by an fstab-like mount carrying ptmxmode=0666 (with or without newinstance) or by chmod 0666 /dev/pts/ptmx, makes /dev/ptmx → pts/ptmx, and a uid-1000 child opens /dev/ptmx: when those steps succeed, the open succeeds (limit errors excepted). clauses.md expects a violation for an fstab entry without newinstance; on 6.x every mount is new, so we expect it to hold there.',
    check: scenario(u3Scenario, u3Check),
  },
  {
    id: 'U4', kind: 'U', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'holds'),
    statement: 'the recommended container script (newinstance + ptmxmode=0666, bind /dev/ptmx if it is not a symlink) gives the container working ptys without breaking the host\'s',
    document: 'container-startup scripts should use: mount -t devpts -o newinstance -o ptmxmode=0666 devpts /dev/pts; if [ ! -L /dev/ptmx ]; then mount -o bind /dev/pts/ptmx /dev/ptmx; fi',
    code: 'the newinstance mount is a fresh instance; the bind lives in the container\'s private namespace copy.',
    formalization: 'after a random prefix, a child in a new namespace runs the script (the `[ ! -L ]` test is an lstat), opens /dev/ptmx, unlocks it and opens its slave by path, and a uid-1000 grandchild opens /dev/ptmx. When /dev/ptmx existed (a symlink only to pts/ptmx): both opens allocate in the container\'s new instance and the slave opens; the host\'s instances keep their options, ptmx nodes and ptys; and an open of /dev/ptmx by the host process allocates where it did before the script.',
    check: scenario(u4Scenario, u4Check),
  },
  {
    id: 'U5', kind: 'U', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'a newinstance mount without a redirect makes open("/dev/ptmx") allocate in the initial instance, and that pty is not visible in the new mount',
    document: 'A multi-instance mount that is not accompanied by the /dev/ptmx to /dev/pts/ptmx redirection would result in an unusable/unreachable pty. [...] would create a pty, say /dev/pts/7, in the initial kernel mount. But /dev/pts/7 would be invisible in the new mount.',
    code: 'pts_sb_from_inode: a ptmx node not on devpts gives the initial instance.',
    formalization: 'after a random prefix, a root process (init or a fresh container) mounts a newinstance devpts on /dev/pts and opens /dev/ptmx; when /dev/ptmx then is a ptmx node not on devpts (no redirect) and the open succeeds, it allocated in the initial instance, which is not the instance at /dev/pts.',
    check: scenario(u5Scenario, u5Check),
  },
  {
    id: 'U6', kind: 'U', profiles: WITH_NODE, expected: expectAll(WITH_NODE, 'violated'),
    statement: 'ptmxmode sets the mode of /dev/pts/ptmx (default 0000) and chmod can change it later',
    document: 'The permissions for /dev/pts/ptmx node should be specified when mounting /dev/pts, using the \'-o ptmxmode=%o\' mount option (default is 0000). [...] The permissions can be later be changed as usual with \'chmod\'.',
    code: 'every remount (even a failed one on 2.6.39/3.4) resets the node to the resulting ptmxmode, default 0000 (update_ptmx_mode; 6.x devpts_reconfigure).',
    formalization: 'a new instance\'s ptmx node gets the mount\'s ptmxmode (default 0000), and afterwards its mode changes only by chmod of that node, by a (re)mount giving ptmxmode= explicitly (to that value), or by a chown dropping setuid/setgid bits.',
    check: transition(TRANSITIONS.U6, { weights: { remount: 8, chmod: 8 } }),
  },
  {
    id: 'U7', kind: 'U', profiles: CONFIG_Y, expected: expectAll(CONFIG_Y, 'holds'),
    statement: 'a mount without newinstance lets a container see the host\'s ptys; if every devpts mount, the host\'s included, uses newinstance, no namespace sees another\'s ptys',
    document: 'by mounting devpts without the \'newinstance\' option, a container could get visibility into the \'host\' or root container\'s devpts. To workaround this and have strict isolation, all mounts of devpts, including the mount in the root container, should use the newinstance option.',
    code: 'non-newinstance mounts all share the initial instance; newinstance mounts are fresh.',
    formalization: '(a) a container\'s devpts mount without newinstance attaches the initial instance (the one the host\'s plain mounts show); (b) in runs where every devpts mount (boot included) uses newinstance, a pty allocated by a process whose namespace mounted its own /dev/pts is never in the /dev/pts another namespace mounted itself.',
    check: {
      kind: 'run',
      judge: u7Check,
      // half the runs satisfy (b)'s premise (every devpts mount with newinstance), half are unrestricted (for (a))
      generations: [
        { vocabulary: 'newinstanceValid', boots: NEWINSTANCE_BOOTS, weights: { container: 12, redirect: 8, openPtmx: 16, user: 4 } },
        { weights: { container: 10 } },
      ],
    },
  },
];
