// Remount (model/instances.ts remountInPlace, remountAtomically; model/mounts.ts remountOp).
// Sources: profiles.md; kernel-code.md §1.4, §1.5 (update_ptmx_mode), §3.3; live 6.x S3, S5d, S5e, S7.
import { describe, expect, it } from 'vitest';
import {
  ALL, CONFIG_Y, WITH_PTMX_NODE, chmod, chown, close, errnoOf, mkdir, mountDevpts, mountTmpfs, okv, open, opens,
  remount, run, setuid, spawn, stat, sysctl,
} from './helpers.ts';

const BOGUS = 'devpts: called with bogus options';

describe('remount resets the ptmx node mode [K4]', () => {
  it.each(WITH_PTMX_NODE)('a remount without ptmxmode resets the ptmx node to 0000, undoing chmod (%s)', (p) => {
    // devpts_remount → update_ptmx_mode (2.6.39/3.4); devpts_reconfigure (6.x; live 6.x S3 "Remount without ptmxmode")
    const r = run(p, [chmod('/dev/pts/ptmx', '0666'), stat('/dev/pts/ptmx'), remount('/dev/pts', 'mode=620,gid=5'), stat('/dev/pts/ptmx'),
      setuid(1000), open('/dev/pts/ptmx')]);
    expect(okv(r.results[1]).mode).toBe('0666');
    expect(okv(r.results[3]).mode).toBe('0000');
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(WITH_PTMX_NODE)('a remount with ptmxmode sets the node to it (%s)', (p) => {
    // update_ptmx_mode; live 6.x S3 "Remount ptmxmode"
    const r = run(p, [remount('/dev/pts', 'ptmxmode=0644'), stat('/dev/pts/ptmx')]);
    expect(okv(r.last).mode).toBe('0644');
  });

  it.each(CONFIG_Y)('a failing remount still resets the ptmx mode: "bogus" → EINVAL and 0000 (%s)', (p) => {
    // profiles.md 2.6.39-y: ... undoing an earlier chmod — even when the remount fails (devpts_remount, 2.6.39)
    const r = run(p, [chmod('/dev/pts/ptmx', '0666'), remount('/dev/pts', 'bogus'), stat('/dev/pts/ptmx')]);
    expect(r.results[1]).toEqual({ errno: 'EINVAL', log: [BOGUS] });
    expect(okv(r.last).mode).toBe('0000');
  });

  it.each(CONFIG_Y)('a failing remount applies what came before the bogus item: "ptmxmode=0644,bogus" → EINVAL and 0644 (%s)', (p) => {
    // K4 + partial application (parse_mount_options writes the live options, 2.6.39)
    const r = run(p, [chmod('/dev/pts/ptmx', '0666'), remount('/dev/pts', 'ptmxmode=0644,bogus'), stat('/dev/pts/ptmx')]);
    expect(errnoOf(r.results[1])).toBe('EINVAL');
    expect(okv(r.last).mode).toBe('0644');
  });

  it.each(CONFIG_Y)('a failing remount also resets the other options: new slaves get the partial result (%s)', (p) => {
    // devpts_remount: reset to defaults, then left to right up to the bogus item (kernel-code.md §1.5)
    const r = run(p, [remount('/dev/pts', 'mode=640,bogus,gid=9'), setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0640', gid: 1000 });
  });

  it('6.x: a failing remount changes nothing (options and the chmod\'ed node stay)', () => {
    // profiles.md 6.x: a failed remount changes nothing (live 6.x S7 "Remount errors")
    for (const opts of ['bogus', 'ptmxmode=abc', 'ptmxmode=0644,bogus']) {
      const before = run('6.x', [chmod('/dev/pts/ptmx', '0640')], { devptsOptions: 'ptmxmode=0666,mode=0620,gid=5,max=7' });
      const r = run('6.x', [chmod('/dev/pts/ptmx', '0640'), remount('/dev/pts', opts)], { devptsOptions: 'ptmxmode=0666,mode=0620,gid=5,max=7' });
      expect(errnoOf(r.last)).toBe('EINVAL');
      expect(r.state).toEqual(before.state);
    }
  });

  it('6.x: a successful remount resets the mode but keeps the chown\'ed ownership', () => {
    // profiles.md 6.x; live 6.x S3 "chmod/chown vs remount": ownership 1000:5 survives
    const r = run('6.x', [chown('/dev/pts/ptmx', 1000, 5), chmod('/dev/pts/ptmx', '0600'), remount('/dev/pts', 'ptmxmode=0640'), stat('/dev/pts/ptmx')]);
    expect(okv(r.last)).toMatchObject({ mode: '0640', uid: 1000, gid: 5 });
  });

  it.each(CONFIG_Y)('a remount keeps the chown\'ed ownership on CONFIG=y too (update_ptmx_mode sets only the mode) (%s)', (p) => {
    // update_ptmx_mode: inode->i_mode = S_IFCHR|opts->ptmxmode (2.6.39); owner untouched
    const r = run(p, [chown('/dev/pts/ptmx', 1000, 5), remount('/dev/pts', 'ptmxmode=0640'), stat('/dev/pts/ptmx')]);
    expect(okv(r.last)).toMatchObject({ mode: '0640', uid: 1000, gid: 5 });
  });
});

describe('remount resets every option not given', () => {
  it.each(ALL)('remount "ptmxmode=0666" drops gid=5,mode=620: new slaves are 0600 and the opener\'s (%s)', (p) => {
    // parse_mount_options resets to defaults first (2.6.39); devpts_reconfigure (6.x; live 6.x S3 "resets all")
    const opts = p === '2.6.39-n' ? '' : 'ptmxmode=0666';
    const r = run(p, [remount('/dev/pts', opts), setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0600', uid: 1000, gid: 1000 });
  });

  it.each(ALL)('a remount does not touch existing slave nodes; new ones get the new options (%s)', (p) => {
    // profiles.md shared: mode from mode= as set at creation time; live 6.x S5d
    const r = run(p, [open('/dev/ptmx'), remount('/dev/pts', 'mode=0620,gid=5'), open('/dev/ptmx'), stat('/dev/pts/0'), stat('/dev/pts/1')], { devptsOptions: 'mode=0600' });
    expect(okv(r.results[3])).toMatchObject({ mode: '0600', gid: 0 });
    expect(okv(r.results[4])).toMatchObject({ mode: '0620', gid: 5 });
  });

  it.each(CONFIG_Y)("a remount through a container's plain mount changes the host's options (%s)", (p) => {
    // kernel-code.md §1.5: a remount through any mount point of the initial instance changes the host's options
    const r = run(p, [
      spawn(2, { newns: true }), mountDevpts('/dev/pts', 'gid=5,mode=620', { pid: 2 }), remount('/dev/pts', 'mode=0666', { pid: 2 }),
      open('/dev/ptmx'), stat('/dev/pts/0'),
    ], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0666', gid: 0 });
  });

  it('3.4-y: remount keeps newinstance: the instance stays limited to max - reserve', () => {
    // parse_mount_options keeps newinstance on PARSE_REMOUNT (3.4); devpts_new_index uses it for the reserve
    const r = run('3.4-y', [
      sysctl('kernel.pty.max', 3), sysctl('kernel.pty.reserve', 1), mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'),
      remount('/tmp/a', 'newinstance'), ...opens('/tmp/a/ptmx', 3),
    ]);
    expect(r.results.slice(-3).map(errnoOf)).toEqual(['ok', 'ok', 'ENOSPC']);
  });

  it('3.4-y: remount resets max= to no limit unless given again (live 6.x S5e for lowering)', () => {
    // 3.4 parse_mount_options: opts->max = NR_UNIX98_PTY_MAX on every parse
    const r = run('3.4-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,max=1'), open('/tmp/a/ptmx'), open('/tmp/a/ptmx', { note: 'full' }),
      remount('/tmp/a', ''), open('/tmp/a/ptmx')]);
    expect(errnoOf(r.at('full'))).toBe('ENOSPC');
    expect(okv(r.last).index).toBe(1);
  });

  it('6.x: remount lowering max keeps the existing ptys and refuses new ones until an index below max frees', () => {
    // live 6.x S5e
    const r = run('6.x', [...opens('/dev/ptmx', 3), remount('/dev/pts', 'max=2'), open('/dev/ptmx', { note: 'full' }), close('m0'), open('/dev/ptmx')], { devptsOptions: 'max=5' });
    expect(errnoOf(r.at('full'))).toBe('ENOSPC');
    expect(okv(r.last).index).toBe(0);
  });

  it('6.x: remount keeps the reserve decided at mount time (a remount from a child namespace does not lower the limit)', () => {
    // kernel-code.md §3.5: reserve is decided at mount time and never changed by remount (devpts_reconfigure)
    const r = run('6.x', [
      sysctl('kernel.pty.max', 4), sysctl('kernel.pty.reserve', 2),
      spawn(2, { newns: true }), remount('/dev/pts', '', { pid: 2 }), ...opens('/dev/ptmx', 4),
    ]);
    // reserve instance: at most max - 1 = 3 ptys
    expect(r.results.slice(-4).map(errnoOf)).toEqual(['ok', 'ok', 'ok', 'ENOSPC']);
  });
});

describe('remount mechanics', () => {
  it.each(ALL)('remount of a path that is not a mount root is EINVAL (%s)', (p) => {
    // do_remount: path must be the root of a mount
    expect(run(p, [remount('/tmp')]).last).toEqual({ errno: 'EINVAL' });
  });

  it.each(ALL)('a remount with flags ro makes the mount read-only: chmod of its nodes gives EROFS (%s)', (p) => {
    // do_remount: mount flags; live 6.x S4h/S7 "Read-only devpts"
    const r = run(p, [open('/dev/ptmx'), remount('/dev/pts', '', { flags: ['ro'] }), chmod('/dev/pts/0', '0666')]);
    expect(r.last).toEqual({ errno: 'EROFS' });
  });

  it.each(CONFIG_Y)('a failing remount does not update the mount flags (%s)', (p) => {
    // do_remount: mnt_flags change only when do_remount_sb succeeded (fs/namespace.c 2.6.39)
    const r = run(p, [open('/dev/ptmx'), remount('/dev/pts', 'bogus', { flags: ['ro'] }), chmod('/dev/pts/0', '0666')]);
    expect(r.last).toEqual({ ok: true });
  });

  it.each(ALL)('remount of a tmpfs only changes its flags (%s)', (p) => {
    // do_remount on a non-devpts fs: the model keeps only mount flags
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), remount('/tmp/t', undefined, { flags: ['ro'] }), mkdir('/tmp/t/x')]);
    expect(r.last).toEqual({ errno: 'EROFS' });
  });
});

describe('6.x read-only superblock', () => {
  it('"ro" in the data makes the superblock read-only; a later remount without "ro" makes it writable again (6.x)', () => {
    // live 6.x S7 "ro in the data string → superblock ro"; do_remount → fs_context_for_reconfigure(sb, sb_flags,
    // MS_RMT_MASK): SB_RDONLY follows MS_RDONLY unless the data says "ro"/"rw" (fs/namespace.c, fs/fs_context.c 6.x)
    const r = run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'ro'), chmod('/tmp/a/ptmx', '0666'), remount('/tmp/a', 'ptmxmode=0600'), chmod('/tmp/a/ptmx', '0666'),
      remount('/tmp/a', 'ro'), chmod('/tmp/a/ptmx', '0644')]);
    expect(r.results.filter((_, i) => [2, 4, 6].includes(i)).map(errnoOf)).toEqual(['EROFS', 'ok', 'EROFS']);
  });
});
