// step itself (model/step.ts): tool errors are not kernel results; failed steps leave the state
// unchanged [I5] except where K1/K4/K11 say otherwise.
import { describe, expect, it } from 'vitest';
import { boot, step, validateOp, type Op } from '../../model/index.ts';
import { ALL, CONFIG_Y, mkdir, mountDevpts, remount, run } from './helpers.ts';

describe('step', () => {
  it.each(ALL)('tool errors: a missing pid, an unknown handle, a handle of another process, a duplicate "as" (%s)', (p) => {
    // operations.md "Errors of the tool itself"
    const s = boot(p);
    expect(step(s, { op: 'stat', path: '/', pid: 9 }).result).toEqual({ error: 'process 9 does not exist', field: 'pid' });
    expect(step(s, { op: 'close', fd: 'nope' }).result).toMatchObject({ field: 'fd' });
    const withChild = step(s, { op: 'spawn', child: 2 }).state;
    const opened = step(withChild, { op: 'open', path: '/dev/ptmx', as: 'm' }).state;
    expect(step(opened, { op: 'unlockpt', fd: 'm', pid: 2 }).result).toMatchObject({ field: 'fd' });
    expect(step(opened, { op: 'open', path: '/dev/ptmx', as: 'm' }).result).toMatchObject({ field: 'as' });
    expect(step(opened, { op: 'spawn', child: 2 }).result).toMatchObject({ field: 'child' });
  });

  it.each(ALL)('a tool error leaves the state untouched (%s)', (p) => {
    // operations.md: a step that is not well-formed is not a kernel result; nothing else runs
    const s = boot(p);
    expect(step(s, { op: 'close', fd: 'nope' }).state).toBe(s);
  });

  it('validateOp rejects malformed steps by field', () => {
    // operations.md: a path with a NUL byte (relative paths are paths: from the working directory), an unknown op, a missing field
    expect(validateOp({ op: 'open', path: 'dev/\0ptmx' })).toMatchObject({ field: 'path' });
    expect(validateOp({ op: 'open', path: 'dev/ptmx' })).toBeNull();
    expect(validateOp({ op: 'frobnicate' })).toMatchObject({ field: 'op' });
    expect(validateOp({ op: 'chmod', path: '/x' })).toMatchObject({ field: 'mode' });
    expect(validateOp({ op: 'open', path: '/dev/ptmx' })).toBeNull();
  });

  it.each(ALL)('a failed step leaves the state unchanged [I5] (%s)', (p) => {
    // clauses.md I5: each of these steps fails, and the state after it is the very state before it
    const failing: [Op, string][] = [
      [{ op: 'open', path: '/nope' }, 'ENOENT'],
      [{ op: 'mkdir', path: '/tmp' }, 'EEXIST'],
      [{ op: 'umount', target: '/tmp' }, 'EINVAL'],
      [{ op: 'mount', fstype: 'devpts', target: '/dev/pts', pid: 2 }, 'EPERM'],
      [{ op: 'chmod', path: '/dev/ptmx', mode: '0600', pid: 2 }, 'EPERM'],
      [{ op: 'open', path: '/dev/pts/0', pid: 2 }, 'ENOENT'],
    ];
    const s = step(step(boot(p), { op: 'spawn', child: 2 }).state, { op: 'setuid', pid: 2, uid: 1000 }).state;
    for (const [op, errno] of failing) {
      const out = step(s, op);
      expect(out.result, JSON.stringify(op)).toEqual({ errno });
      expect(out.state, JSON.stringify(op)).toBe(s);
    }
  });

  it.each(CONFIG_Y)('...except a failing remount, which changes the options and the ptmx node [K4] (%s)', (p) => {
    // clauses.md I5 exception K4 (devpts_remount 2.6.39/3.4)
    const before = run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,ptmxmode=0666')]);
    const after = run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,ptmxmode=0666'), remount('/tmp/a', 'bogus')]);
    expect(after.last).toMatchObject({ errno: 'EINVAL' });
    expect(after.state).not.toEqual(before.state);
  });

  it('...and a legacy mount with a bogus option succeeds while changing the options [K1] (2.6.39-n)', () => {
    // clauses.md I5 exception K1 (mount_single ignores the remount error, 2.6.39)
    const r = run('2.6.39-n', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'gid=5,bogus')]);
    expect(r.last).toEqual({ ok: true, log: ['devpts: called with bogus options'] });
  });

  it.each(ALL)('step is pure: the same state and op give the same result, and the input state is not mutated (%s)', (p) => {
    // design README: model/ is pure, immutable state
    const s = boot(p);
    const snapshot = JSON.stringify(s);
    const a = step(s, { op: 'open', path: '/dev/ptmx' });
    const b = step(s, { op: 'open', path: '/dev/ptmx' });
    expect(a).toEqual(b);
    expect(JSON.stringify(s)).toBe(snapshot);
  });
});
