// The xstate machine wraps the pure `step`; this keeps the two from ever drifting
// apart: random op sequences through both, identical states and results at every step.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boot, opEvent, PROFILE_IDS, profileOf, startKernelActor, step, type Op } from '../../model/index.ts';

const paths = ['/dev/ptmx', '/dev/pts', '/dev/pts/ptmx', '/dev/pts/0', '/dev/pts/1', '/tmp', '/tmp/a', '/tmp/a/ptmx', '/tmp/a/pts', '/tmp/x'];
const options = ['', 'newinstance', 'newinstance,ptmxmode=0666', 'gid=5,mode=620', 'newinstance,gid=5,mode=620', 'gid=5,mode=620,newinstance', 'bogus', 'max=1', 'ptmxmode=0666'];
const pid = fc.constantFrom(1, 2, 3);
const path = fc.constantFrom(...paths);
const handle = fc.constantFrom('h0', 'h1', 'h2', 'h3');

const anyOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('spawn' as const), pid, child: fc.constantFrom(2, 3), newns: fc.boolean() }),
  fc.record({ op: fc.constant('unshare' as const), pid }),
  fc.record({ op: fc.constant('setuid' as const), pid, uid: fc.constantFrom(0, 1000) }),
  fc.record({ op: fc.constant('mount' as const), pid, fstype: fc.constantFrom('devpts', 'tmpfs'), target: path, options: fc.constantFrom(...options) }),
  fc.record({ op: fc.constant('remount' as const), pid, target: path, options: fc.constantFrom(...options) }),
  fc.record({ op: fc.constant('bind' as const), pid, source: path, target: path }),
  fc.record({ op: fc.constant('umount' as const), pid, target: path, lazy: fc.boolean() }),
  fc.record({ op: fc.constant('mkdir' as const), pid, path }),
  fc.record({ op: fc.constant('mknod' as const), pid, path, major: fc.constant(5), minor: fc.constant(2) }),
  fc.record({ op: fc.constant('symlink' as const), pid, target: fc.constantFrom('pts/ptmx', '/dev/pts/ptmx', 'a'), path }),
  fc.record({ op: fc.constant('unlink' as const), pid, path }),
  fc.record({ op: fc.constant('chmod' as const), pid, path, mode: fc.constantFrom('0666', '0000') }),
  fc.record({ op: fc.constant('stat' as const), pid, path }),
  fc.record({ op: fc.constant('readdir' as const), pid, path }),
  fc.record({ op: fc.constant('open' as const), pid, path, as: handle }),
  fc.record({ op: fc.constant('unlockpt' as const), pid, fd: handle }),
  fc.record({ op: fc.constant('peer' as const), pid, fd: handle }),
  fc.record({ op: fc.constant('close' as const), pid, fd: handle }),
  fc.record({ op: fc.constant('exit' as const), pid: fc.constantFrom(2, 3) }),
);

describe('the xstate machine and the bare step', () => {
  for (const profile of PROFILE_IDS) {
    it(`agree on state and result at every step of 1,000 random 30-step sequences (${profile})`, () => {
      fc.assert(
        fc.property(fc.array(anyOp, { minLength: 30, maxLength: 30 }), (ops) => {
          let state = boot(profile);
          const actor = startKernelActor(profileOf(profile), state);
          for (const op of ops) {
            const bare = step(state, op);
            actor.send(opEvent(op));
            const snap = actor.getSnapshot();
            expect(snap.context.last).toEqual(bare.result);
            expect(snap.context.kernel).toEqual(bare.state);
            state = bare.state;
          }
          actor.stop();
        }),
        { numRuns: 1000, seed: 20261129 },
      );
    });
  }
});
