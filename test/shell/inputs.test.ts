// The script's inputs: --env (and nothing else in the environment), --cwd, positional
// arguments, --call, --rootfs, --shell, --boot, --source-path, as the issue names them.

import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceLookup } from '../../cli/commands/script.ts';
import { checkWith, findings, modelHas, runCli, scriptOps } from './helpers.ts';

const Y = ['2.6.39-y'] as const;
const X = ['6.x'] as const;
const j = (o: object): string => JSON.stringify(o);

describe('--env: the environment is what it gives, nothing else', () => {
  it('a variable given is set and exported; any other is unset, and the report names it with its lines', async () => {
    const r = await checkWith('mkdir "$ROOT"\nmkdir "$ROOT/$SUB"\nmkdir "${DIR:-/tmp/d}"\n', { profiles: Y, env: new Map([['ROOT', '/tmp/r']]) });
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/tmp/r', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/r', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/d', mode: '0755' }),
    ]);
    expect(r.profiles[0]!.unsetReads).toEqual([{ name: 'SUB', lines: ['2'], withDefault: false }, { name: 'DIR', lines: ['3'], withDefault: true }]);
  });

  it('HOME, USER and the like are unset too (as after env -i); PATH is the shell\'s own default', async () => {
    const r = await checkWith('#!/bin/sh\necho "$HOME" > /tmp/h\nX=$PATH\nmkdir "/tmp/${X%%:*}x"\n', { profiles: Y });
    expect(r.profiles[0]!.unsetReads.map((u) => u.name)).toEqual(['HOME']);
    expect(scriptOps(r).at(-1)).toBe(j({ op: 'mkdir', path: '/tmp//usr/local/sbinx', mode: '0755' }));
  });

  it('the text report lists the unset variables read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devpts-env-'));
    const file = join(dir, 's.sh');
    writeFileSync(file, '#!/bin/sh\nmount -t devpts devpts "$TARGET"\n');
    const r = await runCli(file, { profile: ['6.x'] });
    expect(r.out).toContain('Unset variables read (the environment is only what --env gives): $TARGET (line 2)');
    // and the mount reached the kernel with an empty target: ENOENT
    expect(r.out).toMatch(/mount\(2\) of devpts on  fails: ENOENT/);
  });
});

describe('--cwd, positional arguments, --call', () => {
  it('relative paths start from --cwd, which the set-up makes', async () => {
    const r = await checkWith('mkdir rootfs\nln -s pts/ptmx rootfs/ptmx\n', { profiles: Y, cwd: '/srv/build' });
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/srv/build/rootfs', mode: '0755' }),
      j({ op: 'stat', path: '/srv/build/rootfs/ptmx' }), // ln: is the link name a directory?
      j({ op: 'symlink', target: 'pts/ptmx', path: '/srv/build/rootfs/ptmx' }),
    ]);
    const chdir = modelHas({ op: 'chdir', pid: 1, path: '/' }) ? ['chdir'] : [];
    expect(r.profiles[0]!.steps.filter((s) => s.line === null && s.note.includes('--cwd')).map((s) => s.op.op)).toEqual(['mkdir', 'mkdir', ...chdir]);
  });

  it('$1, $#, "$@" are the arguments after --', async () => {
    const r = await checkWith('[ $# -eq 2 ] || exit 1\nfor d in "$@"; do mkdir "/tmp/$d"; done\n', { profiles: Y, args: ['a b', 'c'] });
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/a b', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/c', mode: '0755' })]);
  });

  it('--call runs the top level, then the function, with the arguments', async () => {
    const lib = 'setup_pts() {\n  mkdir -p "$1/dev/pts"\n  mount -t devpts -o newinstance devpts "$1/dev/pts"\n}\nteardown() { umount "$1/dev/pts"; }\nLIB=loaded\n';
    const r = await checkWith(lib, { profiles: Y, call: 'setup_pts', args: ['/tmp/c'] });
    expect(scriptOps(r).filter((o) => !o.includes('"stat"'))).toEqual([
      j({ op: 'mkdir', path: '/tmp/c', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/c/dev', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/c/dev/pts', mode: '0755' }),
      j({ op: 'mount', fstype: 'devpts', target: '/tmp/c/dev/pts', options: 'newinstance' }),
    ]);
    const missing = await checkWith(lib, { profiles: Y, call: 'nosuch' });
    expect(missing.profiles[0]!.ending).toMatchObject({ ending: 'fatal', message: '--call nosuch: the script defines no such function' });
  });
});

describe('--rootfs', () => {
  it('builds a root filesystem tree first: bin, dev with the static nodes and an empty pts, proc, sys, tmp, etc', async () => {
    const r = await checkWith('ls /srv/root/dev > /dev/null\n', { profiles: X, rootfs: ['/srv/root'] });
    const setup = r.profiles[0]!.steps.filter((s) => s.note.startsWith('set-up: --rootfs'));
    expect(setup.map((s) => s.op)).toContainEqual({ op: 'mknod', pid: 2, path: '/srv/root/dev/ptmx', major: 5, minor: 2, mode: '0666' });
    expect(setup.map((s) => s.op)).toContainEqual({ op: 'mknod', pid: 2, path: '/srv/root/dev/console', major: 5, minor: 1, mode: '0600' });
    const listed = r.profiles[0]!.steps.find((s) => s.op.op === 'readdir' && s.line === 1)!;
    expect(listed.result).toMatchObject({ entries: ['console', 'null', 'ptmx', 'pts', 'tty', 'zero'] });
  });
});

describe('--shell', () => {
  it('defaults from the #! line: /system/bin/sh is mksh, env bash is bash, /bin/sh is sh', async () => {
    for (const [line, shell] of [['#!/system/bin/sh', 'mksh'], ['#!/usr/bin/env bash', 'bash'], ['#!/bin/sh -e', 'sh'], ['#!/bin/busybox sh', 'busybox'], ['#!/bin/ash', 'busybox']] as const) {
      const r = await checkWith(`${line}\n:\n`, { profiles: Y });
      expect(r.shell, line).toBe(shell);
    }
  });

  it('echo follows the shell: dash reads backslash escapes, bash does not', async () => {
    const text = 'echo "a\\tb" > /tmp/x\nX=$(echo "a\\tb")\nmkdir "/tmp/$X"\n';
    const dash = await checkWith(text, { profiles: Y, shell: 'dash' });
    const bash = await checkWith(text, { profiles: Y, shell: 'bash' });
    expect(scriptOps(dash).at(-1)).toBe(j({ op: 'mkdir', path: '/tmp/a\tb', mode: '0755' }));
    expect(scriptOps(bash).at(-1)).toBe(j({ op: 'mkdir', path: '/tmp/a\\tb', mode: '0755' }));
  });

  it('a bash-only expansion under dash stops the script with "Bad substitution" at its line', async () => {
    const r = await checkWith('#!/bin/sh\nZONE="a b"\nmkdir /tmp/${ZONE// /_}\nmkdir /tmp/never\n', { profiles: Y });
    expect(r.repairs.map((x) => x.line)).toEqual([3]);
    expect(scriptOps(r)).toEqual([]);
    expect(r.profiles[0]!.ending).toMatchObject({ ending: 'fatal', line: 3 });
    const busybox = await checkWith('#!/bin/sh\nZONE="a b"\nmkdir /tmp/${ZONE// /_}\n', { profiles: Y, shell: 'busybox' });
    expect(scriptOps(busybox)).toEqual([j({ op: 'mkdir', path: '/tmp/a_b', mode: '0755' })]);
  });
});

describe('--source-path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'devpts-src-'));
  mkdirSync(join(dir, 'lib/init'), { recursive: true });
  writeFileSync(join(dir, 'lib/init/mount-functions.sh'), 'domount() {\n  mount -t "$2" -o "$5" "$3" "$4"\n}\nMF=1\n');
  writeFileSync(join(dir, 'helpers.sh'), 'mkpts() { mkdir -p "$1"; }\n');

  it('a sourced file found under it is read: its functions and variables are there', async () => {
    const text = '. /lib/init/mount-functions.sh\n. ./helpers.sh\nmkpts /tmp/p\ndomount mount devpts devpts /tmp/p newinstance,ptmxmode=0666\n';
    const r = await checkWith(text, { profiles: Y, sourceText: sourceLookup([dir]) });
    expect(scriptOps(r).filter((o) => !o.includes('"stat"'))).toEqual([
      j({ op: 'mkdir', path: '/tmp/p', mode: '0755' }), j({ op: 'mount', fstype: 'devpts', target: '/tmp/p', options: 'newinstance,ptmxmode=0666' }),
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('otherwise a warning names the line and what was skipped', async () => {
    const r = await checkWith('. /lib/init/mount-functions.sh\ndomount mount devpts devpts /dev/pts\n', { profiles: Y });
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, '`. /lib/init/mount-functions.sh` reads a file the checker does not have (give its directory with --source-path); the functions and settings in it are skipped; effect unknown'],
      [2, '`domount` is not modelled; effect unknown'],
    ]);
  });

  it('the CLI flags reach the check', async () => {
    const file = join(dir, 'main.sh');
    writeFileSync(file, '#!/bin/sh\n. /lib/init/mount-functions.sh\ncd "$1"\nmkdir -p dev/pts\ndomount mount devpts devpts dev/pts "newinstance,ptmxmode=$MODE"\nln -sf pts/ptmx dev/ptmx\n');
    const r = await runCli(file, { profile: ['6.x'], sourcePath: [dir], env: ['MODE=0666'], args: ['/srv/c'], rootfs: ['/srv/c'], json: true });
    const out = JSON.parse(r.out);
    expect(out.warnings).toEqual([]);
    expect(out.profiles[0].steps.find((s: { op: { op: string } }) => s.op.op === 'mount').op).toMatchObject({ target: '/srv/c/dev/pts', options: 'newinstance,ptmxmode=0666' });
  });
});

describe('bad inputs are usage errors (exit 2), in JSON too', () => {
  it.each([
    [{ env: ['1X=2'] }, '--env "1X=2": expected NAME=VALUE'],
    [{ cwd: 'rel' }, '--cwd "rel": an absolute path in the checked system'],
    [{ role: 'guest' }, '--role "guest": one of container, host'],
    [{ boot: 'systemd' }, '--boot "systemd": one of devpts, devtmpfs, none'],
    [{ shell: 'zsh' }, '--shell "zsh": one of sh, bash, dash, mksh, busybox'],
  ])('%o', async (flags, message) => {
    const r = await runCli('/dev/null', { ...flags, json: true });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(JSON.parse(r.out)).toEqual({ format: 'devpts-check-script/1', error: { kind: 'usage', message } });
  });

  it('a parse error with --json is a JSON error object with file, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devpts-parse-'));
    const file = join(dir, 'bad.sh');
    writeFileSync(file, '#!/bin/sh\nif true; then\n  echo "unclosed\nfi\n');
    const r = await runCli(file, { json: true });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'devpts-check-script/1', error: { kind: 'parse', file, line: 3, column: 8 } });
  });
});

describe('findings name what they are about', () => {
  it('`chmod 666 ""` is ENOENT, as in the kernel: nothing happens to /', async () => {
    const r = await checkWith('chmod 666 ""\nchown 0:5 ""\nmknod "" c 5 2\n', { profiles: Y });
    expect(scriptOps(r)).toEqual([]);
    expect(findings(r).map((f) => f.message)).toEqual([
      'chmod: changing the mode of : ENOENT', 'chown: changing the ownership of : ENOENT', 'mknod: : ENOENT',
    ]);
  });
});
