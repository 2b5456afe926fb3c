// Guards evaluated against the model's state: /proc/self/mounts and mountinfo generated
// from the model's mount table in the kernel's formats, grep over them, mountpoint,
// findmnt, OpenRC's mountinfo, stat, readlink, ls; functions defined in the script (dracut's
// ismounted) run as written.

import { describe, expect, it } from 'vitest';
import { check, checkWith, findings, scriptOps } from './helpers.ts';

const Y = ['2.6.39-y'] as const;
const X = ['6.x'] as const;
const j = (o: object): string => JSON.stringify(o);
/** mkdir markers: which guards said yes. */
const marks = (ops: readonly string[]): string[] => ops.filter((o) => o.includes('"mkdir"')).map((o) => (JSON.parse(o) as { path: string }).path.replace('/tmp/', ''));

describe('/proc/self/mounts and mountinfo', () => {
  it('are generated in the kernel\'s formats (show_vfsmnt, show_mountinfo), proc and sysfs included', async () => {
    const text = await checkWith('X=$(cat /proc/mounts)\nmkdir "/tmp/$(echo "$X" | grep devpts | cut -d" " -f4)"\nY=$(grep " /dev/pts " /proc/self/mountinfo | cut -d" " -f5,7-)\nmkdir "/tmp/$Y"\n', { profiles: X });
    expect(marks(scriptOps(text))).toEqual(['rw,relatime,gid=5,mode=620,ptmxmode=000', '/dev/pts - devpts devpts rw,gid=5,mode=620,ptmxmode=000']);
  });

  it('grep -q over them answers from the model: mounted, unmounted, mounted again', async () => {
    const r = await check('grep -q devpts /proc/mounts && mkdir /tmp/a\numount /dev/pts\ngrep -qs devpts /proc/mounts || mkdir /tmp/b\nmount -t devpts -o gid=5 devpts /dev/pts\ngrep -q "^devpts /dev/pts devpts" /etc/mtab && mkdir /tmp/c\n', Y);
    expect(marks(scriptOps(r))).toEqual(['a', 'b', 'c']);
  });

  it('with nothing mounted (--boot none), /proc/mounts is not there until proc is mounted', async () => {
    const r = await checkWith('grep -q devpts /proc/mounts\n[ $? -eq 2 ] && mkdir /tmp/noproc\nmount -t proc proc /proc\ngrep -q devpts /proc/mounts || mkdir /tmp/nodevpts\n', { profiles: X, boot: 'none', role: 'host' });
    expect(marks(scriptOps(r))).toEqual(['noproc', 'nodevpts']);
  });

  it('a loop reads them line by line', async () => {
    const r = await check('while read src dir fs rest; do [ "$fs" = devpts ] && mkdir "/tmp/$src"; done < /proc/mounts\n', X);
    expect(marks(scriptOps(r))).toEqual(['devpts']);
  });
});

describe('mountpoint, findmnt, mountinfo', () => {
  it('mountpoint -q: 0 on a mount point, 32 otherwise', async () => {
    const r = await check('mountpoint -q /dev/pts && mkdir /tmp/a\nmountpoint -q /tmp; [ $? -eq 32 ] && mkdir /tmp/b\nmountpoint -q /proc && mkdir /tmp/c\nmountpoint -q /nope || mkdir /tmp/d\n', Y);
    expect(marks(scriptOps(r))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('findmnt by target, type and columns', async () => {
    const r = await check('T=$(findmnt -n -o FSTYPE /dev/pts)\nmkdir "/tmp/$T"\nfindmnt -t devpts >/dev/null && mkdir /tmp/typed\nfindmnt /tmp >/dev/null || mkdir /tmp/none\nO=$(findmnt -rno OPTIONS -M /dev/pts)\nmkdir "/tmp/$O"\n', Y);
    expect(marks(scriptOps(r))).toEqual(['devpts', 'typed', 'none', 'rw,relatime,gid=5,mode=620,ptmxmode=000']);
  });

  it('OpenRC\'s mountinfo -q, with and without a type', async () => {
    const r = await check('mountinfo -q /dev/pts && mkdir /tmp/a\nmountinfo -q --fstype-regex "^tmpfs$" /dev/pts || mkdir /tmp/b\nmountinfo -q /dev/shm || mkdir /tmp/c\n', Y);
    expect(marks(scriptOps(r))).toEqual(['a', 'b', 'c']);
  });

  it('dracut\'s own ismounted runs as written', async () => {
    const dracut = 'ismounted() {\n  findmnt "$1" > /dev/null 2>&1\n}\nif ! ismounted /dev/pts; then\n  mkdir -m 0755 /dev/pts\n  mount -t devpts -o gid=5,mode=620,noexec,nosuid devpts /dev/pts\nfi\n';
    const mounted = await check(dracut, X);
    expect(scriptOps(mounted).filter((o) => o.includes('mount'))).toEqual([]);
    const bare = await checkWith(dracut, { profiles: X, boot: 'none', role: 'host' });
    expect(scriptOps(bare).filter((o) => o.includes('"mount"'))).toEqual([j({ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'gid=5,mode=620', flags: ['nosuid', 'noexec'] })]);
  });
});

describe('stat, readlink, ls', () => {
  it('stat -c reads type, device numbers and mode from the model', async () => {
    const r = await check('mkdir "/tmp/$(stat -c %t:%T /dev/ptmx)"\nmkdir "/tmp/$(stat -c %a /dev/pts/ptmx)"\n[ "$(stat -c %F /dev/pts)" = directory ] && mkdir /tmp/dir\n', Y);
    expect(marks(scriptOps(r))).toEqual(['5:2', '0', 'dir']);
  });

  it('readlink and readlink -f follow the model\'s symlinks', async () => {
    const r = await check('ln -sf pts/ptmx /dev/ptmx\n[ "$(readlink /dev/ptmx)" = pts/ptmx ] && mkdir /tmp/rel\nmkdir "/tmp$(readlink -f /dev/ptmx)"\n', Y);
    expect(marks(scriptOps(r))).toEqual(['rel', '/tmp/dev/pts/ptmx'.replace('/tmp/', '')]);
  });

  it('ls of a directory lists the model\'s entries', async () => {
    const r = await check('for n in $(ls /dev/pts); do mkdir "/tmp/$n"; done\n', Y);
    expect(marks(scriptOps(r))).toEqual(['ptmx']);
  });

  it('a guard the checker cannot answer is assumed true, and the text says so next to its line', async () => {
    const r = await check('if lsmod | grep -q devpts_module; then\n  mount -t devpts devpts /dev/pts\nfi\n', Y);
    expect(findings(r).filter((f) => f.kind === 'assumed').map((f) => [f.line, f.message])).toEqual([
      [1, 'grep reads input the checker does not have: exit status assumed 0'],
    ]);
  });
});
