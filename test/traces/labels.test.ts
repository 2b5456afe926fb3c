// fs labels (operations.md): devpts1, devpts2, ... in order of first appearance in one
// run's results, "other" for every non-devpts filesystem, whatever the raw keys are.

import { describe, expect, it } from 'vitest';
import { FsLabeler, labelModelResult, modelFsKey } from '../../traces/labels.ts';

describe('FsLabeler', () => {
  it('numbers instances in order of first appearance and keeps each label', () => {
    const l = new FsLabeler<string>();
    expect(l.label('devpts#7')).toBe('devpts1');
    expect(l.label('devpts#2')).toBe('devpts2');
    expect(l.label('devpts#7')).toBe('devpts1');
    expect(l.entries()).toEqual([['devpts#7', 'devpts1'], ['devpts#2', 'devpts2']]);
  });

  it('calls every non-devpts filesystem "other" and hands out no number for it', () => {
    const l = new FsLabeler<string>();
    expect(l.label(null)).toBe('other');
    expect(l.label('devpts#0')).toBe('devpts1');
  });

  it('is generic over the raw key: st_dev pairs from the live kernel label the same way', () => {
    const l = new FsLabeler<bigint>();
    expect([l.devpts(0x28n), l.devpts(0x29n), l.devpts(0x28n)]).toEqual(['devpts1', 'devpts2', 'devpts1']);
  });

  it('one labeler per run: a new run starts again at devpts1', () => {
    const a = new FsLabeler<string>();
    a.label('devpts#3');
    expect(new FsLabeler<string>().label('devpts#5')).toBe('devpts1');
  });
});

describe('labelling model results', () => {
  it('relabels fs in a stat result and leaves everything else as it is', () => {
    const l = new FsLabeler<string>();
    const r = labelModelResult(l, { ok: true, type: 'chr', mode: '0000', uid: 0, gid: 0, rdev: '5:2', fs: 'devpts#4' });
    expect(r).toEqual({ ok: true, type: 'chr', mode: '0000', uid: 0, gid: 0, rdev: '5:2', fs: 'devpts1' });
    expect(labelModelResult(l, { ok: true, type: 'dir', mode: '0755', uid: 0, gid: 0, fs: 'other' })).toMatchObject({ fs: 'other' });
  });

  it('results without fs, and errno results, pass through untouched', () => {
    const l = new FsLabeler<string>();
    const ok = { ok: true as const, fd: 'm', index: 0 };
    expect(labelModelResult(l, ok)).toBe(ok);
    expect(labelModelResult(l, { errno: 'EIO' })).toEqual({ errno: 'EIO' });
    expect(l.entries()).toEqual([]);
  });

  it('the model says "other" for a non-devpts node', () => {
    expect(modelFsKey('other')).toBeNull();
    expect(modelFsKey('devpts#1')).toBe('devpts#1');
  });
});
