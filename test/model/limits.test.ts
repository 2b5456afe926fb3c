// Pty limits (model/instances.ts allocateIndexLimitEio, allocateGlobalCount34, allocateGlobalCount6x) [K5, I4].
import { describe, expect, it } from 'vitest';
import { ALL, close, errnoOf, mkdir, mountDevpts, okv, open, opens, run, setuid, spawn, sysctl, indexOf } from './helpers.ts';

const outcomes = (results: readonly unknown[]) => (results as Parameters<typeof errnoOf>[0][]).map(errnoOf);

describe('2.6.39: kernel.pty.max bounds the index per instance, EIO', () => {
  it.each(['2.6.39-n', '2.6.39-y'] as const)('an index ≥ kernel.pty.max fails the open with EIO (%s)', (p) => {
    // profiles.md 2.6.39-n/-y: an index ≥ kernel.pty.max fails with EIO (devpts_new_index, ptmx_open 2.6.39)
    const r = run(p, [sysctl('kernel.pty.max', 2), ...opens('/dev/ptmx', 3)]);
    expect(outcomes(r.results.slice(1))).toEqual(['ok', 'ok', 'EIO']);
  });

  it('the limit is per instance: a newinstance instance gets its own kernel.pty.max indices (2.6.39-y)', () => {
    // kernel-code.md §1.7: "the limit applies per instance, not globally"
    const r = run('2.6.39-y', [sysctl('kernel.pty.max', 2), ...opens('/dev/ptmx', 2), mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'),
      ...opens('/tmp/a/ptmx', 3, 'n')]);
    expect(outcomes(r.results.slice(-3))).toEqual(['ok', 'ok', 'EIO']);
  });

  it.each(['2.6.39-n', '2.6.39-y'] as const)('closing a pty frees its index below the limit again (%s)', (p) => {
    // lowest free index (ida); only the index counts in 2.6.39 (pty_count is never decremented and unused)
    const r = run(p, [sysctl('kernel.pty.max', 1), open('/dev/ptmx', { as: 'a' }), open('/dev/ptmx', { note: 'full' }), close('a'), open('/dev/ptmx')]);
    expect(errnoOf(r.at('full'))).toBe('EIO');
    expect(indexOf(r.last)).toBe(0);
  });

  it.each(['2.6.39-n', '2.6.39-y'] as const)('there is no kernel.pty.reserve sysctl (%s)', (p) => {
    // kernel-code.md §1.7: 2.6.39 has no kernel.pty.reserve
    expect(run(p, [sysctl('kernel.pty.reserve', 1)]).last).toEqual({ errno: 'ENOENT' });
  });

  it('2.6.39-y: lowering kernel.pty.max below the indices in use blocks new opens but keeps the ptys', () => {
    // devpts_new_index 2.6.39: the check is on the new index only; existing ptys are untouched
    const r = run('2.6.39-y', [...opens('/dev/ptmx', 3), sysctl('kernel.pty.max', 1), open('/dev/ptmx'), { op: 'readdir', path: '/dev/pts' }]);
    expect(errnoOf(r.results[4])).toBe('EIO');
    expect(okv(r.last).entries).toEqual(['0', '1', '2', 'ptmx']);
  });
});

describe('3.4-y: a global count, max − reserve for newinstance instances, max=, ENOSPC', () => {
  it('the initial instance may use all of kernel.pty.max, then ENOSPC (3.4-y)', () => {
    // profiles.md 3.4-y: the initial instance may use all of it; every limit fails with ENOSPC (devpts_new_index 3.4)
    const r = run('3.4-y', [sysctl('kernel.pty.max', 3), sysctl('kernel.pty.reserve', 1), ...opens('/dev/ptmx', 4)]);
    expect(outcomes(r.results.slice(2))).toEqual(['ok', 'ok', 'ok', 'ENOSPC']);
  });

  it('newinstance instances only get max − reserve of the global count (3.4-y)', () => {
    // profiles.md 3.4-y: instances created with newinstance may use only max − reserve
    const r = run('3.4-y', [sysctl('kernel.pty.max', 5), sysctl('kernel.pty.reserve', 2), mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'),
      ...opens('/tmp/a/ptmx', 4)]);
    expect(outcomes(r.results.slice(-4))).toEqual(['ok', 'ok', 'ok', 'ENOSPC']);
  });

  it('the count is global: ptys in the initial instance use up a newinstance instance\'s allowance (3.4-y)', () => {
    // profiles.md 3.4-y: kernel.pty.max is a global count of ptys
    const r = run('3.4-y', [sysctl('kernel.pty.max', 5), sysctl('kernel.pty.reserve', 2), ...opens('/dev/ptmx', 2), mkdir('/tmp/a'),
      mountDevpts('/tmp/a', 'newinstance'), ...opens('/tmp/a/ptmx', 2, 'n'), open('/dev/ptmx'), open('/dev/ptmx')]);
    // 2 host + 1 container = 3 = max − reserve: the 2nd container open fails; the host still gets the reserve (4, 5)
    expect(outcomes(r.results.slice(-4))).toEqual(['ok', 'ENOSPC', 'ok', 'ok']);
  });

  it('closing frees a slot of the global count (3.4-y)', () => {
    // 3.4 devpts_kill_index: pty_count--
    const r = run('3.4-y', [sysctl('kernel.pty.max', 1), open('/dev/ptmx', { as: 'a' }), open('/dev/ptmx', { note: 'full' }), close('a'), open('/dev/ptmx')]);
    expect(errnoOf(r.at('full'))).toBe('ENOSPC');
    expect(indexOf(r.last)).toBe(0);
  });

  it('max=N limits an instance to N ptys: ENOSPC (3.4-y)', () => {
    // profiles.md 3.4-y: new option max=N; index >= max → ENOSPC (3.4 devpts_new_index)
    const r = run('3.4-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,max=2'), ...opens('/tmp/a/ptmx', 3)]);
    expect(outcomes(r.results.slice(-3))).toEqual(['ok', 'ok', 'ENOSPC']);
  });

  it('max=0 means every open fails with ENOSPC (3.4-y)', () => {
    // profiles.md 3.4-y: max=0 means every open fails
    const r = run('3.4-y', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,max=0'), open('/tmp/a/ptmx')]);
    expect(r.last).toEqual({ errno: 'ENOSPC' });
  });

  it('a plain max=0 mount in a container stops the host from allocating ptys (3.4-y)', () => {
    // K2 (memcpy clobber) with max=: the host's /dev/ptmx allocates in the initial instance
    const r = run('3.4-y', [spawn(2, { newns: true }), mountDevpts('/dev/pts', 'max=0', { pid: 2 }), open('/dev/ptmx')]);
    expect(r.last).toEqual({ errno: 'ENOSPC' });
  });
});

describe('6.x: max=0 is no limit; limit − 1 / limit − reserve − 1 globally', () => {
  it('max=N limits an instance to N ptys: ENOSPC (6.x)', () => {
    // profiles.md 6.x: max=N per instance → ENOSPC (ida_alloc_max; live 6.x S1c, S4e)
    const r = run('6.x', [...opens('/dev/ptmx', 3)], { devptsOptions: 'max=2' });
    expect(outcomes(r.results)).toEqual(['ok', 'ok', 'ENOSPC']);
  });

  it('max=0 is accepted and means no per-instance limit (6.x)', () => {
    // profiles.md 6.x: max=0 is accepted and means no per-instance limit (live 6.x S4e)
    const r = run('6.x', [...opens('/dev/ptmx', 4)], { devptsOptions: 'max=0' });
    expect(r.results.map(indexOf)).toEqual([0, 1, 2, 3]);
  });

  it('an instance mounted from the initial namespace holds at most kernel.pty.max − 1 ptys (6.x)', () => {
    // profiles.md 6.x: one mounted from inside it max − 1 (atomic_inc_return off-by-one, kernel-code.md §3.5)
    const r = run('6.x', [sysctl('kernel.pty.max', 6), sysctl('kernel.pty.reserve', 2), ...opens('/dev/ptmx', 6)]);
    expect(outcomes(r.results.slice(2))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ENOSPC']);
  });

  it('an instance mounted outside the initial namespace holds at most max − reserve − 1 ptys (6.x)', () => {
    // profiles.md 6.x: max − reserve − 1 (live 6.x S4g: 3071 with 4096/1024), here with small sysctl values
    const r = run('6.x', [
      sysctl('kernel.pty.max', 6), sysctl('kernel.pty.reserve', 2), spawn(2, { newns: true }),
      mountDevpts('/dev/pts', 'ptmxmode=0666', { pid: 2 }), ...opens('/dev/ptmx', 4, 'm', 2),
    ]);
    expect(outcomes(r.results.slice(-4))).toEqual(['ok', 'ok', 'ok', 'ENOSPC']);
  });

  it('the count is global: the host\'s ptys use up a container instance\'s allowance, the host keeps the reserve (6.x)', () => {
    // pty_count is global (devpts_new_index 6.x); reserve instances may go up to max − 1
    const r = run('6.x', [
      sysctl('kernel.pty.max', 6), sysctl('kernel.pty.reserve', 2), ...opens('/dev/ptmx', 2, 'h'),
      spawn(2, { newns: true }), mountDevpts('/dev/pts', undefined, { pid: 2 }),
      open('/dev/ptmx', { pid: 2, as: 'c0' }), open('/dev/ptmx', { pid: 2, as: 'c1' }), open('/dev/ptmx', { as: 'h2' }), open('/dev/ptmx', { as: 'h3' }), open('/dev/ptmx', { as: 'h4' }),
    ]);
    // count 2 → container: 3rd would make 4 ≥ 6 − 2 → c1 fails; host: up to 5
    expect(outcomes(r.results.slice(-5))).toEqual(['ok', 'ENOSPC', 'ok', 'ok', 'ENOSPC']);
  });

  it('with kernel.pty.max = 1 no pty can be allocated at all (6.x)', () => {
    // kernel-code.md §3.5: "With kernel.pty.max=1, no pty can be allocated at all in modern kernels"
    expect(run('6.x', [sysctl('kernel.pty.max', 1), open('/dev/ptmx')]).last).toEqual({ errno: 'ENOSPC' });
  });
});

describe('the sysctls themselves', () => {
  it.each(ALL)('only root may set them: EACCES (%s)', (p) => {
    // /proc/sys/kernel/pty/max is mode 0644
    expect(run(p, [setuid(1000), sysctl('kernel.pty.max', 10)]).last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('kernel.pty.max outside 0..1048576 is EINVAL (%s)', (p) => {
    // pty_limit_min 0, pty_limit_max NR_UNIX98_PTY_MAX (drivers/tty/pty.c; fs/devpts/inode.c 3.4+)
    expect(run(p, [sysctl('kernel.pty.max', 1048577)]).last).toEqual({ errno: 'EINVAL' });
    expect(run(p, [sysctl('kernel.pty.max', 1048576)]).last).toEqual({ ok: true });
  });

  it.each(ALL)('an unknown sysctl is ENOENT (%s)', (p) => {
    // operations.md sysctl: kernel.pty.max, kernel.pty.reserve (3.4+) and the read-only kernel.pty.nr
    expect(run(p, [sysctl('kernel.pty.bogus', 1)]).last).toEqual({ errno: 'ENOENT' });
  });

  it.each(ALL)('writing kernel.pty.nr is EACCES, even for root (%s)', (p) => {
    // /proc/sys/kernel/pty/nr is mode 0444: root's DAC override adds no write bit (proc_sys_permission)
    expect(run(p, [sysctl('kernel.pty.nr', 1)]).last).toEqual({ errno: 'EACCES' });
  });
});
