// Following the script the way the shell runs it: functions, exec, sh -c, re-running
// "$0", trap … EXIT at exit, wrappers (sudo, env, setarch/linux64, nice, …), arithmetic,
// here-documents and pipelines feeding commands, [ / test / [[.

import { describe, expect, it } from 'vitest';
import { check, checkWith, findings, scriptOps } from './helpers.ts';

const Y = ['2.6.39-y'] as const;
const j = (o: object): string => JSON.stringify(o);

describe('functions and the shell itself', () => {
  it('local variables are the function\'s; return gives the status', async () => {
    const r = await check('#!/bin/bash\nD=/tmp/outer\nf() { local D=/tmp/inner; mkdir "$D"; return 3; }\nf || mkdir "$D"\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/inner', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/outer', mode: '0755' })]);
  });

  it('`exec CMD` runs CMD and ends the script', async () => {
    const r = await check('exec mkdir /tmp/a\nmkdir /tmp/never\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/a', mode: '0755' })]);
    expect(r.profiles[0]!.ending.ending).toBe('exec');
  });

  it('sh -c runs its text as a new shell: its variables stay there, exported ones go in', async () => {
    const r = await check("export A=/tmp/a\nB=/tmp/b\nsh -c 'mkdir \"$A\"; mkdir \"x$B\"; C=1; exit 4'\n[ $? -eq 4 ] && mkdir /tmp/four\nmkdir \"/tmp/c$C\"\n", Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/tmp/a', mode: '0755' }), j({ op: 'mkdir', path: '/x', mode: '0755' }),
      j({ op: 'mkdir', path: '/tmp/four', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/c', mode: '0755' }),
    ]);
  });

  it('shell options on the command line and the #! line: sh -e -c, bash -euo pipefail -c, #!/bin/sh -e', async () => {
    // mkdir of an existing directory fails (EEXIST): with -e the shell stops there
    const r = await check("sh -e -c 'mkdir /tmp; mkdir /tmp/never'\nbash -euo pipefail -c 'mkdir /tmp; mkdir /tmp/never2'\nsh -c 'mkdir /tmp; mkdir /tmp/after'\n", Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/tmp', mode: '0755' }), j({ op: 'mkdir', path: '/tmp', mode: '0755' }),
      j({ op: 'mkdir', path: '/tmp', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/after', mode: '0755' }),
    ]);
    const e = await check('#!/bin/sh -e\nmkdir /tmp\nmkdir /tmp/never\n', Y);
    expect(scriptOps(e)).toEqual([j({ op: 'mkdir', path: '/tmp', mode: '0755' })]);
    expect(e.profiles[0]!.ending).toMatchObject({ ending: 'errexit' });
    // through env, the #! line's words are env's, not the shell's options
    const viaEnv = await check('#!/usr/bin/env sh\nmkdir /tmp\nmkdir /tmp/yes\n', Y);
    expect(scriptOps(viaEnv)).toHaveLength(2);
  });

  it('`set -euo pipefail` sets options and leaves the positional parameters alone', async () => {
    const r = await checkWith('#!/bin/bash\nset -euo pipefail\nmkdir "/tmp/$1"\n', { profiles: Y, args: ['arg'] });
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/arg', mode: '0755' })]);
  });

  it('a script that runs itself again ("$0" in a new namespace) is followed there', async () => {
    const text = '#!/bin/sh\nif [ "$1" != inner ]; then\n  exec unshare -m "$0" inner\nfi\nmount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts\n';
    const r = await checkWith(text, { profiles: Y, scriptName: '/usr/local/bin/setup' });
    expect(scriptOps(r, undefined, true)).toEqual([
      j({ pid: 2, op: 'spawn', child: 3, newns: true }),
      j({ pid: 3, op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance,ptmxmode=0666' }),
      j({ pid: 3, op: 'exit' }),
    ]);
    expect(findings(r).map((f) => f.message)).toContain('the script runs itself again (/usr/local/bin/setup inner) in pid 3');
  });

  it('re-running itself with nothing that changes is cut after a few levels, with a warning', async () => {
    const r = await checkWith('mkdir -p /tmp/x\nsh "$0"\n', { profiles: Y, scriptName: 'loop.sh' });
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('runs itself again more than 4 levels deep')]);
  });

  it('trap … EXIT runs at the end of the script, and after exit', async () => {
    const r = await check("cleanup() { umount /dev/pts; }\ntrap cleanup EXIT\ntrap 'rmdir /x' INT\nmkdir /tmp/work\nexit 0\nmkdir /tmp/never\n", Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/work', mode: '0755' }), j({ op: 'umount', target: '/dev/pts' })]);
    expect(r.profiles[0]!.ending).toMatchObject({ ending: 'exit', status: 0 });
  });

  it('an EXIT trap does not run after exec (the shell is gone)', async () => {
    const r = await check("trap 'mkdir /tmp/trap' EXIT\nexec true\n", Y);
    expect(scriptOps(r)).toEqual([]);
  });

  it('a subshell\'s EXIT trap runs when the subshell ends', async () => {
    const r = await check("( trap 'mkdir /tmp/sub' EXIT; mkdir /tmp/in )\nmkdir /tmp/out\n", Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/in', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/sub', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/out', mode: '0755' })]);
  });
});

describe('wrappers run their command', () => {
  it.each([
    ['sudo', 'sudo mkdir /tmp/w'], ['sudo -E', 'sudo -E mkdir /tmp/w'], ['env', 'env LANG=C mkdir /tmp/w'], ['env -i', 'env -i PATH=/bin mkdir /tmp/w'],
    ['linux64', 'linux64 mkdir /tmp/w'], ['setarch', 'setarch x86_64 -R mkdir /tmp/w'], ['nice', 'nice -n 10 mkdir /tmp/w'], ['ionice', 'ionice -c 3 mkdir /tmp/w'],
    ['command', 'command mkdir /tmp/w'], ['timeout', 'timeout 10 mkdir /tmp/w'], ['fakeroot', 'fakeroot mkdir /tmp/w'],
  ])('%s', async (_name, line) => {
    const r = await check(`${line}\n`, Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/w', mode: '0755' })]);
  });

  it('sudo resets the environment unless -E; env -i empties it', async () => {
    const r = await check("export R=/tmp/r\nsudo sh -c 'mkdir \"x$R\"'\nsudo -E sh -c 'mkdir \"$R\"'\nenv -i sh -c 'mkdir \"y$R\"'\nenv R=/tmp/e sh -c 'mkdir \"$R\"'\n", Y);
    expect(scriptOps(r)).toEqual([
      j({ op: 'mkdir', path: '/x', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/r', mode: '0755' }), j({ op: 'mkdir', path: '/y', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/e', mode: '0755' }),
    ]);
  });
});

describe('arithmetic and tests', () => {
  it('$((…)), ((…)) and let, with variables', async () => {
    const r = await check('#!/bin/bash\nN=2\n(( N += 3 ))\nlet "M=N*2"\n(( unshare )) && mkdir /tmp/never\nmkdir /tmp/n$N-$M-$((N % 4))\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/n5-10-1', mode: '0755' })]);
  });

  it('under dash, ((…)) is two subshells: a command that is not found', async () => {
    const r = await check('#!/bin/sh\n(( 1 )) && mkdir /tmp/never\nmkdir /tmp/after\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/after', mode: '0755' })]);
  });

  it('[, test and [[ read the model at that point', async () => {
    const r = await check('#!/bin/bash\n[ -c /dev/ptmx ] && mkdir /tmp/c\ntest -d /dev/pts && mkdir /tmp/d\n[[ -L /dev/ptmx || -e /nope ]] || mkdir /tmp/l\n[ -e /dev/pts/ptmx ] && mkdir /tmp/e\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('mkdir'))).toEqual([
      j({ op: 'mkdir', path: '/tmp/c', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/d', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/l', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/e', mode: '0755' }),
    ]);
  });
});

describe('input and output', () => {
  it('a here-document feeds a shell; $(…) of known commands is known', async () => {
    const r = await check('D=$(dirname /tmp/x/y)\nsh <<EOF\nmkdir $D/z\nEOF\nmkdir "$(basename /a/b)"\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/x/z', mode: '0755' }), j({ op: 'mkdir', path: '/b', mode: '0755' })]);
  });

  it('what the script writes into a file can be read back and run', async () => {
    const r = await check("cat > /tmp/inner.sh <<'EOF'\nmount -t devpts -o newinstance devpts /dev/pts\nEOF\nsh /tmp/inner.sh\n", Y);
    expect(scriptOps(r).at(-1)).toBe(j({ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance' }));
    expect(r.warnings).toEqual([]);
  });

  it('an unknown command\'s output makes the word unknown (never a guess)', async () => {
    const r = await check('V=$(lsb_release -cs)\nmkdir "/tmp/$V"\n', Y);
    expect(scriptOps(r)).toEqual([]);
    expect(r.warnings.map((w) => w.line)).toEqual([1, 2]);
  });
});

describe('arrays', () => {
  it('eval local args=(…) makes the array bash makes (three elements)', async () => {
    const r = await check('#!/bin/bash\nf() { eval local args=(a "b c"); mkdir "/tmp/${#args[@]}-${args[1]}"; }\nf\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/3-b', mode: '0755' })]);
  });

  it('mksh: set -A, element assignment and ${#a[@]}', async () => {
    const r = await check('#!/system/bin/sh\nset -A d /dev/pts /proc\nd[2]=/sys\nmkdir "/tmp/${#d[@]}${d[2]}"\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/3/sys', mode: '0755' })]);
  });
});

describe('option parsing and the tools around it', () => {
  it('getopts walks the arguments as the shell does (clusters, option arguments, --)', async () => {
    const text = 'while getopts "r:vn" opt; do\n  case $opt in\n    r) ROOT=$OPTARG ;;\n    v) V=1 ;;\n    n) N=1 ;;\n  esac\ndone\nshift $((OPTIND - 1))\nmkdir "$ROOT-$V$N-$1"\n';
    const r = await checkWith(text, { profiles: Y, args: ['-vn', '-r', '/tmp/root', '--', 'rest'] });
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/root-11-rest', mode: '0755' })]);
  });

  it('install -d is mkdir -p with a mode', async () => {
    const r = await check('install -d -m 0755 /tmp/a/dev/pts\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('mkdir'))).toEqual([
      j({ op: 'mkdir', path: '/tmp/a', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/a/dev', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/a/dev/pts', mode: '0755' }),
    ]);
  });

  it('[[ =~ ]] matches an extended regular expression', async () => {
    const r = await check('#!/bin/bash\nK=6.18.44\n[[ $K =~ ^[0-9]+\\.([0-9]+) ]] && mkdir /tmp/yes\n[[ $K =~ ^2\\.6 ]] || mkdir /tmp/no\n', Y);
    expect(scriptOps(r)).toEqual([j({ op: 'mkdir', path: '/tmp/yes', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/no', mode: '0755' })]);
  });

  it('programs are assumed installed and /etc files absent, and the text says so', async () => {
    const r = await check('[ -x /usr/sbin/chroot ] && mkdir /tmp/prog\n[ -f /etc/default/devpts ] || mkdir /tmp/noconf\n', Y);
    expect(scriptOps(r).filter((o) => o.includes('mkdir'))).toEqual([j({ op: 'mkdir', path: '/tmp/prog', mode: '0755' }), j({ op: 'mkdir', path: '/tmp/noconf', mode: '0755' })]);
    expect(findings(r).filter((f) => f.kind === 'assumed').map((f) => f.line)).toEqual([1, 2]);
  });
});
