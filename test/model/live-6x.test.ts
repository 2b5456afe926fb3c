// /work/shared/research/live-kernel-6x.md, row by row, for the 6.x profile. Each test is named after
// its row; rows (or parts) outside the op vocabulary are listed at the end of this file.
// The live machine had two stacked devpts mounts on /dev/pts inherited from the host; where a row
// depends on that, the test stacks a second devpts on /dev/pts first ("host" layers).
import { describe, expect, it } from 'vitest';
import {
  bind, chmod, chown, close, errnoOf, indexOf, mkdir, mknodPtmx, mountDevpts, mountTmpfs, okv, open, opens, peer, readdir, remount, run,
  setuid, spawn, stat, symlink, touch, umount, unlockpt, unshare,
} from './helpers.ts';

const P = '6.x' as const;
/** The inherited host layers: boot's devpts (lower) plus a second one stacked on it (upper). */
const hostLayers = [mountDevpts('/dev/pts')];

describe('live 6.x (6.18) rows', () => {
  it('S0: in a fresh private ns, /dev/ptmx goes into the top of the two stacked inherited instances, index 0', () => {
    // live-kernel-6x.md row S0
    const r = run(P, [stat('/dev/pts', { note: 'lower' }), ...hostLayers, stat('/dev/pts', { note: 'upper' }), unshare(), open('/dev/ptmx', { as: 'm' }),
      unlockpt('m'), peer('m', { as: 's' }), stat('/dev/pts/0')]);
    expect(indexOf(r.results[4]!)).toBe(0);
    expect(okv(r.last).fs).toBe(okv(r.at('upper')).fs);
    expect(okv(r.last).fs).not.toBe(okv(r.at('lower')).fs);
  });

  it('S1a: a mount with no options over the inherited one is a new instance with {ptmx}; /dev/pts/ptmx → 0 and /dev/ptmx → 1 there; the covered instance is independent', () => {
    // live-kernel-6x.md row S1a
    const r = run(P, [
      mkdir('/tmp/old'), bind('/dev/pts', '/tmp/old'),              // stands in for the pre-opened dirfd
      open('/dev/ptmx', { as: 'old0' }),                               // index 0 held in the covered instance
      stat('/dev/pts', { note: 'before' }), unshare(), mountDevpts('/dev/pts'), stat('/dev/pts', { note: 'after' }),
      readdir('/dev/pts', { note: 'listing' }), open('/dev/pts/ptmx', { note: 'a' }), open('/dev/ptmx', { note: 'b' }),
      readdir('/tmp/old', { note: 'covered' }), readdir('/dev/pts', { note: 'new' }),
    ]);
    expect(okv(r.at('after')).fs).not.toBe(okv(r.at('before')).fs);
    expect(okv(r.at('listing')).entries).toEqual(['ptmx']);
    expect([indexOf(r.at('a')), indexOf(r.at('b'))]).toEqual([0, 1]);
    expect(okv(r.at('covered')).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.at('new')).entries).toEqual(['0', '1', 'ptmx']);
  });

  it('S1b: the same with -o newinstance is identical: new instance, empty listing, indices from 0', () => {
    // live-kernel-6x.md row S1b
    const r = run(P, [open('/dev/ptmx'), stat('/dev/pts'), unshare(), mountDevpts('/dev/pts', 'newinstance'), stat('/dev/pts'), readdir('/dev/pts'), open('/dev/pts/ptmx')]);
    expect(okv(r.results[4]).fs).not.toBe(okv(r.results[1]).fs);
    expect(okv(r.results[5]).entries).toEqual(['ptmx']);
    expect(indexOf(r.last)).toBe(0);
  });

  it.each([
    ['S1c', 'newinstance,ptmxmode=0666,mode=0620,gid=5,max=2'],
    ['S1d', 'ptmxmode=0666,mode=0620,gid=5,max=2'],
  ])('%s: pts/ptmx is c0666 0:0, slaves c0620 0:5, the 3rd allocation is ENOSPC (also for uid 65534 through either ptmx)', (_row, opts) => {
    // live-kernel-6x.md rows S1c, S1d
    const r = run(P, [unshare(), mountDevpts('/dev/pts', opts), stat('/dev/pts/ptmx', { note: 'ptmx' }),
      open('/dev/pts/ptmx'), open('/dev/ptmx'), stat('/dev/pts/0', { note: 'slave' }),
      open('/dev/ptmx', { note: 'third' }), spawn(2), setuid(65534, { pid: 2 }),
      open('/dev/ptmx', { pid: 2, note: 'u1' }), open('/dev/pts/ptmx', { pid: 2, note: 'u2' })]);
    expect(okv(r.at('ptmx'))).toMatchObject({ mode: '0666', uid: 0, gid: 0 });
    expect(okv(r.at('slave'))).toMatchObject({ mode: '0620', uid: 0, gid: 5 });
    expect(['third', 'u1', 'u2'].map((t) => errnoOf(r.at(t)))).toEqual(['ENOSPC', 'ENOSPC', 'ENOSPC']);
  });

  it('S1e: sibling mounts are different instances from 0; a bind shares its instance; a 2nd mount on the same dir is a new, empty instance', () => {
    // live-kernel-6x.md row S1e
    const r = run(P, [
      mkdir('/tmp/a'), mkdir('/tmp/b'), mkdir('/tmp/abind'),
      mountDevpts('/tmp/a', 'newinstance'), mountDevpts('/tmp/b', 'newinstance'), bind('/tmp/a', '/tmp/abind'),
      open('/tmp/a/ptmx', { note: 'a0' }), open('/tmp/b/ptmx', { note: 'b0' }), open('/tmp/abind/ptmx', { note: 'abind' }),
      stat('/tmp/a', { note: 'sa' }), stat('/tmp/b', { note: 'sb' }), readdir('/tmp/a', { note: 'la' }),
      mountDevpts('/tmp/a', 'newinstance'), stat('/tmp/a', { note: 'sa2' }), readdir('/tmp/a', { note: 'la2' }),
    ]);
    expect([indexOf(r.at('a0')), indexOf(r.at('b0')), indexOf(r.at('abind'))]).toEqual([0, 0, 1]);
    expect(okv(r.at('sa')).fs).not.toBe(okv(r.at('sb')).fs);
    expect(okv(r.at('la')).entries).toEqual(['0', '1', 'ptmx']);
    expect(okv(r.at('sa2')).fs).not.toBe(okv(r.at('sa')).fs);
    expect(okv(r.at('sa2')).fs).not.toBe(okv(r.at('sb')).fs);
    expect(okv(r.at('la2')).entries).toEqual(['ptmx']);
  });

  it('S2a: /dev/ptmx with a fresh devpts on /dev/pts allocates index 0 in the new instance', () => {
    // live-kernel-6x.md row S2a
    const r = run(P, [open('/dev/ptmx'), unshare(), mountDevpts('/dev/pts'), open('/dev/ptmx'), readdir('/dev/pts')]);
    expect(indexOf(r.results[3]!)).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it('S2b: after the 1st umount /dev/ptmx goes to the lower instance; after the 2nd, ENODEV (and /dev/pts/ptmx ENOENT); a 3rd umount is EINVAL', () => {
    // live-kernel-6x.md row S2b
    const r = run(P, [stat('/dev/pts', { note: 'lower' }), ...hostLayers, unshare(),
      umount('/dev/pts'), open('/dev/ptmx', { as: 'm', note: 'first' }), unlockpt('m'), peer('m', { as: 's' }), stat('/dev/pts/0', { note: 'where' }),
      close('m'), close('s'),
      umount('/dev/pts', { note: 'u2' }), stat('/dev/pts', { note: 'plain' }), readdir('/dev/pts', { note: 'empty' }),
      open('/dev/ptmx', { note: 'enodev' }), open('/dev/pts/ptmx', { note: 'enoent' }), umount('/dev/pts', { note: 'u3' })]);
    expect(indexOf(r.at('first'))).toBe(0);
    expect(okv(r.at('where')).fs).toBe(okv(r.at('lower')).fs);
    expect(r.at('u2')).toEqual({ ok: true });
    expect(okv(r.at('plain')).fs).toBe('other');
    expect(okv(r.at('empty')).entries).toEqual([]);
    expect(r.at('enodev')).toEqual({ errno: 'ENODEV' });
    expect(r.at('enoent')).toEqual({ errno: 'ENOENT' });
    expect(r.at('u3')).toEqual({ errno: 'EINVAL' });
  });

  it('S2c: only the topmost mount on pts counts (tmpfs ENODEV, devpts on top index 0, tmpfs on top again ENODEV)', () => {
    // live-kernel-6x.md row S2c
    const r = run(P, [unshare(), mountTmpfs('/dev/pts'), open('/dev/ptmx'), mountDevpts('/dev/pts'), open('/dev/ptmx'), mountTmpfs('/dev/pts'), open('/dev/ptmx')]);
    expect([2, 4, 6].map((i) => indexOf(r.results[i]!))).toEqual(['ENODEV', 0, 'ENODEV']);
  });

  it('S2d: a mknod\'ed ptmx elsewhere opens in its sibling pts instance; the node\'s own name does not matter', () => {
    // live-kernel-6x.md row S2d
    const r = run(P, [mkdir('/tmp/x'), mkdir('/tmp/x/pts'), mountDevpts('/tmp/x/pts'), mknodPtmx('/tmp/x/ptmx'), mknodPtmx('/tmp/x/myptmx'),
      open('/tmp/x/ptmx'), open('/tmp/x/pts/ptmx'), open('/tmp/x/myptmx'), readdir('/tmp/x/pts')]);
    expect([5, 6, 7].map((i) => indexOf(r.results[i]!))).toEqual([0, 1, 2]);
    expect(okv(r.last).entries).toEqual(['0', '1', '2', 'ptmx']);
  });

  it('S2d: sibling variants: absent ENOENT / plain dir ENODEV / symlink ENODEV / regular file ENODEV / file with a devpts ptmx bound on it ENODEV / bind of a devpts dir works / tmpfs with devpts on top works', () => {
    // live-kernel-6x.md row S2d
    const sib = (n: number, setupPts: Parameters<typeof run>[1]) =>
      run(P, [mkdir(`/tmp/v${n}`), mknodPtmx(`/tmp/v${n}/ptmx`), ...setupPts, open(`/tmp/v${n}/ptmx`)]).last;
    expect(errnoOf(sib(1, []))).toBe('ENOENT');
    expect(errnoOf(sib(1, [stat('/tmp/v1/pts')]))).toBe('ENOENT'); // also after a failing lstat pts
    expect(errnoOf(sib(2, [mkdir('/tmp/v2/pts')]))).toBe('ENODEV');
    expect(errnoOf(sib(3, [symlink('/dev/pts', '/tmp/v3/pts')]))).toBe('ENODEV');
    expect(errnoOf(sib(4, [touch('/tmp/v4/pts')]))).toBe('ENODEV');
    expect(errnoOf(sib(5, [touch('/tmp/v5/pts'), bind('/dev/pts/ptmx', '/tmp/v5/pts')]))).toBe('ENODEV');
    expect(indexOf(sib(6, [mkdir('/tmp/v6/pts'), bind('/dev/pts', '/tmp/v6/pts')]))).toBe(0);
    expect(indexOf(sib(7, [mkdir('/tmp/v7/pts'), mountTmpfs('/tmp/v7/pts'), mountDevpts('/tmp/v7/pts')]))).toBe(0);
  });

  it('S2d: a ptmx node on a nodev tmpfs, devpts sibling present: EACCES', () => {
    // live-kernel-6x.md row S2d
    const r = run(P, [mkdir('/tmp/n'), mountTmpfs('/tmp/n', { flags: ['nodev'] }), mkdir('/tmp/n/pts'), mountDevpts('/tmp/n/pts'), mknodPtmx('/tmp/n/ptmx'), open('/tmp/n/ptmx')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it('S2d: bind of /dev: non-recursive ENODEV (pts submount not carried); rbind works and uses the instance on /dev/pts', () => {
    // live-kernel-6x.md row S2d
    const r = run(P, [mkdir('/tmp/devbind'), bind('/dev', '/tmp/devbind'), open('/tmp/devbind/ptmx'), umount('/tmp/devbind'),
      bind('/dev', '/tmp/devbind', { recursive: true }), open('/tmp/devbind/ptmx'), readdir('/dev/pts')]);
    expect(r.results[2]).toEqual({ errno: 'ENODEV' });
    expect(indexOf(r.results[5]!)).toBe(0);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it('S2e: ptmx as a symlink on a tmpfs copy of /dev: root opens; uid 65534 EACCES until chmod 0666; a symlink to another instance allocates there', () => {
    // live-kernel-6x.md row S2e
    const r = run(P, [
      mkdir('/tmp/P'), mountTmpfs('/tmp/P'), mkdir('/tmp/P/dev'), mkdir('/tmp/P/dev/pts'), mountDevpts('/tmp/P/dev/pts'),
      symlink('pts/ptmx', '/tmp/P/dev/ptmx'), open('/tmp/P/dev/ptmx', { note: 'root' }),
      spawn(2), setuid(65534, { pid: 2 }), open('/tmp/P/dev/ptmx', { pid: 2, note: 'denied' }),
      chmod('/tmp/P/dev/pts/ptmx', '0666'), open('/tmp/P/dev/ptmx', { pid: 2, note: 'user' }), stat('/tmp/P/dev/pts/1', { note: 'slave' }),
      mkdir('/tmp/P/other'), mountDevpts('/tmp/P/other'), symlink('/tmp/P/other/ptmx', '/tmp/P/dev/ptmx2'), open('/tmp/P/dev/ptmx2', { note: 'other' }),
      readdir('/tmp/P/other', { note: 'lo' }),
    ]);
    expect(indexOf(r.at('root'))).toBe(0);
    expect(r.at('denied')).toEqual({ errno: 'EACCES' });
    expect(indexOf(r.at('user'))).toBe(1);
    expect(okv(r.at('slave'))).toMatchObject({ mode: '0600', uid: 65534, gid: 65534 });
    expect(indexOf(r.at('other'))).toBe(0);
    expect(okv(r.at('lo')).entries).toEqual(['0', 'ptmx']);
  });

  it('S2f: ptmx bind-mounted: /dev/ptmx reads c0000 on the devpts; root opens (index 0); uid 65534 EACCES', () => {
    // live-kernel-6x.md row S2f
    const r = run(P, [unshare(), bind('/dev/pts/ptmx', '/dev/ptmx'), stat('/dev/ptmx'), stat('/dev/pts'), open('/dev/ptmx'), setuid(65534), open('/dev/ptmx')]);
    expect(okv(r.results[2])).toMatchObject({ mode: '0000', type: 'chr' });
    expect(okv(r.results[2]).fs).toBe(okv(r.results[3]).fs);
    expect(indexOf(r.results[4]!)).toBe(0);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it('S2f: cross-instance bind: allocation goes into the other instance (not /dev/pts); TIOCGPTPEER → ENODEV', () => {
    // live-kernel-6x.md row S2f
    const r = run(P, [mkdir('/tmp/other'), mountDevpts('/tmp/other'), bind('/tmp/other/ptmx', '/dev/ptmx'), open('/dev/ptmx', { as: 'm' }), unlockpt('m'),
      readdir('/tmp/other'), readdir('/dev/pts'), peer('m')]);
    expect(indexOf(r.results[3]!)).toBe(0);
    expect(okv(r.results[5]).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.results[6]).entries).toEqual(['ptmx']);
    expect(r.last).toEqual({ errno: 'ENODEV' });
  });

  it('S2f: bind on a tmpfs copy (ptmxmode=0666) works for root and for uid 65534', () => {
    // live-kernel-6x.md row S2f
    const r = run(P, [mkdir('/tmp/P'), mountTmpfs('/tmp/P'), mkdir('/tmp/P/dev'), mkdir('/tmp/P/dev/pts'), mountDevpts('/tmp/P/dev/pts', 'ptmxmode=0666'),
      touch('/tmp/P/dev/ptmx'), bind('/tmp/P/dev/pts/ptmx', '/tmp/P/dev/ptmx'), open('/tmp/P/dev/ptmx'), setuid(65534), open('/tmp/P/dev/ptmx')]);
    expect([indexOf(r.results[7]!), indexOf(r.last)]).toEqual([0, 1]);
  });

  it('S3: ptmxmode=0000: root opens /dev/pts/ptmx; uid 65534 gets EACCES there but succeeds via /dev/ptmx in the same instance (slave 65534:65534 c0600)', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [open('/dev/pts/ptmx'), spawn(2), setuid(65534, { pid: 2 }), open('/dev/pts/ptmx', { pid: 2 }), open('/dev/ptmx', { pid: 2 }), stat('/dev/pts/1')]);
    expect(indexOf(r.results[0]!)).toBe(0);
    expect(r.results[3]).toEqual({ errno: 'EACCES' });
    expect(indexOf(r.results[4]!)).toBe(1);
    expect(okv(r.last)).toMatchObject({ uid: 65534, gid: 65534, mode: '0600' });
  });

  it('S3: chmod 0666 /dev/pts/ptmx lets uid 65534 open it', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [chmod('/dev/pts/ptmx', '0666'), setuid(65534), open('/dev/pts/ptmx')]);
    expect(indexOf(r.last)).toBe(0);
  });

  it('S3: remount "ptmxmode=000" reverts the chmod (EACCES for 65534); remount "ptmxmode=0666" makes it c0666 (65534 opens)', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [chmod('/dev/pts/ptmx', '0666'), remount('/dev/pts', 'ptmxmode=000'), stat('/dev/pts/ptmx', { note: 's1' }),
      spawn(2), setuid(65534, { pid: 2 }), open('/dev/pts/ptmx', { pid: 2, note: 'o1' }),
      remount('/dev/pts', 'ptmxmode=0666'), stat('/dev/pts/ptmx', { note: 's2' }), open('/dev/pts/ptmx', { pid: 2, note: 'o2' })]);
    expect(okv(r.at('s1')).mode).toBe('0000');
    expect(r.at('o1')).toEqual({ errno: 'EACCES' });
    expect(okv(r.at('s2')).mode).toBe('0666');
    expect(indexOf(r.at('o2'))).toBe(0);
  });

  it('S3: remount "mode=0620,gid=5" (no ptmxmode) resets ptmxmode to 000; a remount with "" resets all options to defaults', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [remount('/dev/pts', 'mode=0620,gid=5'), stat('/dev/pts/ptmx'), remount('/dev/pts', ''), open('/dev/ptmx'), stat('/dev/pts/0')],
      { devptsOptions: 'ptmxmode=0666,max=1' });
    expect(okv(r.results[1]).mode).toBe('0000');
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 0 });
    // max dropped too: a 2nd pty is fine
    expect(errnoOf(run(P, [remount('/dev/pts', ''), ...opens('/dev/ptmx', 2)], { devptsOptions: 'max=1' }).last)).toBe('ok');
  });

  it('S3: a remount with no data at all (NULL) also resets all options', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [remount('/dev/pts'), open('/dev/ptmx'), stat('/dev/pts/0'), stat('/dev/pts/ptmx')], { devptsOptions: 'gid=5,mode=620,ptmxmode=0666' });
    expect(okv(r.results[2])).toMatchObject({ mode: '0600', gid: 0 });
    expect(okv(r.last).mode).toBe('0000');
  });

  it('S3: chmod/chown vs remount: the mode is overwritten (c0666, then c0640) but ownership 1000:5 survives', () => {
    // live-kernel-6x.md row S3
    const r = run(P, [chmod('/dev/pts/ptmx', '0600'), remount('/dev/pts', 'ptmxmode=0666'), stat('/dev/pts/ptmx'),
      chown('/dev/pts/ptmx', 1000, 5), remount('/dev/pts', 'ptmxmode=0640'), stat('/dev/pts/ptmx')]);
    expect(okv(r.results[2]).mode).toBe('0666');
    expect(okv(r.last)).toMatchObject({ mode: '0640', uid: 1000, gid: 5 });
  });

  it('S4a: index reuse: open ×3 (0,1,2); close 1; open → 1; close 0; open → 0; open → 3; a node leaves the listing on master close', () => {
    // live-kernel-6x.md row S4a
    const r = run(P, [...opens('/dev/ptmx', 3), close('m1'), readdir('/dev/pts', { note: 'l' }), open('/dev/ptmx', { note: 'a' }), close('m0'),
      open('/dev/ptmx', { note: 'b' }), open('/dev/ptmx', { note: 'c' })]);
    expect(okv(r.at('l')).entries).toEqual(['0', '2', 'ptmx']);
    expect(['a', 'b', 'c'].map((t) => indexOf(r.at(t)))).toEqual([1, 0, 3]);
  });

  it('S4b: /dev/pts/0 disappears immediately on master close even though the slave is open', () => {
    // live-kernel-6x.md row S4b
    const r = run(P, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), close('m'), stat('/dev/pts/0', { nofollow: true })]);
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it('S4c: while locked, opening /dev/pts/0 and TIOCGPTPEER both give EIO; after TIOCSPTLCK 0 the open succeeds', () => {
    // live-kernel-6x.md row S4c
    const r = run(P, [open('/dev/ptmx', { as: 'm' }), open('/dev/pts/0'), peer('m'), unlockpt('m'), open('/dev/pts/0')]);
    expect(r.results.slice(1, 3)).toEqual([{ errno: 'EIO' }, { errno: 'EIO' }]);
    expect(errnoOf(r.last)).toBe('ok');
  });

  it('S4d: slave ownership/mode: uid/gid/mode options → c0620 1000:5 (also for uid 65534); default → the opener\'s, 0600; mode=07777 → c7777; mode=0 → c0000', () => {
    // live-kernel-6x.md row S4d
    const withOpts = run(P, [open('/dev/ptmx'), setuid(65534), open('/dev/ptmx'), stat('/dev/pts/0'), stat('/dev/pts/1')], { devptsOptions: 'mode=0620,gid=5,uid=1000,ptmxmode=0666' });
    expect(okv(withOpts.results[3])).toMatchObject({ mode: '0620', uid: 1000, gid: 5 });
    expect(okv(withOpts.last)).toMatchObject({ mode: '0620', uid: 1000, gid: 5 });
    const dflt = run(P, [open('/dev/ptmx'), setuid(65534), open('/dev/ptmx'), stat('/dev/pts/0'), stat('/dev/pts/1')], { devptsOptions: 'ptmxmode=0666' });
    expect(okv(dflt.results[3])).toMatchObject({ mode: '0600', uid: 0, gid: 0 });
    expect(okv(dflt.last)).toMatchObject({ mode: '0600', uid: 65534, gid: 65534 });
    expect(okv(run(P, [open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'mode=07777' }).last).mode).toBe('07777');
    expect(okv(run(P, [open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'mode=0' }).last).mode).toBe('0000');
  });

  it('S4e: max=1: the 2nd open is ENOSPC and index 0 is reused after a close; max=0 is accepted and not a limit (indices 0–3)', () => {
    // live-kernel-6x.md row S4e
    const one = run(P, [open('/dev/ptmx', { as: 'a' }), open('/dev/ptmx'), close('a'), open('/dev/ptmx')], { devptsOptions: 'max=1' });
    expect(one.results[1]).toEqual({ errno: 'ENOSPC' });
    expect(indexOf(one.last)).toBe(0);
    const zero = run(P, opens('/dev/ptmx', 4), { devptsOptions: 'max=0' });
    expect(zero.results.map(indexOf)).toEqual([0, 1, 2, 3]);
  });

  it('S4g: an instance mounted in a non-initial namespace: 3071 successes (last index 3070), then ENOSPC (4096 − 1024 − 1)', () => {
    // live-kernel-6x.md row S4g
    const r = run(P, [unshare(), mountDevpts('/dev/pts', 'ptmxmode=0666'), ...opens('/dev/ptmx', 3072)]);
    expect(indexOf(r.results[r.results.length - 2]!)).toBe(3070);
    expect(r.last).toEqual({ errno: 'ENOSPC' });
  });

  it('S4h: mknod (c 5:2, c 136:7), mkdir, symlink, unlink (0, ptmx) inside devpts → EPERM; O_CREAT → EACCES; chmod/chown of 0 succeed; re-allocated 0 is c0600 0:0 again', () => {
    // live-kernel-6x.md row S4h
    const r = run(P, [open('/dev/ptmx', { as: 'm' }),
      { op: 'mknod', path: '/dev/pts/x', major: 5, minor: 2 }, { op: 'mknod', path: '/dev/pts/7', major: 136, minor: 7 },
      mkdir('/dev/pts/d'), symlink('ptmx', '/dev/pts/l'), { op: 'unlink', path: '/dev/pts/0' }, { op: 'unlink', path: '/dev/pts/ptmx' },
      touch('/dev/pts/new'), chmod('/dev/pts/0', '0666'), chown('/dev/pts/0', 1000, 5), close('m'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(r.results.slice(1, 7).map(errnoOf)).toEqual(['EPERM', 'EPERM', 'EPERM', 'EPERM', 'EPERM', 'EPERM']);
    expect(r.results[7]).toEqual({ errno: 'EACCES' });
    expect(r.results.slice(8, 10).map(errnoOf)).toEqual(['ok', 'ok']);
    expect(okv(r.last)).toMatchObject({ mode: '0600', uid: 0, gid: 0 });
  });

  it('S4h/S7: a read-only devpts (remount ro, or a fresh ro,nosuid,noexec mount): chmod → EROFS, but allocation succeeds and creates a slave node', () => {
    // live-kernel-6x.md row S4h/S7
    const re = run(P, [remount('/dev/pts', undefined, { flags: ['ro'] }), chmod('/dev/pts/ptmx', '0666'), open('/dev/pts/ptmx'), stat('/dev/pts/0')]);
    expect(re.results[1]).toEqual({ errno: 'EROFS' });
    expect(indexOf(re.results[2]!)).toBe(0);
    expect(okv(re.last).type).toBe('chr');
    const fresh = run(P, [mkdir('/tmp/ro'), mountDevpts('/tmp/ro', undefined, { flags: ['ro', 'nosuid', 'noexec'] }), chmod('/tmp/ro/ptmx', '0666'), open('/tmp/ro/ptmx'), readdir('/tmp/ro')]);
    expect(fresh.results[2]).toEqual({ errno: 'EROFS' });
    expect(okv(fresh.last).entries).toEqual(['0', 'ptmx']);
  });

  it('S5a: umount with a master via /dev/ptmx: 0 (no EBUSY); TIOCGPTPEER → ENODEV; a new /dev/ptmx open goes to the uncovered host instance (index 0 there)', () => {
    // live-kernel-6x.md row S5a
    const r = run(P, [stat('/dev/pts', { note: 'host' }), unshare(), mountDevpts('/dev/pts'), open('/dev/ptmx', { as: 'm', note: 'idx' }), unlockpt('m'),
      umount('/dev/pts', { note: 'u' }), peer('m', { note: 'peer' }), open('/dev/ptmx', { as: 'h', note: 'new' }), unlockpt('h'), peer('h', { as: 'hs' }), stat('/dev/pts/0', { note: 'where' })]);
    expect(indexOf(r.at('idx'))).toBe(0);
    expect(r.at('u')).toEqual({ ok: true });
    expect(r.at('peer')).toEqual({ errno: 'ENODEV' });
    expect(indexOf(r.at('new'))).toBe(0);
    expect(okv(r.at('where')).fs).toBe(okv(r.at('host')).fs);
  });

  it('S5b: umount with a master via /dev/pts/ptmx: EBUSY; lazy → 0; the detached instance keeps working (TIOCGPTPEER works)', () => {
    // live-kernel-6x.md row S5b
    const r = run(P, [open('/dev/pts/ptmx', { as: 'm' }), unlockpt('m'), umount('/dev/pts'), umount('/dev/pts', { lazy: true }), peer('m')]);
    expect(r.results.slice(2, 4)).toEqual([{ errno: 'EBUSY' }, { ok: true }]);
    expect(errnoOf(r.last)).toBe('ok');
  });

  it('S5c: a slave opened by path: umount EBUSY; after closing the slave → 0', () => {
    // live-kernel-6x.md row S5c
    const r = run(P, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), umount('/dev/pts'), close('s'), umount('/dev/pts')]);
    expect(r.results[3]).toEqual({ errno: 'EBUSY' });
    expect(r.last).toEqual({ ok: true });
  });

  it('S5d: remount with new options: the existing node 0 stays c0600 0:0; the new pty 1 is c0620 0:5', () => {
    // live-kernel-6x.md row S5d
    const r = run(P, [open('/dev/ptmx'), remount('/dev/pts', 'mode=0620,gid=5'), open('/dev/ptmx'), stat('/dev/pts/0'), stat('/dev/pts/1')], { devptsOptions: 'mode=0600' });
    expect(okv(r.results[3])).toMatchObject({ mode: '0600', uid: 0, gid: 0 });
    expect(okv(r.last)).toMatchObject({ mode: '0620', uid: 0, gid: 5 });
  });

  it('S5e: remount lowering max: existing 0,1,2 are kept; a new open is ENOSPC; after closing index 0, open → 0', () => {
    // live-kernel-6x.md row S5e
    const r = run(P, [...opens('/dev/ptmx', 3), remount('/dev/pts', 'max=2'), readdir('/dev/pts'), open('/dev/ptmx'), close('m0'), open('/dev/ptmx')], { devptsOptions: 'max=5' });
    expect(okv(r.results[4]).entries).toEqual(['0', '1', '2', 'ptmx']);
    expect(r.results[5]).toEqual({ errno: 'ENOSPC' });
    expect(indexOf(r.last)).toBe(0);
  });

  it('S5f: instance covered: master via /dev/ptmx in A; with B mounted on top TIOCGPTPEER → ENODEV; after B is unmounted it works again', () => {
    // live-kernel-6x.md row S5f
    const r = run(P, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), mountDevpts('/dev/pts'), peer('m'), umount('/dev/pts'), peer('m')]);
    expect(r.results[3]).toEqual({ errno: 'ENODEV' });
    expect(errnoOf(r.last)).toBe('ok');
  });

  it('S6: two namespaces: the child (private copy, no own mount) allocates index 0 in A, visible to the parent; a child mount (with or without newinstance) is a new instance from 0 the parent does not see', () => {
    // live-kernel-6x.md row S6
    for (const opts of ['', 'newinstance']) {
      const r = run(P, [spawn(2), unshare(2), open('/dev/ptmx', { pid: 2, note: 'c0' }), readdir('/dev/pts', { note: 'parent' }),
        mountDevpts('/dev/pts', opts, { pid: 2 }), open('/dev/ptmx', { pid: 2, note: 'c1' }), readdir('/dev/pts', { note: 'parent2' }),
        stat('/dev/pts', { note: 'ps' }), stat('/dev/pts', { pid: 2, note: 'cs' })]);
      expect(indexOf(r.at('c0'))).toBe(0);
      expect(okv(r.at('parent')).entries).toEqual(['0', 'ptmx']);
      expect(indexOf(r.at('c1'))).toBe(0);
      expect(okv(r.at('parent2')).entries).toEqual(['0', 'ptmx']);
      expect(okv(r.at('ps')).fs).not.toBe(okv(r.at('cs')).fs);
    }
  });

  it('S6c: before mounting the child sees the parent\'s instance and its pty 0; after mounting, an empty new one; a nested child that does not mount allocates index 1 in the parent\'s instance', () => {
    // live-kernel-6x.md row S6c
    const r = run(P, [open('/dev/ptmx'), spawn(2, { newns: true }), readdir('/dev/pts', { pid: 2, note: 'before' }), stat('/dev/pts', { note: 'ps' }),
      stat('/dev/pts', { pid: 2, note: 'cs1' }), spawn(3, { pid: 2, newns: true }), mountDevpts('/dev/pts', '', { pid: 2 }),
      readdir('/dev/pts', { pid: 2, note: 'after' }), open('/dev/ptmx', { pid: 3, note: 'nested' }), readdir('/dev/pts', { note: 'parent' })]);
    expect(okv(r.at('before')).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.at('cs1')).fs).toBe(okv(r.at('ps')).fs);
    expect(okv(r.at('after')).entries).toEqual(['ptmx']);
    expect(indexOf(r.at('nested'))).toBe(1);
    expect(okv(r.at('parent')).entries).toEqual(['0', '1', 'ptmx']);
  });

  it('S7: bad options fail with EINVAL and change nothing (see options.test.ts for each console line)', () => {
    // live-kernel-6x.md row S7
    const before = run(P, [mkdir('/tmp/a')]);
    for (const opt of ['bogus', 'mode=0620,bogus', 'reserve', 'nosuid', 'ptmxmode=999', 'ptmxmode=abc', 'ptmxmode=', 'ptmxmode', 'mode=999', 'max=abc',
      'max=4294967296', 'uid=abc', 'uid=-1', 'gid=-1', 'max=-1', 'max=1048577', 'gid=4294967295', 'newinstance=1', 'source=foo']) {
      const r = run(P, [mkdir('/tmp/a'), mountDevpts('/tmp/a', opt)]);
      expect(errnoOf(r.last), opt).toBe('EINVAL');
      expect(r.state, opt).toEqual(before.state);
    }
  });

  it('S7: accepted oddities: ptmxmode=07777 → c7777; ptmxmode=01000000 → 000; repeated options, last wins; max=0, max=1048576, uid=4294967294, "", newinstance,newinstance accepted; ro → superblock ro', () => {
    // live-kernel-6x.md row S7
    expect(okv(run(P, [stat('/dev/pts/ptmx')], { devptsOptions: 'ptmxmode=07777' }).last).mode).toBe('07777');
    expect(okv(run(P, [stat('/dev/pts/ptmx')], { devptsOptions: 'ptmxmode=01000000' }).last).mode).toBe('0000');
    expect(okv(run(P, [stat('/dev/pts/ptmx')], { devptsOptions: 'ptmxmode=0600,ptmxmode=0644' }).last).mode).toBe('0644');
    for (const opt of ['max=0', 'max=1048576', 'uid=4294967294', '', 'newinstance,newinstance']) {
      expect(run(P, [mkdir('/tmp/a'), mountDevpts('/tmp/a', opt)]).last, opt).toEqual({ ok: true });
    }
    expect(run(P, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'ro'), chmod('/tmp/a/ptmx', '0666')]).last).toEqual({ errno: 'EROFS' });
  });

  it('S7: remount errors after ptmxmode=0666,mode=0620,gid=5,max=7: bogus, ptmxmode=abc, ptmxmode=0644,bogus → EINVAL, nothing changes; remount newinstance → 0 and resets to defaults', () => {
    // live-kernel-6x.md row S7
    const cfg = { devptsOptions: 'ptmxmode=0666,mode=0620,gid=5,max=7' };
    const base = run(P, [], cfg);
    for (const opt of ['bogus', 'ptmxmode=abc', 'ptmxmode=0644,bogus']) {
      const r = run(P, [remount('/dev/pts', opt)], cfg);
      expect(errnoOf(r.last), opt).toBe('EINVAL');
      expect(r.state, opt).toEqual(base.state);
    }
    const r = run(P, [remount('/dev/pts', 'newinstance'), stat('/dev/pts/ptmx'), open('/dev/ptmx'), stat('/dev/pts/0')], cfg);
    expect(r.results[0]).toEqual({ ok: true });
    expect(okv(r.results[1]).mode).toBe('0000');
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 0 });
  });

  it('S8: bind ptmx, then umount /dev/pts → 0; /dev/ptmx still allocates in A (0, 1, 2), A is in no listing, TIOCGPTPEER → ENODEV; after umount /dev/ptmx → ENODEV', () => {
    // live-kernel-6x.md row S8
    const r = run(P, [stat('/dev/pts', { note: 'hostfs' }), ...hostLayers, unshare(), mountDevpts('/dev/pts', 'ptmxmode=0666'), bind('/dev/pts/ptmx', '/dev/ptmx'),
      umount('/dev/pts', { note: 'u' }), open('/dev/ptmx', { as: 'a0' }), open('/dev/ptmx', { as: 'a1' }),
      umount('/dev/pts'), umount('/dev/pts'),                      // both inherited layers
      open('/dev/ptmx', { as: 'a2', note: 'a2' }), readdir('/dev/pts', { note: 'l' }), unlockpt('a0'), peer('a0', { note: 'peer' }),
      close('a0'), close('a1'), close('a2'), umount('/dev/ptmx'), open('/dev/ptmx', { note: 'after' })]);
    expect(r.at('u')).toEqual({ ok: true });
    expect(indexOf(r.at('a2'))).toBe(2);
    expect(okv(r.at('l')).entries).toEqual([]);
    expect(r.at('peer')).toEqual({ errno: 'ENODEV' });
    expect(r.at('after')).toEqual({ errno: 'ENODEV' });
  });

  it('S8: with a master open via the bind: umount /dev/pts → 0 but umount /dev/ptmx → EBUSY', () => {
    // live-kernel-6x.md row S8
    const r = run(P, [bind('/dev/pts/ptmx', '/dev/ptmx'), open('/dev/ptmx'), umount('/dev/pts'), umount('/dev/ptmx')]);
    expect(r.results.slice(2)).toEqual([{ ok: true }, { errno: 'EBUSY' }]);
  });

  it('S1f, S3 util-linux, S6b, S7 fsopen, S9, S2d overlayfs: outside the op vocabulary (not modelled)', () => {
    // S1f / S3 "util-linux remount": mount(8) forms and its merged data belong to shell/, not the model.
    // S1e source argument and --move: no op for either.
    // S2d overlayfs and dentry-cache-dependent errnos: no overlayfs and no dcache in the model.
    // S6b shared propagation: the model's namespace copies are always private.
    // S7 fsopen/fsconfig: no new-mount-API ops.
    // S9 unprivileged user namespaces: not modelled (profiles.md: "model this later, if at all").
    // The model refuses every mount by a non-root user (see permissions.test.ts), which S9 contradicts for userns.
    expect(errnoOf(run(P, [setuid(65534), mountDevpts('/dev/pts')]).last)).toBe('EPERM');
  });
});
