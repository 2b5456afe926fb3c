// The examples/ scripts and their verdicts per profile. The expectations were derived
// from clauses.md and profiles.md before running the checker (the reasoning is beside
// each row); examples/README.md explains every "no". Boot: gid=5,mode=620 (the default).
//
// Columns: reachable, isolated, host unharmed, non-root usable (y/n).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { checkScript, type CheckOptions } from '../../shell/check.ts';
import { modelHas, verdict, verdictTable } from './helpers.ts';

const run = (name: string) => checkScript(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'), { scriptName: `examples/${name}` });

const EXPECTED: Record<string, { table: Record<string, string>; why: Record<string, RegExp> }> = {
  // D8 on CONFIG=y: the daemon's pty stays in the container's instance. Every profile
  // fails "host unharmed" (line 6 chmods the host's /dev/pts/ptmx to 0666) and
  // "non-root usable" (the new instance's ptmx keeps ptmxmode's default 0000, U3).
  // CONFIG=n: no /dev/pts/ptmx, so the /dev/ptmx symlink dangles for everyone (host
  // too), and there is one instance (D2, D3).
  'doc-container.sh': {
    table: { '2.6.39-n': 'nnnn', '2.6.39-y': 'yynn', '3.4-y': 'yynn', '4.4-n': 'nnnn', '4.4-y': 'yynn', '6.1': 'yynn', '6.x': 'yynn' },
    why: {
      '2.6.39-n/reachable': /ENOENT.*CONFIG_DEVPTS_MULTIPLE_INSTANCES=n/,
      '2.6.39-y/hostUnharmed': /\/dev\/pts\/ptmx is chr 0666 0:0 \(5:2\), at boot chr 0000.*line 6/,
      '6.x/nonRootUsable': /EACCES.*0000/,
    },
  },
  // U4: holds on CONFIG=y and 6.x. CONFIG=n: newinstance is a bogus option at the head of
  // the data, so the mount resets the single instance's options (K1, D3 violated) and
  // there is one instance (no isolation); /dev/ptmx still works.
  'doc-note4.sh': {
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'yyyy', '3.4-y': 'yyyy', '4.4-n': 'ynny', '4.4-y': 'yyyy', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: {
      '2.6.39-n/isolated': /one instance for everyone/,
      '2.6.39-n/hostUnharmed': /0600 0:0, at boot 0620 0:5.*line 9/,
    },
  },
  // U5 on CONFIG=y: /dev/ptmx allocates in the initial instance: unreachable in the
  // container, visible to the host. 6.x: a plain /dev/ptmx uses the sibling pts (K8),
  // so no redirect is needed. CONFIG=n as above.
  'forgot-redirect.sh': {
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'nnyn', '3.4-y': 'nnyn', '4.4-n': 'ynny', '4.4-y': 'nnyn', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: {
      '2.6.39-y/reachable': /not redirected.*note 5, clause U5/,
      '3.4-y/isolated': /appears in the host's \/dev\/pts/,
    },
  },
  // D4/U7 on CONFIG=y: the container binds the initial instance (no isolation) and K2
  // replaces its options (the host's new ptys lose gid=5,mode=620). 6.x: a new instance.
  'no-newinstance.sh': {
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'ynny', '3.4-y': 'ynny', '4.4-n': 'ynny', '4.4-y': 'ynny', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: {
      '2.6.39-y/isolated': /without newinstance binds the initial instance \(document note 7, clause U7\)/,
      '3.4-y/hostUnharmed': /0600 0:0, at boot 0620 0:5.*line 7/,
    },
  },
  // The container works everywhere CONFIG=y or 6.x (U2, U3 via ptmxmode=0666). But /dev
  // is the host's: `ln -sf` replaces the host's /dev/ptmx by a link to the host's
  // /dev/pts/ptmx, mode 0000, so non-root host users lose ptys (K7). CONFIG=n: no ptmx
  // node at all (dangling link), one instance, options reset (K1).
  'lxc-style.sh': {
    table: { '2.6.39-n': 'nnnn', '2.6.39-y': 'yyny', '3.4-y': 'yyny', '4.4-n': 'nnnn', '4.4-y': 'yyny', '6.1': 'yyny', '6.x': 'yyny' },
    why: {
      '2.6.39-y/hostUnharmed': /non-root host user can no longer reach a pty.*EACCES.*line 8/,
      '6.x/hostUnharmed': /line 8 \(`ln -sf pts\/ptmx \/dev\/ptmx`\)/,
    },
  },
  // lxc-style.sh with its own /dev (tmpfs): every verdict yes where multi-instance
  // devpts exists; CONFIG=n has no /dev/pts/ptmx to link to.
  'lxc-private-dev.sh': {
    table: { '2.6.39-n': 'nnnn', '2.6.39-y': 'yyyy', '3.4-y': 'yyyy', '4.4-n': 'nnnn', '4.4-y': 'yyyy', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: { '2.6.39-n/hostUnharmed': /a new host pty is 0600 0:0, at boot 0620 0:5.*line 8/ },
  },
};

/**
 * The examples of real-world patterns (issue 14), with the flags they are checked with.
 * They need the model's process roots, devtmpfs, move and user namespaces (the "world"
 * issue): until the model has them, their tests are skipped, and say so.
 */
const WORLD: Record<string, { options: CheckOptions; needs: Op; table: Record<string, string>; why: Record<string, RegExp> }> = {
  // U4 in a chroot: its own instance (newinstance, ptmxmode=0666) and /dev/ptmx bound to
  // it; the EXIT trap unmounts everything. CONFIG=n: newinstance is bogus (K1, D3: the
  // single instance's options reset, the host's ptys become 0600 0:0), there is no
  // /dev/pts/ptmx to bind (set -e ends the script there): the "container" is the
  // script's own process, on the host's one instance.
  'chroot-helper.sh': {
    options: { rootfs: ['/srv/chroot'], args: ['/srv/chroot', 'ls', '/dev/pts'] }, needs: { op: 'chroot', pid: 1, path: '/' },
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'yyyy', '3.4-y': 'yyyy', '4.4-n': 'ynny', '4.4-y': 'yyyy', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: { '2.6.39-n/hostUnharmed': /a new host pty is 0600 0:0, at boot 0620 0:5/ },
  },
  // U5 in a chroot: the rootfs's static c 5:2 node allocates in the initial instance on
  // CONFIG=y (the host's), which the chroot's /dev/pts (its new instance) does not list;
  // 6.x finds the sibling pts (K8). CONFIG=n as above, but the chroot runs, on the one instance.
  'chroot-no-redirect.sh': {
    options: { rootfs: ['/srv/chroot'], args: ['/srv/chroot', 'ls', '/dev/pts'] }, needs: { op: 'chroot', pid: 1, path: '/' },
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'nnyn', '3.4-y': 'nnyn', '4.4-n': 'ynny', '4.4-y': 'nnyn', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: { '2.6.39-y/reachable': /not redirected.*note 5, clause U5/, '3.4-y/isolated': /appears in the host's \/dev\/pts/ },
  },
  // An initramfs: devtmpfs on /dev (its ptmx node c 5:2, 0666), devpts with gid=5,mode=620
  // on /dev/pts, both moved into the new root before switch_root. Every profile: root and
  // uid 1000 get a pty listed in /dev/pts (on CONFIG=y and =n the initial instance).
  'initramfs-init.sh': {
    options: { role: 'host', boot: 'none' }, needs: { op: 'move', pid: 1, source: '/tmp', target: '/tmp' },
    table: { '2.6.39-n': 'y--y', '2.6.39-y': 'y--y', '3.4-y': 'y--y', '4.4-n': 'y--y', '4.4-y': 'y--y', '6.1': 'y--y', '6.x': 'y--y' },
    why: {},
  },
  // pbuilder's mountproc/umountproc, called by a build function (--call): U4 on CONFIG=y
  // and 6.x. CONFIG=n: bogus newinstance (K1, D3), no /dev/pts/ptmx to bind (the guard
  // skips it), one instance.
  'pbuilder-modules.sh': {
    options: { call: 'build', rootfs: ['/var/cache/pbuilder/build/1234'], env: new Map([['BUILDPLACE', '/var/cache/pbuilder/build/1234']]) }, needs: { op: 'chroot', pid: 1, path: '/' },
    table: { '2.6.39-n': 'ynny', '2.6.39-y': 'yyyy', '3.4-y': 'yyyy', '4.4-n': 'ynny', '4.4-y': 'yyyy', '6.1': 'yyyy', '6.x': 'yyyy' },
    why: { '2.6.39-n/isolated': /one instance for everyone/ },
  },
  // unshare -U -r: 4.7+ mounts devpts in the user namespace (a new instance) and binds its
  // ptmx; only root is mapped, so uid 1000 does not exist there. 2.6.39 and 3.4 have no
  // unshare(CLONE_NEWUSER) (EINVAL): the wrapper fails and no container is made. 4.4-y:
  // devpts with newinstance is mountable from a user namespace (3.9), as 4.7+; 4.4-n: not
  // (EPERM), the container's shell stops before the chroot, on the host's one instance.
  'rootless-unshare.sh': {
    options: { rootfs: ['/home/builder/rootfs'], args: ['/home/builder/rootfs', 'ls', '/dev/pts'] }, needs: { op: 'chroot', pid: 1, path: '/' },
    table: { '2.6.39-n': 'ynyy', '2.6.39-y': 'ynyy', '3.4-y': 'ynyy', '4.4-n': 'ynyn', '4.4-y': 'yyyn', '6.1': 'yyyn', '6.x': 'yyyn' },
    why: { '6.x/nonRootUsable': /setuid 1000 → EINVAL/, '3.4-y/isolated': /the container is the host's own mount namespace/ },
  },
};

describe('examples/ of real-world patterns (they need the model of the "world" issue)', () => {
  for (const [name, { options, needs, table, why }] of Object.entries(WORLD)) {
    const missing = !modelHas(needs);
    it.skipIf(missing)(`${name}: verdicts per profile as derived from the kernel's rules${missing ? ` (skipped: the model has no \`${needs.op}\` yet)` : ''}`, async () => {
      const text = readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
      const report = await checkScript(text, { scriptName: `examples/${name}`, ...options });
      expect(verdictTable(report)).toEqual(table);
      expect(report.warnings).toEqual([]);
      for (const [key, re] of Object.entries(why)) {
        const [profile, name2] = key.split('/') as [Parameters<typeof verdict>[1], Parameters<typeof verdict>[2]];
        expect(verdict(report, profile, name2).why).toMatch(re);
      }
    });
  }

  it('every one is in README.md, with its flags and its verdict table', () => {
    const readme = readFileSync(new URL('../../examples/README.md', import.meta.url), 'utf8');
    for (const [name, { table }] of Object.entries(WORLD)) {
      expect(readme).toContain(`\`${name}\``);
      for (const [profile, cells] of Object.entries(table)) {
        const row = `| \`${name}\` | ${profile} | ${[...cells].map((c) => (c === 'y' ? 'yes' : c === '-' ? 'n/a' : '**no**')).join(' | ')} |`;
        expect(readme).toContain(row);
      }
    }
  });
});

describe('examples/', () => {
  for (const [name, { table, why }] of Object.entries(EXPECTED)) {
    it(`${name}: verdicts per profile as derived from the clauses`, async () => {
      const report = await run(name);
      expect(verdictTable(report)).toEqual(table);
      expect(report.warnings).toEqual([]);
      for (const [key, re] of Object.entries(why)) {
        const [profile, name2] = key.split('/') as [Parameters<typeof verdict>[1], Parameters<typeof verdict>[2]];
        expect(verdict(report, profile, name2).why).toMatch(re);
      }
    });
  }

  it('every example is in README.md, with its verdict table', () => {
    const readme = readFileSync(new URL('../../examples/README.md', import.meta.url), 'utf8');
    for (const [name, { table }] of Object.entries(EXPECTED)) {
      expect(readme).toContain(`\`${name}\``);
      for (const [profile, cells] of Object.entries(table)) {
        const row = `| \`${name}\` | ${profile} | ${[...cells].map((c) => (c === 'y' ? 'yes' : '**no**')).join(' | ')} |`;
        expect(readme).toContain(row);
      }
    }
  });

  it('the document\'s note-4 commands alone (no unshare): the container is the host itself', async () => {
    const text = readFileSync(new URL('../../examples/doc-note4.sh', import.meta.url), 'utf8').replace(/^unshare -m$/m, '');
    const report = await checkScript(text, { profiles: ['2.6.39-y'] });
    expect(report.profiles[0]!.container.pid).toBe(2);
    expect(verdict(report, '2.6.39-y', 'isolated')).toMatchObject({ value: false, why: expect.stringContaining("the container is the host's own mount namespace") });
    // the host's /dev/pts is now the new instance, with its ptmx at 0666
    expect(verdict(report, '2.6.39-y', 'hostUnharmed').value).toBe(false);
  });
});

// More scenarios, each derived from profiles.md/clauses.md before running the checker.
describe('clause scenarios', () => {
  const SCENARIOS: { name: string; script: string; table: Record<string, string> }[] = [
    {
      // K2 + K3: without newinstance, ptmxmode=0666 lands in the initial instance's
      // options but not on its existing ptmx node (0000): non-root users get EACCES (U3).
      name: 'ptmxmode without newinstance (K3)',
      script: 'unshare -m\nmount -t devpts -o ptmxmode=0666 devpts /dev/pts\nln -sf pts/ptmx /dev/ptmx\n',
      table: { '2.6.39-n': 'nnnn', '2.6.39-y': 'ynnn', '3.4-y': 'ynnn', '4.4-n': 'nnnn', '4.4-y': 'ynnn', '6.1': 'yyny', '6.x': 'yyny' },
    },
    {
      // K8: on 6.x a plain c 5 2 node uses the devpts on the `pts` beside it; on CONFIG=y
      // the plain mount binds the initial instance (D4, K2).
      name: 'private /dev with a mknod ptmx (K8)',
      script: 'unshare -m\nmount -t tmpfs tmpfs /dev\nmknod -m 666 /dev/ptmx c 5 2\nmkdir /dev/pts\nmount -t devpts devpts /dev/pts\n',
      table: { '2.6.39-n': 'ynny', '2.6.39-y': 'ynny', '3.4-y': 'ynny', '4.4-n': 'ynny', '4.4-y': 'ynny', '6.1': 'yyyy', '6.x': 'yyyy' },
    },
    {
      // A bind of /dev/pts/ptmx keeps the instance it was bound from (profiles.md, shared
      // facts): binding before the new mount pins the host's instance.
      name: 'bind before the newinstance mount',
      script: 'unshare -m\nmount --bind /dev/pts/ptmx /dev/ptmx\nmount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts\n',
      table: { '2.6.39-n': 'ynny', '2.6.39-y': 'nnyn', '3.4-y': 'nnyn', '4.4-n': 'ynny', '4.4-y': 'nnyn', '6.1': 'nnyn', '6.x': 'nnyn' },
    },
    {
      // The container's copy of /dev/pts is the host's instance: a remount there changes
      // the host's ptmx node (K4). On CONFIG=n the merged data hits the bogus ptmxmode
      // after re-applying gid=5,mode=620 (K1), so the host ends as it was.
      name: 'remount through the inherited mount (K4)',
      script: 'unshare -m\nmount -o remount,ptmxmode=0666 /dev/pts\n',
      table: { '2.6.39-n': 'ynyy', '2.6.39-y': 'ynny', '3.4-y': 'ynny', '4.4-n': 'ynyy', '4.4-y': 'ynny', '6.1': 'ynny', '6.x': 'ynny' },
    },
  ];
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      expect(verdictTable(await checkScript(s.script))).toEqual(s.table);
    });
  }
});
