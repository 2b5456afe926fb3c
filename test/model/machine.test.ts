// The xstate machine: the kernel's modes as the document names them (model/charts/mode.ts),
// run as an actor (model/machine.ts); step dispatches through the table derived from it.
import { describe, expect, it } from 'vitest';
import { boot, kernelMode, PROFILE_IDS, PROFILES, profileOf, runThroughMachine, step, type Op, type ProfileId } from '../../model/index.ts';
import { MODE_DISPATCH, MODE_TABLE, MODES } from '../../model/charts/mode.ts';
import { HANDLERS } from '../../model/handlers.ts';
import { ALL, CONFIG_Y, bind, close, mkdir, mountDevpts, open, readdir, remount, run, umount } from './helpers.ts';

const modeAfter = (p: ProfileId, ops: Op[], bootConfig = {}) =>
  runThroughMachine(profileOf(p), boot(p, bootConfig), ops).snapshot.value;

describe('kernel modes (xstate machine)', () => {
  it.each([
    ['2.6.39-n', 'legacy'],
    ['2.6.39-y', 'singleInstance'],
    ['3.4-y', 'singleInstance'],
    ['6.x', 'perMountInstances'],
  ] as const)('%s boots into %s', (p, mode) => {
    // devpts.txt: "legacy" mode (CONFIG=n), "single-instance" mode (CONFIG=y, no newinstance); 6.x every mount new
    expect(modeAfter(p, [])).toBe(mode);
    expect(kernelMode(profileOf(p), boot(p))).toBe(mode);
  });

  it.each(CONFIG_Y)('singleInstance → multiInstance on a successful newinstance mount (%s)', (p) => {
    // devpts.txt: "the mount is considered to be in the multi-instance mode"; profiles.md 2.6.39-y
    expect(modeAfter(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance')])).toBe('multiInstance');
  });

  it.each(CONFIG_Y)('a failing newinstance mount (bogus option) stays in singleInstance (%s)', (p) => {
    // profiles.md 2.6.39-y: an unknown option fails the whole mount with EINVAL and nothing changes
    const ops = [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,bogus')];
    const { results, snapshot } = runThroughMachine(profileOf(p), boot(p), ops);
    expect(results[1]).toMatchObject({ errno: 'EINVAL' });
    expect(snapshot.value).toBe('singleInstance');
  });

  it.each(CONFIG_Y)('plain mounts and a remount with newinstance stay in singleInstance (%s)', (p) => {
    // parse_mount_options: newinstance only on PARSE_MOUNT; on remount it is accepted and ignored
    expect(modeAfter(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a'), remount('/dev/pts', 'newinstance')])).toBe('singleInstance');
  });

  it.each(CONFIG_Y)('multiInstance is not left again when the newinstance mount goes away (%s)', (p) => {
    // profiles.md: "single-instance until the first successful newinstance mount, multi-instance after"
    expect(modeAfter(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'), umount('/tmp/a')])).toBe('multiInstance');
  });

  it.each(CONFIG_Y)('booting with a newinstance devpts starts in multiInstance (%s)', (p) => {
    // boot mounts with the profile's own mount semantics (operations.md); multi-instance after a newinstance mount
    expect(modeAfter(p, [], { devptsOptions: 'newinstance' })).toBe('multiInstance');
  });

  it('2.6.39-n stays legacy after a newinstance mount (the option is bogus there and ignored)', () => {
    // profiles.md 2.6.39-n: newinstance is an unknown option; the mount succeeds on the single instance
    expect(modeAfter('2.6.39-n', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance')])).toBe('legacy');
  });

  it('6.x stays perMountInstances whatever it mounts', () => {
    // profiles.md 6.x: every mount is a new instance; there is no single-instance mode
    expect(modeAfter('6.x', [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'), mountDevpts('/tmp/a')])).toBe('perMountInstances');
  });

  it.each(ALL)('the xstate interpreter and the dispatch table derived from the chart give the same results and state (%s)', (p) => {
    // two executions of one chart: xstate's own (guards, actions, entry) and step's compiled table
    const ops: Op[] = [
      mkdir('/tmp/a'), mountDevpts('/tmp/a', p === '6.x' ? 'ptmxmode=0666' : 'newinstance,ptmxmode=0666'),
      bind('/tmp/a/ptmx', '/dev/ptmx'), open('/dev/ptmx'), open('/dev/ptmx'), close('fd1'), open('/dev/ptmx'),
      readdir('/tmp/a'), umount('/dev/pts'), open('/tmp/a/ptmx'),
    ] as Op[];
    const viaStep = run(p, ops);
    const viaMachine = runThroughMachine(profileOf(p), boot(p), ops);
    expect(viaMachine.results).toEqual(viaStep.results);
    expect(viaMachine.snapshot.context.kernel).toEqual(viaStep.state);
  });
});

describe('the mode chart: each mode accepts what means something there', () => {
  it('singleInstance alone moves on a mount: to multiInstance when the mount made a new instance', () => {
    const mount = (m: string) => MODE_TABLE.transitions(m, 'mount');
    expect(mount('singleInstance').map((t) => [t.guard, t.target])).toEqual([['newinstanceMounted', 'multiInstance'], [null, null]]);
    for (const m of ['legacy', 'multiInstance', 'perMountInstances']) expect(mount(m).map((t) => t.target)).toEqual([null]);
  });

  it('only perMountInstances has TIOCGPTPEER; the older modes answer an unknown ioctl (EINVAL up to 3.x, ENOTTY on 4.4)', () => {
    expect(MODES.map((m) => MODE_TABLE.transitions(m, 'peer').map((t) => t.actions.join()))).toEqual([['unknownIoctl'], ['unknownIoctl'], ['unknownIoctl'], ['peer']]);
    for (const p of PROFILE_IDS) {
      // the profile record's `peer` says the same as the chart (a 4.7-4.12 profile would need a guard there)
      expect(PROFILES[p].peer, p).toBe(PROFILES[p].bootMode === 'perMountInstances');
      const s = step(boot(p), { op: 'open', path: '/dev/ptmx', as: 'm' }).state;
      expect(step(s, { op: 'peer', fd: 'm' }).result, p).toEqual(PROFILES[p].peer ? expect.objectContaining({ errno: 'EIO' }) : { errno: p.startsWith('4.4') ? 'ENOTTY' : 'EINVAL' });
    }
  });

  it('step takes its dispatch from the chart: ops the modes do not decide run their handler directly, in every mode', () => {
    for (const m of MODES) {
      expect(MODE_DISPATCH[m].stat).toBe(HANDLERS.stat);
      expect(MODE_DISPATCH[m].open).toBe(HANDLERS.open);
    }
    expect(MODE_DISPATCH.singleInstance.mount).not.toBe(HANDLERS.mount); // the guarded transition
    expect(MODE_DISPATCH.multiInstance.mount).toBe(HANDLERS.mount);
  });

  it('entering multiInstance records the mode in the kernel state (the chart\'s entry action), and the mount itself does not', () => {
    const before = boot('2.6.39-y', { mountDevpts: false });
    const viaTable = step(before, { op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance' });
    expect(viaTable.state.multiInstance).toBe(true);
    // the handler alone (what the chart runs as the transition's action) leaves the flag
    const handlerOnly = HANDLERS.mount({ profile: profileOf('2.6.39-y'), state: before, proc: before.procs[1]! }, { op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance' });
    expect(handlerOnly.state.multiInstance).toBe(false);
  });
});
