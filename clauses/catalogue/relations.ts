// Between profiles (R1, R2): one sequence on two profiles, compared step by step.

import { both, legacyValidOptions, neverNamesDevptsPtmx, r2Premise } from '../comparisons.ts';
import { comparison, type Clause } from '../record.ts';
import { LEGACY_BOOTS, NEWINSTANCE_BOOTS, SYMLINK_PREFIX } from './document.ts';

export const RELATION_CLAUSES: readonly Clause[] = [  {
    id: 'R1', kind: 'R', profiles: ['2.6.39-n', '2.6.39-y'], expected: { '2.6.39-y vs 2.6.39-n': 'holds' },
    statement: '2.6.39-n and 2.6.39-y agree on every sequence that uses only valid legacy options and never names /dev/pts/ptmx',
    code: 'with valid options only, the legacy implicit remount and the CONFIG=y memcpy give the same options; the ptmx node is the one difference.',
    formalization: 'sequences generated on 2.6.39-y with only uid=/gid=/mode= items (boot included), never naming a devpts ptmx node by any path, replayed on 2.6.39-n: every step gives the same result (fs relabelled; the "ptmx" entry of a devpts listing ignored).',
    check: comparison(['2.6.39-y', '2.6.39-n'], both(legacyValidOptions, neverNamesDevptsPtmx), { vocabulary: 'legacyValid', avoidDevptsPtmx: true, boots: LEGACY_BOOTS }, true),
  },
  {
    id: 'R2', kind: 'R', profiles: ['2.6.39-y', '6.x'], expected: { '2.6.39-y vs 6.x': 'hypothesis' },
    statement: '2.6.39-y and 6.x agree on every sequence in which every devpts mount uses newinstance with valid options, and /dev/ptmx is a symlink to pts/ptmx before any pty is opened',
    code: '2.6.39: a ptmx node not on devpts means the initial instance; 6.x: the sibling pts. TIOCGPTPEER exists only on 6.x and limits differ (K5): those ops are left out.',
    formalization: 'sequences generated on 2.6.39-y booting with a newinstance mount, starting with rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx, every devpts mount and remount with newinstance and options valid on both (uid, gid, mode, ptmxmode), no peer or sysctl, replayed on 6.x: every step gives the same result (fs relabelled).',
    check: comparison(['2.6.39-y', '6.x'], r2Premise, { vocabulary: 'newinstanceValid', boots: NEWINSTANCE_BOOTS, prefix: SYMLINK_PREFIX, exclude: ['peer', 'sysctl'] }, false),
  },
];
