// Shell → ops: what each command becomes in the model, as mount(8), coreutils and the
// shell would do it. Ops are shown without their pid unless the test is about pids.

import { describe, expect, it } from 'vitest';
import { unknownEffects } from '../../shell/render.ts';
import { check, findings, modelHas, scriptOps, scriptSteps } from './helpers.ts';

const Y = ['2.6.39-y'] as const;
const j = (o: object): string => JSON.stringify(o);

describe('mount(8)', () => {
  it('joins several -o with commas, in order', async () => {
    const r = await check('mount -t devpts -o newinstance -o ptmxmode=0666 devpts /dev/pts', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance,ptmxmode=0666' })]);
  });

  it('takes VFS flags out of the data string and accepts options after the operands', async () => {
    const r = await check('mount -t devpts devpts /dev/pts -o nosuid,noexec,newinstance,ro,relatime,x-mount.mkdir', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance', flags: ['ro', 'nosuid', 'noexec'] })]);
  });

  it('passes no data when there are no filesystem options', async () => {
    const r = await check('mount -t devpts none /dev/pts', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mount', fstype: 'devpts', target: '/dev/pts' })]);
  });

  it('merges a remount with the mount\'s current options (live 6.x S3, util-linux remount), per profile', async () => {
    const script = 'unshare -m\nmount -t devpts -o newinstance,gid=5,mode=620,ptmxmode=0666,nosuid devpts /dev/pts\nmount -o remount,ptmxmode=0600 /dev/pts\n';
    const r = await check(script);
    const remount = (p: '2.6.39-n' | '2.6.39-y' | '3.4-y' | '6.x') => scriptSteps(r, p).find((s) => s.op.op === 'remount')!;
    for (const p of ['2.6.39-y', '3.4-y', '6.x'] as const) {
      expect(remount(p).op).toMatchObject({ target: '/dev/pts', options: 'gid=5,mode=620,ptmxmode=666,ptmxmode=0600', flags: ['nosuid'] });
      expect(remount(p).result).toEqual({ ok: true });
    }
    // CONFIG=n: newinstance came first, so the mount reset every option (K1); /proc/mounts
    // shows no ptmxmode, and the remount's ptmxmode is a bogus option: EINVAL
    expect(remount('2.6.39-n').op).toMatchObject({ options: 'mode=600,ptmxmode=0600' });
    expect(remount('2.6.39-n').result).toMatchObject({ errno: 'EINVAL' });
    expect(findings(r, '2.6.39-n').filter((f) => f.line === 3).map((f) => f.kind)).toEqual(['console', 'failed']);
  });

  it('a merged remount still resets a chmod of /dev/pts/ptmx, and the host sees it (K4)', async () => {
    const r = await check('chmod 0666 /dev/pts/ptmx\nmount -o remount,gid=5 /dev/pts\n', Y);
    expect(scriptSteps(r)[1]!.op).toMatchObject({ op: 'remount', options: 'gid=5,mode=620,ptmxmode=000,gid=5' });
    const host = findings(r).filter((f) => f.kind === 'host').map((f) => [f.line, f.message]);
    expect(host).toEqual([
      [1, "changes the host: the host's /dev/pts/ptmx chr 0000 0:0 (5:2) → chr 0666 0:0 (5:2)"],
      [2, "changes the host: the host's /dev/pts/ptmx chr 0666 0:0 (5:2) → chr 0000 0:0 (5:2)"],
    ]);
  });

  it('translates --bind, -o bind, -B and --rbind', async () => {
    const r = await check('mount --bind /dev/pts/ptmx /dev/ptmx\nmount -o bind /dev/pts/ptmx /dev/ptmx\nmount -B /tmp /tmp\nmkdir /tmp/d\nmount --rbind /dev /tmp/d\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('bind'))).toEqual([
      j({ op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' }),
      j({ op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' }),
      j({ op: 'bind', source: '/tmp', target: '/tmp' }),
      j({ op: 'bind', source: '/dev', target: '/tmp/d', recursive: true }),
    ]);
  });

  it('--make-* is the propagate op; where the model has no propagation yet, private is a no-op and shared a warning', async () => {
    const r = await check('mount --make-rprivate /\nmount --make-private /dev/pts\nmount --make-shared /\n', Y);
    if (modelHas({ op: 'propagate', pid: 1, target: '/', type: 'private' })) {
      expect(scriptOps(r)).toEqual([
        j({ op: 'propagate', target: '/', type: 'private', recursive: true }), j({ op: 'propagate', target: '/dev/pts', type: 'private' }), j({ op: 'propagate', target: '/', type: 'shared' }),
      ]);
      expect(r.warnings).toEqual([]);
    } else {
      expect(scriptOps(r)).toEqual([]);
      expect(findings(r).map((f) => [f.line, f.kind])).toEqual([[1, 'noeffect'], [2, 'noeffect'], [3, 'unknown']]);
      expect(r.warnings.map((w) => w.line)).toEqual([3]);
    }
  });

  it('umount and umount -l; a failure says why', async () => {
    const r = await check('umount -l /dev/pts\numount /dev/pts\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'umount', target: '/dev/pts', lazy: true }), j({ op: 'umount', target: '/dev/pts' })]);
    expect(findings(r).find((f) => f.kind === 'failed')).toMatchObject({ line: 2, message: 'umount of /dev/pts fails: EINVAL (not mounted)' });
  });

  it('leaves proc/sysfs alone and warns about what it cannot know', async () => {
    const r = await check('mount -t proc proc /proc\nmount /dev/pts\nmount -a\nmount -t devpts\n', Y);
    expect(scriptOps(r)).toEqual([]);
    expect(findings(r).map((f) => [f.line, f.kind])).toEqual([[1, 'noeffect'], [2, 'unknown'], [3, 'unknown'], [4, 'noeffect']]);
  });
});

describe('file commands', () => {
  it('ln -s fails on an existing name; ln -sf unlinks it first', async () => {
    const r = await check('ln -s pts/ptmx /dev/ptmx\nln -sf pts/ptmx /dev/ptmx\n', Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'stat', path: '/dev/ptmx' }), j({ op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' }),
      j({ op: 'stat', path: '/dev/ptmx' }), j({ op: 'unlink', path: '/dev/ptmx' }), j({ op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' }),
    ]);
    expect(findings(r)[0]).toMatchObject({ line: 1, kind: 'failed', message: 'ln: cannot create symbolic link /dev/ptmx: EEXIST (it exists; use -f)' });
  });

  it('ln -s into a directory makes the link inside it', async () => {
    const r = await check('cd /dev\nln -s /dev/pts/ptmx /tmp\n', Y);
    expect(scriptOps(r).at(-1)).toBe(j({ op: 'symlink', target: '/dev/pts/ptmx', path: '/tmp/ptmx' }));
  });

  it('rm, and rm -f on a missing file', async () => {
    const r = await check('rm /dev/ptmx\nrm -f /dev/nothing\nrm /dev/nothing || touch /tmp/failed\n', Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'unlink', path: '/dev/ptmx' }), j({ op: 'unlink', path: '/dev/nothing' }), j({ op: 'unlink', path: '/dev/nothing' }), j({ op: 'touch', path: '/tmp/failed' }),
    ]);
    expect(findings(r).map((f) => [f.line, f.kind])).toContainEqual([3, 'failed']);
    expect(findings(r).some((f) => f.line === 2 && f.kind === 'failed')).toBe(false);
  });

  it('chmod with octal and symbolic modes (symbolic ones from the current mode)', async () => {
    const r = await check('chmod 666 /dev/pts/ptmx\nchmod go-w /dev/pts/ptmx\nchmod u=rw,g=r,o= /dev/pts/ptmx\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('"chmod"'))).toEqual([
      j({ op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' }), j({ op: 'chmod', path: '/dev/pts/ptmx', mode: '0644' }), j({ op: 'chmod', path: '/dev/pts/ptmx', mode: '0640' }),
    ]);
  });

  it('chown and chgrp with the names every system has; others are unknown', async () => {
    const r = await check('chown root:tty /dev/pts/ptmx\nchgrp 5 /dev/ptmx\nchown :tty /tmp\nchown bob /tmp\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('"chown"'))).toEqual([
      j({ op: 'chown', path: '/dev/pts/ptmx', uid: 0, gid: 5 }), j({ op: 'chown', path: '/dev/ptmx', uid: 0, gid: 5 }), j({ op: 'chown', path: '/tmp', uid: 0, gid: 5 }),
    ]);
    expect(r.warnings).toMatchObject([{ line: 4, message: expect.stringContaining('the user "bob" is not known') }]);
  });

  it('mknod c 5 2 takes the umask unless -m is given', async () => {
    const r = await check('mknod /tmp/ptmx c 5 2\nmknod -m 666 /tmp/ptmx2 c 5 2\numask 0\nmknod /tmp/ptmx3 c 5 2\nmknod /tmp/fifo p\n', Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2, mode: '0644' }),
      j({ op: 'mknod', path: '/tmp/ptmx2', major: 5, minor: 2, mode: '0666' }),
      j({ op: 'mknod', path: '/tmp/ptmx3', major: 5, minor: 2, mode: '0666' }),
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([5]);
  });

  it('mkdir and mkdir -p (each missing parent made)', async () => {
    const r = await check('mkdir -p /tmp/a/b\nmkdir -m 700 /tmp/c\ntouch /tmp/c/f\n', Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'stat', path: '/tmp' }), j({ op: 'stat', path: '/tmp/a' }), j({ op: 'mkdir', path: '/tmp/a', mode: '0755' }),
      j({ op: 'stat', path: '/tmp/a/b' }), j({ op: 'mkdir', path: '/tmp/a/b', mode: '0755' }),
      j({ op: 'mkdir', path: '/tmp/c', mode: '0700' }), j({ op: 'touch', path: '/tmp/c/f' }),
    ]);
  });

  it('takes relative paths from the working directory', async () => {
    const r = await check('cd /dev\nrm -f ptmx\nln -s pts/ptmx ptmx\n', Y);
    // cd: a stat, and a chdir where the model has it
    expect(scriptOps(r).slice(1).filter((o) => !o.includes('"chdir"'))).toEqual([
      j({ op: 'unlink', path: '/dev/ptmx' }), j({ op: 'stat', path: '/dev/ptmx' }), j({ op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' }),
    ]);
  });

  it('expands a wildcard through readdir in the model', async () => {
    const r = await check('chmod 0600 /dev/pts/*\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'readdir', path: '/dev/pts' }), j({ op: 'chmod', path: '/dev/pts/ptmx', mode: '0600' })]);
  });
});

describe('conditions, evaluated in the model at that point', () => {
  const script = [
    'if [ -L /dev/ptmx ]; then touch /tmp/link; else touch /tmp/notlink; fi',
    '[ -c /dev/ptmx ] && touch /tmp/chr',
    'test -d /dev/pts && touch /tmp/dir',
    '[ ! -e /dev/nothing ] && touch /tmp/absent',
    'test -e /dev/pts/ptmx || touch /tmp/noptmx',
    '[ -e /dev/pts/ptmx -a -c /dev/pts/ptmx ] && touch /tmp/both',
  ].join('\n');

  it('differs between profiles where the state differs', async () => {
    const r = await check(script, ['2.6.39-n', '2.6.39-y']);
    const touched = (p: '2.6.39-n' | '2.6.39-y') => scriptSteps(r, p).filter((s) => s.op.op === 'touch').map((s) => (s.op as { path: string }).path);
    expect(touched('2.6.39-y')).toEqual(['/tmp/notlink', '/tmp/chr', '/tmp/dir', '/tmp/absent', '/tmp/both']);
    expect(touched('2.6.39-n')).toEqual(['/tmp/notlink', '/tmp/chr', '/tmp/dir', '/tmp/absent', '/tmp/noptmx']);
  });

  it('are stat ops (lstat for -L) recorded at their line', async () => {
    const r = await check(script, Y);
    expect(scriptSteps(r)[0]).toMatchObject({ line: 1, op: { op: 'stat', path: '/dev/ptmx', nofollow: true }, note: 'test -L /dev/ptmx' });
  });

  it('[[ … ]] with && and ! works the same way', async () => {
    const r = await check('#!/bin/bash\n[[ -c /dev/pts/ptmx && ! -L /dev/ptmx ]] && mount --bind /dev/pts/ptmx /dev/ptmx\n', Y);
    expect(scriptOps(r).at(-1)).toBe(j({ op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' }));
  });

  it('a test it cannot decide is assumed true, and the assumption is said at its line', async () => {
    const r = await check('[ -s /tmp/x ] && touch /tmp/y\n[ -t 0 ] && touch /tmp/z\n', Y);
    expect(r.warnings).toEqual([]);
    // line 1 is decided: /tmp/x does not exist
    expect(findings(r).filter((f) => f.kind === 'assumed').map((f) => [f.line, f.message])).toEqual([
      [2, 'test -t (is a terminal) depends on how the script runs: exit status assumed 0'],
    ]);
  });
});

describe('processes and namespaces', () => {
  it('unshare -m: the rest of the script runs in a new process, in a new mount namespace', async () => {
    const r = await check('touch /tmp/a\nunshare -m\ntouch /tmp/b\n', Y);
    expect(scriptOps(r, undefined, true)).toEqual([
      j({ pid: 2, op: 'touch', path: '/tmp/a' }), j({ pid: 2, op: 'spawn', child: 3, newns: true }), j({ pid: 3, op: 'touch', path: '/tmp/b' }),
    ]);
    expect(r.profiles[0]!.container).toMatchObject({ pid: 3, line: 2, command: 'unshare -m' });
  });

  it('unshare --mount with a shell is the same; with sh -c only that text runs there', async () => {
    const r = await check("unshare --mount sh -c 'touch /tmp/in; mount -t tmpfs t /tmp'\ntouch /tmp/out\nns_exec -cm /bin/bash\ntouch /tmp/c\n", Y);
    // the first container's verdicts are probed when its command is done: the probes' processes come between
    const c = r.profiles[0]!.container.pid;
    expect(c).toBeGreaterThan(3);
    expect(scriptOps(r, undefined, true)).toEqual([
      j({ pid: 2, op: 'spawn', child: 3, newns: true }), j({ pid: 3, op: 'touch', path: '/tmp/in' }), j({ pid: 3, op: 'mount', fstype: 'tmpfs', target: '/tmp' }),
      j({ pid: 3, op: 'exit' }), // its command is done
      j({ pid: 2, op: 'touch', path: '/tmp/out' }),
      j({ pid: 2, op: 'spawn', child: c, newns: true }), j({ pid: c, op: 'touch', path: '/tmp/c' }),
    ]);
  });

  it('unshare without -m starts a process in the same namespace', async () => {
    const r = await check('unshare -p -f /bin/sh\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'spawn', child: 3 })]);
  });

  it('without unshare/ns_exec the container is the script\'s own process, and says so', async () => {
    const r = await check('touch /tmp/x\n', Y);
    expect(r.profiles[0]!.container).toMatchObject({ pid: 2, line: null });
    expect(r.profiles[0]!.container.description).toMatch(/starts no process with unshare, chroot or ns_exec/);
  });

  it('records pty consumers with the namespace they run in', async () => {
    const r = await check('sshd -D\nunshare -m\n/usr/sbin/sshd -p 1234\n/sbin/agetty 38400 tty1\nscreen -dmS x\ntmux new -d\nlogin -f root\nscript -q\nlxc-console -n c\ngetty tty1\n', Y);
    expect(r.profiles[0]!.consumers.map((c) => [c.name, c.line, c.pid])).toEqual([
      ['sshd', 1, 2], ['sshd', 3, 3], ['agetty', 4, 3], ['screen', 5, 3], ['tmux', 6, 3], ['login', 7, 3], ['script', 8, 3], ['lxc-console', 9, 3], ['getty', 10, 3],
    ]);
  });

  it('exec of a consumer ends the script there', async () => {
    const r = await check('exec /usr/sbin/sshd -D\ntouch /tmp/never\n', Y);
    expect(scriptOps(r)).toEqual([]);
    expect(r.profiles[0]!.ending.ending).toBe('exec');
  });
});

describe('the shell around the commands', () => {
  it('variables, defaults, functions and for loops', async () => {
    const r = await check('P=${PTS:-/dev/pts}\nmk() { mkdir "$1"; }\nfor d in x "y z"; do mk "/tmp/$d"; done\nchmod 0666 $P/ptmx\n', Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/tmp/x', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/y z', mode: '0755' }), j({ op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' }),
    ]);
    // the environment is empty: $PTS is unset, and the report says it was read (with a default)
    expect(r.profiles[0]!.unsetReads).toEqual([{ name: 'PTS', lines: ['1'], withDefault: true }]);
  });

  it('a loop with a condition the model can decide runs until it is false', async () => {
    const r = await check('while [ ! -e /tmp/done ]; do touch /tmp/done; done\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'stat', path: '/tmp/done' }), j({ op: 'touch', path: '/tmp/done' }), j({ op: 'stat', path: '/tmp/done' })]);
  });

  it('a loop whose condition is unknown: its body once, and the assumption is said', async () => {
    const r = await check('while read line; do touch /tmp/r; done </etc/list\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'touch', path: '/tmp/r' })]);
    expect(findings(r).filter((f) => f.kind === 'assumed').map((f) => f.message)).toEqual([
      expect.stringContaining('read takes input'), expect.stringContaining('the loop condition cannot be evaluated'),
    ]);
  });

  it('a loop over input the checker knows reads it line by line', async () => {
    const r = await check('grep devpts /proc/mounts | while read src dir rest; do touch "/tmp/$src"; done\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'touch', path: '/tmp/devpts' })]);
  });

  it('case on a known word picks its branch', async () => {
    const r = await check('K=6.1\ncase $K in 2.6*) touch /tmp/old;; 6.*) touch /tmp/new;; esac\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'touch', path: '/tmp/new' })]);
  });

  it('set -e stops at the first failing command, and says so', async () => {
    const r = await check('set -e\nrm -f /tmp/x\nrm /tmp/x\ntouch /tmp/after\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'unlink', path: '/tmp/x' }), j({ op: 'unlink', path: '/tmp/x' })]);
    expect(r.profiles[0]!.ending).toMatchObject({ ending: 'errexit', status: 1 });
    expect(findings(r).at(-1)).toMatchObject({ line: 3, message: 'set -e: the script stops here (status 1)' });
  });

  it('sysctl and writes to /proc/sys/kernel/pty are sysctl ops', async () => {
    const r = await check('sysctl -w kernel.pty.max=8192\necho 100 > /proc/sys/kernel/pty/reserve\n', ['2.6.39-n', '3.4-y']);
    expect(scriptOps(r, '3.4-y')).toEqual([j({ op: 'sysctl', name: 'kernel.pty.max', value: 8192 }), j({ op: 'sysctl', name: 'kernel.pty.reserve', value: 100 })]);
    expect(findings(r, '2.6.39-n')).toMatchObject([{ line: 2, kind: 'failed', message: 'sysctl kernel.pty.reserve=100 fails: ENOENT' }]);
  });

  it('output redirections create their file; /dev/null does not', async () => {
    const r = await check('echo x > /tmp/log 2>/dev/null\necho y >> /dev/null\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'touch', path: '/tmp/log' })]);
  });

  it('warns about every command it does not model, with its line, and never drops one silently', async () => {
    const r = await check('echo start\nfrobnicate --all\nX=$(frob -r)\nmount -t devpts -o "$X" devpts /dev/pts\n. /etc/lxc.conf\n', Y);
    expect(r.warnings.map((w) => [w.line, w.command])).toEqual([
      [2, 'frobnicate --all'], [3, 'frob -r'], [4, 'mount -t devpts -o "$X" devpts /dev/pts'], [5, '. /etc/lxc.conf'],
    ]);
    expect(r.warnings[2]!.message).toContain('$X has a value the checker cannot know');
    expect(r.warnings[3]!.message).toContain('reads a file the checker does not have (give its directory with --source-path)');
    const kinds = findings(r).map((f) => [f.line, f.kind]);
    expect(kinds).toEqual([[2, 'unknown'], [3, 'unknown'], [3, 'info'], [4, 'unknown'], [5, 'unknown']]);
    expect(unknownEffects(r.profiles[0]!)).toBe(4);
  });
});

describe('where tree-sitter-bash alone would misread the script', () => {
  it('assignments on one line, the command on the next: the assignments hold (tree-sitter-bash#228)', async () => {
    const r = await check('P=/dev/pts O=newinstance\nmount -t devpts -o $O devpts $P\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance' })]);
    expect(r.warnings).toEqual([]);
  });

  it('a statement tree-sitter cannot parse is a warning at its line; the rest runs', async () => {
    const r = await check('mkdir /tmp/a\ncat <<EOF &\nbody\nEOF\ntouch /tmp/after\nsh -c \'echo x\\\'\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/a', mode: '0755' }), j({ op: 'touch', path: '/tmp/after' })]);
    // line 6: `echo x\` is one simple command tree-sitter cannot parse; it is read from its text
    expect(r.warnings.map((w) => [w.line, w.command])).toEqual([[2, 'cat <<EOF &']]);
  });
});
