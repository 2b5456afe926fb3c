// devpts-check script: the table, exit codes, --json, --profile, --boot-options and
// --trace-out (whose files replay on the model with every expectation holding).

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { tracePath } from '../../cli/commands/script.ts';
import { loadTrace } from '../../traces/load.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { runCli } from './helpers.ts';

const example = (name: string): string => new URL(`../../examples/${name}`, import.meta.url).pathname;

const scratch = (): string => mkdtempSync(join(tmpdir(), 'devpts-script-'));

describe('devpts-check script', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('exits 0 when every verdict is yes, with the table', async () => {
    const r = await runCli(example('lxc-private-dev.sh'), { profile: ['2.6.39-y,3.4-y', '6.x'] });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('profile   reachable  isolated  host unharmed  non-root usable  effect unknown\n2.6.39-y  yes        yes       yes            yes              0\n');
    expect(r.out).toContain('Every verdict is yes.');
    expect(r.out).not.toContain('Why each "no"');
  });

  it('exits 1 when a verdict is no, and shows why with the probe\'s trace', async () => {
    const r = await runCli(example('forgot-redirect.sh'), { profile: ['2.6.39-y'] });
    expect(r.code).toBe(1);
    expect(r.out).toContain('2.6.39-y  no         no        yes            no               0');
    expect(r.out).toMatch(/2\.6\.39-y reachable: no: root in the container: open \/dev\/ptmx gives pty 0 in the host's \/dev\/pts instance/);
    expect(r.out).toContain('      [pid 4] open /dev/ptmx as reach → pty 0\n');
    expect(r.out).toContain('Pty consumers: sshd (line 8, in the container)');
  });

  it('--verbose shows every verdict\'s trace', async () => {
    const r = await runCli(example('lxc-private-dev.sh'), { profile: ['6.x'], verbose: true });
    expect(r.out).toContain('6.x reachable: yes:');
    expect(r.out).toContain('6.x host unharmed: yes: as at boot');
  });

  it('--json gives verdicts, reasons, traces, findings and the script\'s ops', async () => {
    const r = await runCli(example('doc-container.sh'), { json: true, profile: ['2.6.39-n', '6.x'] });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ format: 'devpts-check-script/1', bootOptions: 'gid=5,mode=620', ok: false, warnings: [] });
    expect(j.profiles[0].unknownEffects).toBe(0);
    expect(j.profiles.map((p: { profile: string }) => p.profile)).toEqual(['2.6.39-n', '6.x']);
    const six = j.profiles[1];
    expect(six.verdicts.reachable).toMatchObject({ value: true });
    expect(six.verdicts.nonRootUsable.trace.at(-2)).toMatchObject({ op: { op: 'open', path: '/dev/ptmx', as: 'user' }, result: { errno: 'EACCES' } });
    expect(six.steps.find((s: { line: number }) => s.line === 14).op).toEqual({ op: 'mount', pid: 3, fstype: 'devpts', target: '/dev/pts', options: 'newinstance' });
    expect(six.container).toMatchObject({ pid: 3, line: 9 });
  });

  it('--boot-options sets init\'s mount; a value init cannot mount is a usage error', async () => {
    const plain = await runCli(example('no-newinstance.sh'), { profile: ['2.6.39-y'], bootOptions: '' });
    // with no gid/mode at boot, the container's plain mount changes nothing the host sees
    expect(plain.out).toContain('2.6.39-y  yes        no        yes            yes              0');
    const bad = await runCli(example('no-newinstance.sh'), { profile: ['6.x'], bootOptions: 'bogus' });
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(/^devpts-check: --boot-options "bogus": .*EINVAL/);
  });

  it('rejects an unknown profile', async () => {
    const r = await runCli(example('doc-note4.sh'), { profile: ['5.0'] });
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe('devpts-check: --profile: unknown profile "5.0" (one of 2.6.39-n, 2.6.39-y, 3.4-y, 4.4-n, 4.4-y, 6.1, 6.x)\n');
  });

  it('--trace-out writes one devpts-trace/1 per profile, which replays with every expectation holding', async () => {
    const dir = scratch();
    const r = await runCli(example('doc-note4.sh'), { traceOut: join(dir, 'note4.json') });
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['note4.2.6.39-n.json', 'note4.2.6.39-y.json', 'note4.3.4-y.json', 'note4.4.4-n.json', 'note4.4.4-y.json', 'note4.6.1.json', 'note4.6.x.json']);
    for (const p of ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y', '6.1', '6.x']) {
      const trace = await loadTrace(join(dir, `note4.${p}.json`));
      expect(trace).toMatchObject({ format: 'devpts-trace/1', profile: p, boot: { devptsOptions: 'gid=5,mode=620' } });
      expect(trace.steps[0]).toMatchObject({ op: 'spawn', pid: 1, child: 2 });
      expect(trace.steps.some((s) => s.note?.startsWith('probe reachable'))).toBe(true);
      const replay = replayOnModel(trace, p);
      expect(replay.firstFailure).toBeNull();
      expect(replay.verdict).toBe('holds');
    }
    const one = await loadTrace(join(dir, 'note4.6.x.json'));
    expect(one.steps.find((s) => s.op === 'bind')).toMatchObject({ note: 'line 11: mount -o bind /dev/pts/ptmx /dev/ptmx', expect: { ok: true } });
    expect((one as unknown as { verdicts: Record<string, { value: boolean }> }).verdicts.reachable.value).toBe(true);
  });

  it('--trace-out with one profile writes the file named', async () => {
    const dir = scratch();
    await runCli(example('forgot-redirect.sh'), { profile: ['3.4-y'], traceOut: join(dir, 't.json') });
    expect(readdirSync(dir)).toEqual(['t.json']);
    expect(tracePath('out', '6.x', true)).toBe('out.6.x');
  });

  it('is registered in the CLI', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
    const code = await main(['script', example('lxc-private-dev.sh'), '--profile', '6.x']);
    expect(code).toBe(0);
    expect(out).toContain('6.x      yes        yes       yes            yes              0');
  });

  it('--profile takes the form of every command: comma-separated or repeated, before or after the file', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
    expect(await main(['script', '--profile', '6.x,3.4-y', example('lxc-private-dev.sh')])).toBe(0);
    expect(out).toContain('3.4-y    yes        yes       yes            yes              0\n6.x      yes');
    out = '';
    expect(await main(['script', example('lxc-private-dev.sh'), '--profile', '6.x', '--profile', '3.4-y'])).toBe(0);
    expect(out).toContain('3.4-y    yes        yes       yes            yes              0\n6.x      yes');
  });

  it('a space-separated profile list is one clear line with the form to use, exit 2', async () => {
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
    expect(await main(['script', '--profile', '6.x', '3.4-y', example('lxc-private-dev.sh')])).toBe(2);
    expect(err).toMatch(/^devpts-check: script: one script at a time .*write --profile 6\.x,3\.4-y\n$/);
  });

  it('a parse error is exit 2 with file, line, column and a caret', async () => {
    const dir = scratch();
    const file = join(dir, 'bad.sh');
    writeFileSync(file, '#!/bin/sh\nmount -t devpts devpts /dev/pts\nif [ -L /dev/ptmx ]; then\n  echo "unclosed\nfi\n');
    const r = await runCli(file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`devpts-check: ${file}:4:8: parse error: reached EOF without closing quote \`"\`\n  4 |   echo "unclosed\n    |        ^\n`);
  });
});
