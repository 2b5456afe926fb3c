// Saying what ran: each devpts- or ptmx-related line ran (op and result), was skipped
// (which branch, why) or was never reached; "the devpts mount at line N never ran";
// unknown effects grouped by command; assumptions next to their lines; verdict values
// true, false or null; roles and boots.

import { describe, expect, it } from 'vitest';
import { renderJson, renderText } from '../../shell/render.ts';
import { check, checkWith, modelHas, scriptOps, verdictTable } from './helpers.ts';

const Y = ['2.6.39-y'] as const;
const X = ['6.x'] as const;

const SCRIPT = [
  '#!/bin/sh',                                                   // 1
  'setup_pts() {',                                               // 2
  '  mount -t devpts -o newinstance devpts "$1/dev/pts"',        // 3
  '}',                                                           // 4
  'if [ -c /dev/ptmx ]; then',                                   // 5
  '  ln -sf pts/ptmx /dev/ptmx',                                 // 6
  'else',                                                        // 7
  '  mknod /dev/ptmx c 5 2',                                     // 8
  'fi',                                                          // 9
  '[ -d /nope ] && mount -t devpts devpts /nope/pts',            // 10
  'exit 0',                                                      // 11
  'chmod 666 /dev/pts/ptmx',                                     // 12
].join('\n') + '\n';

describe('each devpts and ptmx line: ran, skipped or never reached', () => {
  it('says which, with the op and result, the branch and why, or why it was not reached', async () => {
    const r = await check(SCRIPT, Y);
    const lines = r.profiles[0]!.devptsLines.map((d) => [d.line, d.outcome, d.detail]);
    expect(lines).toEqual([
      [3, 'never', 'it is in the function setup_pts, which is never called'],
      [5, 'ran', 'stat /dev/ptmx → ok'],
      [6, 'ran', 'stat /dev/ptmx → ok; unlink /dev/ptmx → ok; symlink /dev/ptmx → ok'],
      [8, 'skipped', 'an earlier branch (line 5: `[ -c /dev/ptmx ]`) was taken'],
      [10, 'skipped', '`[ -d /nope ]` (line 10) gave status 1, so && does not run it'],
      [12, 'never', 'the script stopped at line 11 (exit 0) before it'],
    ]);
  });

  it('warns that a devpts mount never ran, in the text and in JSON', async () => {
    const r = await check(SCRIPT, Y);
    const text = renderText(r);
    expect(text).toContain('warning: the devpts mount at line 3 never ran (it is in the function setup_pts, which is never called)');
    expect(text).toContain('warning: the devpts mount at line 10 never ran (`[ -d /nope ]` (line 10) gave status 1, so && does not run it)');
    expect(JSON.parse(renderJson(r)).devptsMountsNeverRan.map((w: { line: number }) => w.line)).toEqual([3, 10]);
  });

  it('a mount that ran in one profile and not in another says so per profile', async () => {
    const r = await check('if [ -e /dev/pts/ptmx ]; then\n  mount -o remount,ptmxmode=0666 /dev/pts\nfi\n', ['2.6.39-n', '6.x']);
    const text = renderText(r);
    expect(text).toContain('[2.6.39-n] skipped: the condition `[ -e /dev/pts/ptmx ]` (line 1) gave status 1');
    expect(text).toContain('[6.x] ran: remount /dev/pts → ok');
  });
});

describe('unknown effects and assumptions', () => {
  it('unknown effects are grouped by command, with their lines', async () => {
    const r = await check('debootstrap stable /srv/c\nmkdir /tmp/x\ndebootstrap --second-stage\nfrob\n', Y);
    const text = renderText(r);
    expect(text).toContain('  debootstrap (at line 1, line 3): `debootstrap` is not modelled; effect unknown');
    expect(text).toContain('  frob (line 4): `frob` is not modelled; effect unknown');
  });

  it('an assumed exit status is printed next to its line in the text', async () => {
    const r = await check('if modprobe devpts; then\n  mount -t devpts devpts /dev/pts\nfi\n', Y);
    expect(renderText(r)).toMatch(/line 1: modprobe devpts\n\s+assumed: modprobe's exit status depends on the system: exit status assumed 0/);
  });

  it('with assumptions but nothing unknown, the report does not claim every status was known', async () => {
    const r = await check('[ -t 0 ] && mkdir /tmp/x\n', Y);
    expect(renderText(r)).toContain('Effect unknown: none (every command was understood; 1 exit status assumed, shown by its line)');
  });
});

describe('verdict values and roles', () => {
  it('JSON verdict values are true or false for a container script', async () => {
    const r = await check('unshare -m\nmount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts\nmount --bind /dev/pts/ptmx /dev/ptmx\n', X);
    const v = JSON.parse(renderJson(r)).profiles[0].verdicts;
    expect([v.reachable.value, v.isolated.value, v.hostUnharmed.value, v.nonRootUsable.value]).toEqual([true, true, true, true]);
  });

  it('role host: reachable and non-root usable for the host itself; isolated and host unharmed are null', async () => {
    const init = '#!/bin/sh\nmkdir -p /dev/pts\nmount -t devpts -o gid=5,mode=620 devpts /dev/pts\nln -sf pts/ptmx /dev/ptmx\n';
    const r = await checkWith(init, { profiles: ['2.6.39-y', '6.x'], boot: 'none', role: 'host' });
    // /dev/ptmx -> pts/ptmx, mode 0000 without ptmxmode: root opens it (K7), uid 1000 does not
    expect(verdictTable(r)).toEqual({ '2.6.39-y': 'y--n', '6.x': 'y--n' });
    const json = JSON.parse(renderJson(r));
    expect(json.profiles[0].verdicts.isolated.value).toBeNull();
    expect(json.profiles[0].verdicts.hostUnharmed.value).toBeNull();
    expect(renderText(r)).toMatch(/6\.x\s+yes\s+n\/a\s+n\/a\s+no/);
    // with ptmxmode=0666 (or a plain c 5 2 node on 6.x), uid 1000 gets a pty too
    const fixed = await checkWith(init.replace('mode=620', 'mode=620,ptmxmode=0666'), { profiles: X, boot: 'none', role: 'host' });
    expect(verdictTable(fixed)).toEqual({ '6.x': 'y--y' });
  });

  it('--boot none: an initramfs that never mounts devpts has no ptys', async () => {
    const r = await checkWith('#!/bin/sh\nmount -t proc proc /proc\n', { profiles: X, boot: 'none', role: 'host' });
    expect(verdictTable(r)).toEqual({ '6.x': 'n--n' });
    expect(r.profiles[0]!.verdicts[0]!.why).toContain('open /dev/ptmx → ENOENT');
  });

  it('host unharmed counts a mount the script leaves in the host\'s mount table', async () => {
    const r = await check('mkdir -p /tmp/c/dev/pts\nmount -t devpts -o newinstance devpts /tmp/c/dev/pts\n', X);
    const v = r.profiles[0]!.verdicts.find((x) => x.name === 'hostUnharmed')!;
    expect(v.value).toBe(false);
    expect(v.why).toContain("the host's mount table changed: + /tmp/c/dev/pts devpts");
  });

  it.skipIf(!modelHas({ op: 'chroot', pid: 1, path: '/' }))('a chroot\'s verdicts are probed when its command is done, before the clean-up', async () => {
    const helper = '#!/bin/sh\nR=/srv/root\nmount --bind /dev/pts $R/dev/pts\nchroot $R /bin/sh -c "ls /dev/pts >/dev/null"\numount $R/dev/pts\n';
    const r = await checkWith(helper, { profiles: X, rootfs: ['/srv/root'] });
    expect(r.profiles[0]!.container.description).toContain('probed when its command finished');
    // reachable through the host's instance, so not isolated; nothing left behind on the host
    expect(verdictTable(r)).toEqual({ '6.x': 'ynyy' });
    expect(scriptOps(r).at(-1)).toContain('"umount"');
  });
});

describe('host unharmed: what a failed mount still does (K11)', () => {
  it('a devpts mount in a container onto the instance\'s own mount point fails (EBUSY) after rewriting the host\'s pty options (2.6.39, 3.4)', async () => {
    const r = await check('unshare -m\nmount -t devpts -o mode=600 devpts /dev/pts\n', ['2.6.39-y', '3.4-y']);
    for (const p of r.profiles) {
      expect(p.steps.find((s) => s.op.op === 'mount' && s.line === 2)!.result).toEqual({ errno: 'EBUSY' });
      const v = p.verdicts.find((x) => x.name === 'hostUnharmed')!;
      expect(v.value, p.profile).toBe(false);
      expect(v.why).toContain('a new host pty is 0600 0:0, at boot 0620 0:5');
    }
  });
});
