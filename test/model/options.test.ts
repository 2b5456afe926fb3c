// devpts mount-option parsing (model/options.ts), observed through mounts, remounts and the
// nodes they produce. Sources: profiles.md; kernel-code.md §1.3, §2, §3.8; live 6.x S7.
import { describe, expect, it } from 'vitest';
import { isErrno } from '../../model/index.ts';
import {
  CONFIG_Y, errnoOf, mkdir, mountDevpts, okv, open, remount, run, setuid, stat, umount,
} from './helpers.ts';

const BOGUS = 'devpts: called with bogus options';

describe('legacy option parsing (2.6.39-n)', () => {
  it('newinstance,gid=5,mode=620 loses gid and mode: parsing stops at the bogus newinstance, the mount succeeds (2.6.39-n)', () => {
    // K1, D3: mount_single → do_remount_sb, error ignored; parse_mount_options stops at the first
    // unknown token after the reset to defaults (fs/devpts/inode.c, fs/super.c 2.6.39)
    const r = run('2.6.39-n', [
      mkdir('/tmp/a'), { ...mountDevpts('/tmp/a', 'newinstance,gid=5,mode=620'), note: 'mount' },
      setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0'),
    ]);
    expect(r.at('mount')).toEqual({ ok: true, log: [BOGUS] });
    expect(okv(r.last)).toMatchObject({ mode: '0600', uid: 1000, gid: 1000 });
  });

  it('gid=5,mode=620,newinstance keeps both: items before the bogus one are applied (2.6.39-n)', () => {
    // K1: the same options in another order give another result (parse_mount_options 2.6.39)
    const r = run('2.6.39-n', [
      mkdir('/tmp/a'), { ...mountDevpts('/tmp/a', 'gid=5,mode=620,newinstance'), note: 'mount' },
      setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0'),
    ]);
    expect(r.at('mount')).toEqual({ ok: true, log: [BOGUS] });
    expect(okv(r.last)).toMatchObject({ mode: '0620', uid: 1000, gid: 5 });
  });

  it.each(['ptmxmode=0666', 'max=5', 'reserve', 'newinstance', 'mode=8', 'uid=5x', 'uid=', 'newinstance=1', 'Mode=620'])(
    '"%s" is bogus under CONFIG=n: one console line, the mount still succeeds (2.6.39-n)', (opt) => {
      // profiles.md 2.6.39-n: unknown options (newinstance, ptmxmode=, max= included) print the message once;
      // lib/parser.c match_one: %o rejects 8, trailing garbage and empty numbers do not match; matching is case-sensitive
      const r = run('2.6.39-n', [mkdir('/tmp/a'), mountDevpts('/tmp/a', `${opt},bogus2`)]);
      expect(r.last).toEqual({ ok: true, log: [BOGUS] });
    });

  it('a plain mount with no options resets the single instance to defaults (2.6.39-n)', () => {
    // kernel-code.md §1.4: "A mount with no options at all also resets the single instance to defaults"
    const r = run('2.6.39-n', [mkdir('/tmp/a'), mountDevpts('/tmp/a'), setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0')],
      { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 1000 });
  });

  it('an explicit remount with a bogus option fails with EINVAL after the partial reset-and-apply (2.6.39-n)', () => {
    // profiles.md 2.6.39-n; kernel-code.md §1.4: do_remount returns the error of do_remount_sb
    const r = run('2.6.39-n', [
      { ...remount('/dev/pts', 'mode=620,bogus'), note: 'remount' },
      setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0'),
    ], { devptsOptions: 'gid=5,mode=600' });
    expect(r.at('remount')).toEqual({ errno: 'EINVAL', log: [BOGUS] });
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 1000 }); // mode applied, gid reset
  });
});

describe('number syntax (all 2.6.39/3.4 parsers: lib/parser.c match_number)', () => {
  it.each(['2.6.39-n', '2.6.39-y', '3.4-y'] as const)('uid=010 is 8 and gid=0x10 is 16 (base auto-detected) (%s)', (p) => {
    // profiles.md shared: uid=/gid= take a number, base auto-detected in 2.6.39/3.4: 010 is 8
    const r = run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'uid=010,gid=0x10'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last)).toMatchObject({ uid: 8, gid: 16 });
  });

  it('6.x: uid=010 is also 8 (kstrtouint base 0), mode is octal', () => {
    // fs_param_is_u32 base 0 for uid/gid, fsparam_u32oct for mode (KFC)
    const r = run('6.x', [mountDevpts('/dev/pts', 'uid=010,gid=0x10,mode=620'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last)).toMatchObject({ uid: 8, gid: 16, mode: '0620' });
  });

  it.each(['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const)('mode keeps setuid/setgid/sticky bits, masked to 07777 (%s)', (p) => {
    // profiles.md shared: mode values keep setuid/setgid/sticky bits (S_IALLUGO); live 6.x S4d mode=07777 → c7777
    const r = run(p, [mountDevpts('/dev/pts', 'mode=07777'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last).mode).toBe('07777');
  });

  it.each(['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const)('empty items are skipped (%s)', (p) => {
    // parse_mount_options: if (!*p) continue; 6.x vfs_parse_monolithic_sep skips empty keys
    const r = run(p, [umount('/dev/pts'), { ...mountDevpts('/dev/pts', ',,gid=5,,mode=620,'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(r.at('mount')).toEqual({ ok: true });
    expect(okv(r.last)).toMatchObject({ gid: 5, mode: '0620' });
  });

  it.each(['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const)('a repeated option: the last one wins (%s)', (p) => {
    // left-to-right application (parse_mount_options); live 6.x S7 "Repeated options: the last one wins"
    const r = run(p, [mountDevpts('/dev/pts', 'mode=620,mode=640'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last).mode).toBe('0640');
  });
});

describe('CONFIG=y option parsing (2.6.39-y, 3.4-y)', () => {
  it.each(CONFIG_Y)('a bogus option fails the mount with EINVAL and the bogus line, and changes nothing (%s)', (p) => {
    // profiles.md 2.6.39-y: options are parsed into a fresh copy first; an unknown option fails the whole
    // mount with EINVAL and the bogus-options message, and nothing changes (kernel-code.md §1.5)
    for (const opts of ['bogus', 'gid=5,mode=620,bogus', 'newinstance,bogus', 'ptmxmode=0666,newinstance,max']) {
      const before = run(p, [mkdir('/tmp/a')], { devptsOptions: 'gid=7,mode=640' });
      const r = run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', opts)], { devptsOptions: 'gid=7,mode=640' });
      expect(r.last).toEqual({ errno: 'EINVAL', log: [BOGUS] });
      expect(r.state).toEqual(before.state);
    }
  });

  it('2.6.39-y: max= is not an option yet: EINVAL with the bogus line', () => {
    // kernel-code.md §2: "On pre-3.4 CONFIG=y kernels it is a hard EINVAL" (lxc PR #2502)
    expect(run('2.6.39-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,max=5')]).last).toEqual({ errno: 'EINVAL', log: [BOGUS] });
  });

  it.each(['max=-1', 'max=1048577'])('3.4-y: %s is out of range: EINVAL without the bogus message', (opt) => {
    // profiles.md 3.4-y: max=N with 0 ≤ N ≤ 1048576, else EINVAL without the bogus message (3.4 parse_mount_options)
    expect(run('3.4-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', `newinstance,${opt}`)]).last).toEqual({ errno: 'EINVAL' });
  });

  it.each(['max=0', 'max=1048576', 'max=010'])('3.4-y: %s is accepted', (opt) => {
    // 3.4 Opt_max "max=%d" via match_int (base 0), range 0..NR_UNIX98_PTY_MAX
    expect(run('3.4-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', `newinstance,${opt}`)]).last).toEqual({ ok: true });
  });

  it.each(CONFIG_Y)('newinstance=1 is bogus (%s)', (p) => {
    // kernel-code.md §1.3 (7): newinstance=1 counts as bogus
    expect(run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance=1')]).last).toEqual({ errno: 'EINVAL', log: [BOGUS] });
  });
});

describe('6.x option parsing (fs_parse, new mount API)', () => {
  // live 6.x S7: EINVAL plus a kmsg line; the options and the state are untouched
  it.each([
    ['bogus', ["devpts: Unknown parameter 'bogus'"]],
    ['mode=0620,bogus', ["devpts: Unknown parameter 'bogus'"]],
    ['reserve', ["devpts: Unknown parameter 'reserve'"]],
    ['nosuid', ["devpts: Unknown parameter 'nosuid'"]],
    ['ptmxmode=999', ["devpts: Bad value for 'ptmxmode'"]],
    ['ptmxmode=abc', ["devpts: Bad value for 'ptmxmode'"]],
    ['ptmxmode=', ["devpts: Bad value for 'ptmxmode'"]],
    ['ptmxmode', ["devpts: Bad value for 'ptmxmode'"]],
    ['mode=999', ["devpts: Bad value for 'mode'"]],
    ['max=abc', ["devpts: Bad value for 'max'"]],
    ['max=4294967296', ["devpts: Bad value for 'max'"]],
    ['max=-1', ['devpts: max out of range']],
    ['max=1048577', ['devpts: max out of range']],
    ['gid=4294967295', ["devpts: Invalid gid '4294967295'"]],
    ['newinstance=1', ["devpts: Unexpected value for 'newinstance'"]],
    ['source=foo', ['Multiple sources']], // logged without the devpts prefix (live 6.18)
  ])('S7: mount -o %s → EINVAL with its console line (6.x)', (opt, log) => {
    // live 6.x S7 (messages from /dev/kmsg)
    const before = run('6.x', [mkdir('/tmp/a')]);
    const r = run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', opt)]);
    expect(r.last).toEqual({ errno: 'EINVAL', log });
    expect(r.state).toEqual(before.state);
  });

  it.each(['uid=abc', 'uid=-1', 'gid=-1'])('S7: %s → EINVAL, the Bad value line logged twice (6.x)', (opt) => {
    // live 6.x S7: "uid=abc, uid=-1, gid=-1 (each logged twice)": fs_param_is_uid/gid call fs_param_is_u32,
    // which logs "Bad value", then log it again with fs_param_bad_value (fs/fs_parser.c, 6.x)
    const key = opt.slice(0, 3);
    const line = `devpts: Bad value for '${key}'`;
    expect(run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', opt)]).last).toEqual({ errno: 'EINVAL', log: [line, line] });
  });

  it.each(['max=0', 'max=1048576', 'uid=4294967294', '', 'newinstance', 'newinstance,newinstance', 'ro'])(
    'S7: "%s" is accepted (6.x)', (opt) => {
      // live 6.x S7 "Accepted oddities"
      expect(run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', opt)]).last).toEqual({ ok: true });
    });

  it('S7: ptmxmode=07777 gives a c7777 node; ptmxmode=01000000 is masked to 0000 (6.x)', () => {
    // live 6.x S7; S_IALLUGO mask
    const r = run('6.x', [mkdir('/tmp/a'), mkdir('/tmp/b'),
      mountDevpts('/tmp/a', 'ptmxmode=07777'), mountDevpts('/tmp/b', 'ptmxmode=01000000'), stat('/tmp/a/ptmx'), stat('/tmp/b/ptmx')]);
    expect(okv(r.results[4]).mode).toBe('07777');
    expect(okv(r.results[5]).mode).toBe('0000');
  });

  it('S7: "ro" in the data string makes the superblock read-only: chmod gives EROFS (6.x)', () => {
    // live 6.x S7 "ro in the data string → superblock ro"; S4h/S7 chmod → EROFS
    const r = run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'ro'), { op: 'chmod', path: '/tmp/a/ptmx', mode: '0666' }]);
    expect(errnoOf(r.last)).toBe('EROFS');
  });

  it('a failing 6.x mount logs but does not create an instance', () => {
    // profiles.md 6.x: unknown or malformed options fail the mount with EINVAL
    const r = run('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'mode=0620,bogus'), stat('/tmp/a')]);
    expect(isErrno(r.results[1])).toBe(true);
    expect(okv(r.last).fs).toBe('other');
  });
});
