// The options line /proc/mounts shows for an instance (devpts_show_options), per profile.
// mount(8) builds a remount from it, so the script checker depends on it.

import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, PROFILES } from '../../model/index.ts';

const opts = { ...DEFAULT_OPTIONS, gid: 5, mode: 0o620, ptmxmode: 0o666, max: 7 };

describe('the /proc/mounts options line', () => {
  it('shows no ptmxmode and no max on a legacy kernel (fs/devpts/inode.c 2.6.39, CONFIG=n)', () => {
    expect(PROFILES['2.6.39-n'].showOptions(opts)).toEqual(['gid=5', 'mode=620']);
  });
  it('shows ptmxmode with CONFIG=y on 2.6.39, but no max (the option does not exist yet)', () => {
    expect(PROFILES['2.6.39-y'].showOptions(opts)).toEqual(['gid=5', 'mode=620', 'ptmxmode=666']);
  });
  it('shows max from 3.4 on, and on 6.x (live 6.x S1c: rw,gid=5,mode=620,ptmxmode=666,max=2)', () => {
    expect(PROFILES['3.4-y'].showOptions(opts)).toEqual(['gid=5', 'mode=620', 'ptmxmode=666', 'max=7']);
    expect(PROFILES['6.x'].showOptions(opts)).toEqual(['gid=5', 'mode=620', 'ptmxmode=666', 'max=7']);
  });
  it('never shows newinstance, shows uid/gid only when set, and hides max=1048576 (live 6.x S7)', () => {
    const shown = PROFILES['6.x'].showOptions({ ...DEFAULT_OPTIONS, newinstance: true, max: 1 << 20 });
    expect(shown).toEqual(['mode=600', 'ptmxmode=000']);
  });
});
