// The xstate machine: the kernel's modes as the document names them (model/machine.ts),
// wrapping the same pure step.
import { describe, expect, it } from 'vitest';
import { boot, kernelMode, profileOf, runThroughMachine, type Op, type ProfileId } from '../../model/index.ts';
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

  it.each(ALL)('the machine gives the same results and state as step (%s)', (p) => {
    // model/machine.ts wraps the same pure step
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
