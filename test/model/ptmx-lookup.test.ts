// Which instance an open of a c 5:2 node allocates in (model/instances.ts ptmxAlwaysSingle,
// ptmxOwnInstanceElseInitial, ptmxOwnInstanceElseSiblingPts, siblingPts).
import { describe, expect, it } from 'vitest';
import {
  CONFIG_Y, LEGACY, WITH_PTMX_NODE, bind, close, errnoOf, mkdir, mknodPtmx, mountDevpts, mountTmpfs, okv, open, readdir, run,
  spawn, stat, symlink, touch, umount, unlink,
} from './helpers.ts';

/** The newinstance option where the profile needs it for a new instance. */
const NEW = (p: string) => (p === '6.x' ? '' : 'newinstance');

describe('2.6.39-n: every ptmx open allocates in the single instance', () => {
  it('a c 5:2 node made anywhere allocates in the single instance (2.6.39-n)', () => {
    // profiles.md 2.6.39-n: every ptmx open allocates in the single instance (ptmx_open, CONFIG=n)
    const r = run('2.6.39-n', [mkdir('/tmp/d'), mknodPtmx('/tmp/d/myptmx'), open('/tmp/d/myptmx'), open('/dev/ptmx'), readdir('/dev/pts')]);
    expect(okv(r.results[2]).index).toBe(0);
    expect(okv(r.results[3]).index).toBe(1);
    expect(okv(r.last).entries).toEqual(['0', '1']);
  });
});

describe('CONFIG=y: the opened inode alone decides (pts_sb_from_inode)', () => {
  it.each(CONFIG_Y)('/dev/ptmx allocates in the initial instance even with a newinstance mount on /dev/pts (%s)', (p) => {
    // profiles.md 2.6.39-y: any other 5:2 node allocates in the initial instance [D7, U5]
    const r = run(p, [mkdir('/tmp/host'), bind('/dev/pts', '/tmp/host'), mountDevpts('/dev/pts', 'newinstance'),
      open('/dev/ptmx'), readdir('/dev/pts'), readdir('/tmp/host')]);
    expect(okv(r.results[3]).index).toBe(0);
    expect(okv(r.results[4]).entries).toEqual(['ptmx']);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('/dev/pts/ptmx allocates in the instance it lives on (%s)', (p) => {
    // pts_sb_from_inode: inode on devpts → that superblock [D6]
    const r = run(p, [mountDevpts('/dev/pts', 'newinstance'), open('/dev/ptmx'), open('/dev/pts/ptmx'), readdir('/dev/pts')]);
    expect(okv(r.results[2]).index).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('a c 5:2 node made with mknod inside a container still allocates in the initial instance (%s)', (p) => {
    // kernel-code.md §5 (10): a c 5 2 node made anywhere, including inside a container, means the initial instance
    const r = run(p, [
      mkdir('/tmp/host'), bind('/dev/pts', '/tmp/host'), spawn(2, { newns: true }),
      mountDevpts('/dev/pts', 'newinstance', { pid: 2 }), mkdir('/tmp/c', { pid: 2 }), mknodPtmx('/tmp/c/ptmx', { pid: 2 }),
      open('/tmp/c/ptmx', { pid: 2 }), readdir('/dev/pts', { pid: 2 }), readdir('/tmp/host'),
    ]);
    expect(okv(r.results[7]).entries).toEqual(['ptmx']);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('a symlink to pts/ptmx allocates in the instance mounted on /dev/pts (%s)', (p) => {
    // profiles.md 2.6.39-y: a symlink resolved to a devpts ptmx node allocates there [U2]
    const r = run(p, [mountDevpts('/dev/pts', 'newinstance'), unlink('/dev/ptmx'), symlink('pts/ptmx', '/dev/ptmx'), open('/dev/ptmx'), readdir('/dev/pts')]);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('with the symlink and no ptmx under /dev/pts the open fails with ENOENT (the "better error-reporting") (%s)', (p) => {
    // kernel-code.md §1.6: if /dev/pts holds no ptmx, the open fails with ENOENT (ordinary path lookup)
    const r = run(p, [unlink('/dev/ptmx'), symlink('pts/ptmx', '/dev/ptmx'), umount('/dev/pts'), open('/dev/ptmx')]);
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });
});

describe('bind pinning vs symlink re-resolution', () => {
  it.each(WITH_PTMX_NODE)('a bind of /dev/pts/ptmx keeps allocating in the instance it was bound from after /dev/pts is replaced (%s)', (p) => {
    // profiles.md shared: a bind mount of /dev/pts/ptmx is the same inode; kernel-code.md §1.6 (bind pins at bind time)
    const r = run(p, [
      mountDevpts('/dev/pts', `${NEW(p)}`), mkdir('/tmp/a'), bind('/dev/pts', '/tmp/a'),   // /tmp/a shows instance A
      bind('/dev/pts/ptmx', '/dev/ptmx'),
      umount('/dev/pts'), mountDevpts('/dev/pts', `${NEW(p)}`),                          // B replaces A on /dev/pts
      open('/dev/ptmx'), readdir('/dev/pts'), readdir('/tmp/a'),
    ]);
    expect(okv(r.results[6]).index).toBe(0);
    expect(okv(r.results[7]).entries).toEqual(['ptmx']);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(WITH_PTMX_NODE)('a bind of /dev/pts/ptmx keeps its instance across a remount of /dev/pts (%s)', (p) => {
    // a remount changes options, not which inode the bind holds
    const r = run(p, [mountDevpts('/dev/pts', `${NEW(p)}`), bind('/dev/pts/ptmx', '/dev/ptmx'), { op: 'remount', target: '/dev/pts', options: 'ptmxmode=0666' },
      open('/dev/ptmx'), readdir('/dev/pts'), stat('/dev/ptmx')]);
    expect(okv(r.results[4]).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.last).mode).toBe('0666'); // same inode: the remount's ptmxmode shows through the bind
  });

  it.each(WITH_PTMX_NODE)('a symlink /dev/ptmx → pts/ptmx is resolved again at every open: it follows the new /dev/pts (%s)', (p) => {
    // profiles.md shared: a symlink is resolved again at every open
    const r = run(p, [
      mountDevpts('/dev/pts', `${NEW(p)}`), mkdir('/tmp/a'), bind('/dev/pts', '/tmp/a'),
      unlink('/dev/ptmx'), symlink('pts/ptmx', '/dev/ptmx'),
      umount('/dev/pts'), mountDevpts('/dev/pts', `${NEW(p)}`),
      open('/dev/ptmx'), readdir('/dev/pts'), readdir('/tmp/a'),
    ]);
    expect(okv(r.results[8]).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.last).entries).toEqual(['ptmx']);
  });

  it.each(WITH_PTMX_NODE)('a bind of /dev/pts/ptmx is the same inode: stat shows the devpts fs and its mode (%s)', (p) => {
    // live 6.x S2f: /dev/ptmx now reads c0000, st_dev of the devpts
    const r = run(p, [stat('/dev/pts/ptmx'), bind('/dev/pts/ptmx', '/dev/ptmx'), stat('/dev/ptmx')]);
    expect(r.last).toEqual(r.results[0]);
  });
});

describe('6.x: a non-devpts c 5:2 node uses the sibling pts (devpts_ptmx_path, path_pts) [K8]', () => {
  const setup = [mkdir('/tmp/d'), mknodPtmx('/tmp/d/ptmx')];

  it('no entry named pts → ENOENT (6.x)', () => {
    // profiles.md 6.x: no such entry → ENOENT; live 6.x S2d "absent"
    expect(run('6.x', [...setup, open('/tmp/d/ptmx')]).last).toEqual({ errno: 'ENOENT' });
  });

  it('pts is a plain directory → ENODEV (6.x)', () => {
    // live 6.x S2d "plain dir"; S2b after both umounts
    expect(run('6.x', [...setup, mkdir('/tmp/d/pts'), open('/tmp/d/ptmx')]).last).toEqual({ errno: 'ENODEV' });
  });

  it('pts is a tmpfs → ENODEV (6.x)', () => {
    // live 6.x S2c
    expect(run('6.x', [...setup, mkdir('/tmp/d/pts'), mountTmpfs('/tmp/d/pts'), open('/tmp/d/ptmx')]).last).toEqual({ errno: 'ENODEV' });
  });

  it('pts is a symlink to a devpts mount → ENODEV: the symlink is not followed (6.x)', () => {
    // live 6.x S2d "symlink to a devpts mount"
    expect(run('6.x', [...setup, symlink('/dev/pts', '/tmp/d/pts'), open('/tmp/d/ptmx')]).last).toEqual({ errno: 'ENODEV' });
  });

  it('pts is a regular file → ENODEV; with a devpts ptmx file bound on it, still ENODEV (not a devpts root) (6.x)', () => {
    // live 6.x S2d "regular file", "regular file with a devpts ptmx file bind-mounted on it"
    const r = run('6.x', [...setup, touch('/tmp/d/pts'), open('/tmp/d/ptmx', { note: 'file' }), bind('/dev/pts/ptmx', '/tmp/d/pts'), open('/tmp/d/ptmx')]);
    expect(r.at('file')).toEqual({ errno: 'ENODEV' });
    expect(r.last).toEqual({ errno: 'ENODEV' });
  });

  it('pts is a bind mount of a devpts directory → allocates in the bound instance (6.x)', () => {
    // live 6.x S2d "bind mount of a devpts dir"
    const r = run('6.x', [...setup, mkdir('/tmp/d/pts'), bind('/dev/pts', '/tmp/d/pts'), open('/tmp/d/ptmx'), readdir('/dev/pts')]);
    expect(okv(r.results[4]).index).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it('only the topmost mount on pts counts: tmpfs → ENODEV, devpts on top → works, tmpfs on top again → ENODEV (6.x)', () => {
    // profiles.md 6.x: takes the topmost mount there; live 6.x S2c
    const r = run('6.x', [
      mountTmpfs('/dev/pts'), open('/dev/ptmx', { note: 'tmpfs' }),
      mountDevpts('/dev/pts'), open('/dev/ptmx', { note: 'devpts' }),
      mountTmpfs('/dev/pts'), open('/dev/ptmx', { note: 'tmpfs again' }),
    ]);
    expect(r.at('tmpfs')).toEqual({ errno: 'ENODEV' });
    expect(okv(r.at('devpts')).index).toBe(0);
    expect(r.at('tmpfs again')).toEqual({ errno: 'ENODEV' });
  });

  it('the node\'s own name does not matter: myptmx next to pts works (6.x)', () => {
    // live 6.x S2d "A node named P/x/myptmx c 5 2 also works"
    const r = run('6.x', [mkdir('/tmp/d'), mkdir('/tmp/d/pts'), mountDevpts('/tmp/d/pts'), mknodPtmx('/tmp/d/myptmx'), open('/tmp/d/myptmx')]);
    expect(okv(r.last).index).toBe(0);
  });

  it('a non-recursive bind of /dev gives ENODEV (the pts submount is not carried); --rbind works (6.x)', () => {
    // live 6.x S2d "Bind of /dev"
    const r = run('6.x', [
      mkdir('/tmp/devbind'), bind('/dev', '/tmp/devbind'), open('/tmp/devbind/ptmx', { note: 'bind' }),
      mkdir('/tmp/rbind'), bind('/dev', '/tmp/rbind', { recursive: true }), open('/tmp/rbind/ptmx', { note: 'rbind' }),
      readdir('/dev/pts'),
    ]);
    expect(r.at('bind')).toEqual({ errno: 'ENODEV' });
    expect(okv(r.at('rbind')).index).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it('there is no fallback: after umount of /dev/pts, /dev/ptmx gives ENODEV (6.x)', () => {
    // profiles.md 6.x: there is no fallback; live 6.x S2b
    const r = run('6.x', [umount('/dev/pts'), open('/dev/ptmx'), open('/dev/pts/ptmx')]);
    expect(r.results[1]).toEqual({ errno: 'ENODEV' });
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it('a file bind of a plain c 5:2 node is not connected to its directory: ENOENT (6.x)', () => {
    // path_pts: path_connected(mnt, parent) fails for a bind of a single file → -ENOENT
    // (fs/namei.c path_pts, 4.7 and 6.x; kernel-code.md §3.4 "-ENOENT if not connected")
    const r = run('6.x', [touch('/tmp/x'), bind('/dev/ptmx', '/tmp/x'), open('/tmp/x'), mkdir('/tmp/d'), mknodPtmx('/tmp/d/ptmx'), touch('/dev/myptmx'),
      bind('/tmp/d/ptmx', '/dev/myptmx'), open('/dev/myptmx')]);
    expect(r.results[2]).toEqual({ errno: 'ENOENT' });
    expect(r.last).toEqual({ errno: 'ENOENT' }); // even though /dev has a devpts pts
  });

  it('a devpts ptmx node allocates in its own instance wherever it is reached (a bind onto /tmp/x) (6.x)', () => {
    // profiles.md 6.x: a ptmx node that lives on devpts allocates in its own instance; kernel-code.md §3.4
    const r = run('6.x', [touch('/tmp/x'), bind('/dev/pts/ptmx', '/tmp/x'), open('/tmp/x'), readdir('/dev/pts')]);
    expect(okv(r.results[2]).index).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it('a devpts ptmx node allocates in its instance even when that instance is no longer mounted (6.x)', () => {
    // profiles.md 6.x: "wherever that instance is (or is not) mounted"; live 6.x S8
    const r = run('6.x', [bind('/dev/pts/ptmx', '/dev/ptmx'), umount('/dev/pts'), open('/dev/ptmx'), open('/dev/ptmx'), readdir('/dev/pts')]);
    expect(r.results.slice(2, 4).map((x) => okv(x).index)).toEqual([0, 1]);
    expect(okv(r.last).entries).toEqual([]);
  });
});

describe('other device nodes', () => {
  it.each([...LEGACY, '6.x'] as const)('a c 136:N node outside devpts cannot be opened: EIO (%s)', (p) => {
    // kernel-code.md §1.8: devpts_get_tty fails for an inode not on devpts → EIO
    const r = run(p, [open('/dev/ptmx'), { op: 'unlockpt', fd: 'fd1' }, { op: 'mknod', path: '/tmp/s0', major: 136, minor: 0 }, open('/tmp/s0')]);
    expect(r.last).toEqual({ errno: 'EIO' });
  });

  it.each([...LEGACY, '6.x'] as const)('opening a directory is EISDIR (%s)', (p) => {
    // may_open: a directory opened O_RDWR is EISDIR
    expect(errnoOf(run(p, [open('/dev/pts')]).last)).toBe('EISDIR');
  });

  it.each([...LEGACY, '6.x'] as const)('a regular file opens as a plain file and can be closed (%s)', (p) => {
    // operations.md open: only ptmx and slave nodes carry an index
    const r = run(p, [touch('/tmp/f'), open('/tmp/f'), close('fd1')]);
    expect(okv(r.results[1]).index).toBeUndefined();
    expect(r.last).toEqual({ ok: true });
  });
});
