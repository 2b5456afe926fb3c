// Can the live-kernel harness run here? Where it cannot, this is the one place that says
// why (one line); every other kernel suite is skipped with describe.skipIf(NO_KERNEL).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_SOURCE, unavailableLine } from '../../kernel/build.ts';
import { KERNEL } from './helpers.ts';

describe('live-kernel harness availability', () => {
  it('builds and runs here, or says in one line why not', (ctx) => {
    if (!KERNEL.ok) {
      console.log(unavailableLine(KERNEL.reason));
      ctx.skip(KERNEL.reason);
      return;
    }
    expect(existsSync(KERNEL.binary)).toBe(true);
  });

  it.skipIf(!KERNEL.ok)('is built from the current source (the binary is named after its hash)', () => {
    if (!KERNEL.ok) return;
    const hash = createHash('sha256').update(readFileSync(HARNESS_SOURCE)).update('-O2 -std=gnu11 -Wall -Wextra').digest('hex').slice(0, 16);
    expect(basename(KERNEL.binary)).toBe(`harness-${hash}`);
  });
});
