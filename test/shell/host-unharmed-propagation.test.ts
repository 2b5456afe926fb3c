// Issue 13 item 3: a mount that propagates into the host's namespace is the host's too,
// and the script checker's "host unharmed" sees it.

import { describe, expect, it } from 'vitest';
import { boot, profileOf, PROFILE_IDS } from '../../model/index.ts';
import { HOST_PID, Run } from '../../shell/run.ts';
import { hostUnharmed } from '../../shell/verdicts.ts';

describe('host unharmed sees mounts that propagate into the host', () => {
  it.each(PROFILE_IDS)('a container whose namespace kept the host\'s shared mounts mounts on /dev/pts: the host\'s /dev/pts changed (%s)', (p) => {
    const bootConfig = { devptsOptions: 'gid=5,mode=620', rootPropagation: 'shared' as const };
    const run = new Run(p, boot(p, bootConfig));
    run.exec({ op: 'spawn', pid: HOST_PID, child: 7, newns: true, propagation: 'keep' }, null);
    const m = run.exec({ op: 'mount', pid: 7, fstype: 'tmpfs', target: '/dev/pts' }, null);
    expect(m).toMatchObject({ ok: true });
    const v = hostUnharmed(run, bootConfig);
    expect(v.value).toBe(false);
    expect(v.why).toMatch(/the host's mounts at its pty paths are \/dev\/pts devpts [^;]*; \/dev\/pts tmpfs, at boot \/dev\/pts devpts/);
  });

  it.each(PROFILE_IDS)('the same mount in a private copy (util-linux\'s default) leaves the host unharmed (%s)', (p) => {
    const bootConfig = { devptsOptions: 'gid=5,mode=620', rootPropagation: 'shared' as const };
    const run = new Run(p, boot(p, bootConfig));
    run.exec({ op: 'spawn', pid: HOST_PID, child: 7, newns: true }, null);
    run.exec({ op: 'mount', pid: 7, fstype: 'devpts', target: '/dev/pts', options: 'newinstance,ptmxmode=0666' }, null);
    // a legacy kernel (=n) has one instance: the container's mount is the host's instance, remounted
    expect(hostUnharmed(run, bootConfig).value).toBe(profileOf(p).bootMode !== 'legacy');
  });
});
