// The clause catalogue (../shared/design/clauses.md) as data, each clause with the
// property that checks it.
//
// API for other components
// ------------------------
// - `CLAUSES: readonly Clause[]` — the catalogue in clauses.md order. Per clause: `id`,
//   `kind` (D document body, U user-space notes, K kernel facts, R between profiles,
//   I invariants), `statement` (our words), `profiles` it speaks about (a comparison
//   clause has a `pair`), `expected` verdict per profile label as clauses.md states it
//   (a *hypothesis*: the properties compute the verdict), `document` (the document's
//   words, where it has any), `code` (what the kernel code does), `formalization`
//   (exactly what the property checks), and the property itself.
// - `clause.transition?(ctx) → string | null` — for clauses judgeable on one transition
//   (before, op, result, after): the explorer calls it on every transition it takes.
//   `ctx` is a `TransitionCtx` (properties/transitions.ts); `ctx.step` is the subject's
//   step function, used for counterfactuals; `ctx.witness?.()` is called when the
//   clause's premise held. Invariants I1–I5 have one too (wrapping
//   properties/invariants.ts, whose plain `(profile, before, op, result, after)` form
//   the explorer may also use directly).
// - `clause.property(subjects, { maxSteps }) → { arbitrary, check }` — the fast-check
//   arbitrary of runs and the run check (`(run, witness) → Violation | null`). Used by
//   the runner; one subject, or [driver, other] for a comparison.
// - `checkClause(clause, target, { runs, seed, maxSteps }) → ClauseResult` (synchronous;
//   `clause` is a Clause or an ID, `target` a profile ID, a profile record or a subject,
//   or a pair for R1/R2/D5/U1 — a single record replaces its own member of the pair) and
//   `runChecks({ profiles, clauses, runs, seed, maxSteps, outDir, onProgress }) →
//   Promise<CheckReport>` live in properties/runner.ts (re-exported here): verdicts with
//   evidence (runs, witnessed runs, seed, the shrunk counterexample as devpts-trace/1
//   traces — saved under `outDir` atomically via traces/save.ts — its length before and
//   after shrinking, the fast-check seed and path, whether it replays through the
//   machine). Defaults: DEFAULT_SEED, DEFAULT_RUNS, DEFAULT_MAX_STEPS (runner.ts).
// - Generators for other components: properties/arbitraries.ts (`runs`, `opSequences`,
//   `scenarioRuns`, GenOptions: maxSteps, exclude, maxOpenPtys, vocabulary, ...).
//
// Targets are profile IDs, profile *records* (mutants: `{ ...PROFILES['6.x'], field }`)
// or subjects (properties/run.ts: a record plus a step function).

import fc from 'fast-check';
import type { BootConfig, ProfileId } from '../model/index.ts';
import { runs, scenarioRuns, type GenOptions } from './arbitraries.ts';
import {
  both, comparison, legacyValidOptions, neverNamesDevptsPtmx, noNewinstance, noNewOptions, r2Premise,
} from './compare.ts';
import { INVARIANTS, type InvariantId } from './invariants.ts';
import type { Run, Subject } from './run.ts';
import {
  d8Check, d8Scenario, u2Check, u2Scenario, u3Check, u3Scenario, u4Check, u4Scenario, u5Check, u5Scenario,
  u7Check, type RunCheck,
} from './scenarios.ts';
import { TRANSITIONS, type TransitionCheck, type TransitionCtx } from './transitions.ts';

export type ClauseKind = 'D' | 'U' | 'K' | 'R' | 'I';
export type Expected = 'holds' | 'violated' | 'hypothesis';

export interface PropertySpec {
  readonly arbitrary: fc.Arbitrary<Run>;
  readonly check: RunCheck;
}

export interface PropertyOptions { readonly maxSteps: number }

export interface Clause {
  readonly id: string;
  readonly kind: ClauseKind;
  /** The clause in our own words. */
  readonly statement: string;
  /** Profiles the clause speaks about (every other profile: n/a). For a comparison, the pair. */
  readonly profiles: readonly ProfileId[];
  /** A comparison clause: [driver, other]; its verdict is one, labelled "A vs B". */
  readonly pair?: readonly [ProfileId, ProfileId];
  /** clauses.md's expectation per profile label (profile ID, or "A vs B"): a hypothesis. */
  readonly expected: Readonly<Record<string, Expected>>;
  /** The document's words (../shared/spec/devpts.txt), where the clause comes from it. */
  readonly document?: string;
  /** What the kernel code does (../shared/research/kernel-code.md, live-kernel-6x.md). */
  readonly code: string;
  /** Exactly what the property checks. */
  readonly formalization: string;
  /** One-transition check, for clauses judgeable on a single transition (the explorer uses these). */
  readonly transition?: TransitionCheck;
  /** The property: generated runs and the check over a run. */
  readonly property: (subjects: readonly Subject[], options: PropertyOptions) => PropertySpec;
}

export type { TransitionCtx, TransitionCheck };

// ---- property builders ----------------------------------------------------------------

/** A run check from a transition check: every step of the run, first violation wins. */
export function everyTransition(t: TransitionCheck): RunCheck {
  return (run, witness) => {
    let witnessed = false;
    const ctx = {
      profile: run.subject.profile, step: run.subject.step,
      before: run.states[0]!, op: run.ops[0]!, result: run.results[0]!, after: run.states[0]!,
      witness: () => { if (!witnessed) { witnessed = true; witness(); } },
    } as { -readonly [K in keyof TransitionCtx]: TransitionCtx[K] };
    for (let i = 0; i < run.ops.length; i++) {
      ctx.before = run.states[i]!; ctx.op = run.ops[i]!; ctx.result = run.results[i]!; ctx.after = run.states[i + 1]!;
      const message = t(ctx);
      if (message !== null) return { step: i, message };
    }
    return null;
  };
}

const onTransitions = (t: TransitionCheck, gen: GenOptions = {}) =>
  ([s]: readonly Subject[], o: PropertyOptions): PropertySpec => ({ arbitrary: runs(s!, { ...gen, maxSteps: o.maxSteps }), check: everyTransition(t) });

const onScenario = (scenario: Parameters<typeof scenarioRuns>[1], check: RunCheck, gen: GenOptions = {}) =>
  ([s]: readonly Subject[], o: PropertyOptions): PropertySpec => ({ arbitrary: scenarioRuns(s!, scenario, { ...gen, maxSteps: o.maxSteps }), check });

const onComparison = (premise: Parameters<typeof comparison>[1], gen: GenOptions, dropPtmx: boolean) =>
  ([driver, other]: readonly Subject[], o: PropertyOptions): PropertySpec => ({
    arbitrary: runs(driver!, { ...gen, maxSteps: o.maxSteps }),
    check: comparison(other!, premise, dropPtmx),
  });

const invariant = (id: InvariantId): TransitionCheck => (ctx) => {
  const v = INVARIANTS[id](ctx.profile, ctx.before, ctx.op, ctx.result, ctx.after);
  if (v === null) ctx.witness?.();
  return v;
};

const ALL: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'];
const CONFIG_Y: readonly ProfileId[] = ['2.6.39-y', '3.4-y'];
const WITH_NODE: readonly ProfileId[] = ['2.6.39-y', '3.4-y', '6.x'];
const expect = (profiles: readonly string[], e: Expected): Record<string, Expected> => Object.fromEntries(profiles.map((p) => [p, e]));

const LEGACY_BOOTS: readonly BootConfig[] = [{}, { devptsOptions: 'gid=5,mode=620' }, { mountDevpts: false }, { devptsOptions: 'mode=0620' }];
const NEWINSTANCE_BOOTS: readonly BootConfig[] = [{ devptsOptions: 'newinstance' }, { devptsOptions: 'newinstance,ptmxmode=0666' }, { devptsOptions: 'newinstance,gid=5,mode=620' }];
/** /dev/ptmx → pts/ptmx before anything else (R2's premise; D8's and U3's recipe). */
export const SYMLINK_PREFIX = [
  { op: 'unlink', pid: 1, path: '/dev/ptmx' },
  { op: 'symlink', pid: 1, target: 'pts/ptmx', path: '/dev/ptmx' },
] as const;

const INVARIANT_STATEMENTS: Record<InvariantId, string> = {
  I1: 'within an instance, allocated indices are unique, and a new pty gets the lowest free index',
  I2: 'the listing of a mounted devpts is exactly its ptmx node (if any) plus the indices whose master is open',
  I3: 'every pty belongs to exactly one instance; no open handle refers to a freed pty',
  I4: 'no instance holds more ptys than its limits allow',
  I5: 'a failed step (errno) leaves the state unchanged, except where a clause above says otherwise (K1, K4, K11)',
};
const INVARIANT_FORMS: Record<InvariantId, string> = {
  I1: 'after every successful ptmx open: the reported index is the master\'s, was not held, is the lowest free in its instance, and the instance gained exactly one pty.',
  I2: 'after every step changing instances, handles or mounts: every instance has a ptmx node iff the profile has one, and lists an index iff a master handle on it is open.',
  I3: 'after every step changing instances or handles: every handle names a live pty of an existing instance; a pty\'s open ends match its handles (at most one master); no allocated pty has both ends closed.',
  I4: 'whenever a pty is allocated: the limits of the profile\'s generation (K5) hold in the new state.',
  I5: 'after every failed step: the state is unchanged, except that a remount failing with EINVAL on 2.6.39/3.4 may change the remounted instance\'s options and set its ptmx node\'s mode to the resulting ptmxmode (nothing else), and a devpts mount refused by do_add_mount after devpts_mount ran (EBUSY, K11; ENOTDIR) may change the initial instance\'s options (nothing else); on 6.x nothing changes.',
};

// ---- the catalogue ------------------------------------------------------------------------

export const CLAUSES: readonly Clause[] = [
  // -- from the document
  {
    id: 'D1', kind: 'D', profiles: WITH_NODE, expected: expect(WITH_NODE, 'holds'),
    statement: 'ptys allocated in one instance never change the indices allocated, or the nodes listed, in another instance',
    document: 'indices of ptys allocated in one instance are independent of indices allocated in other instances of devpts.',
    code: 'each superblock has its own ida; devpts_new_index allocates from the instance of the opened ptmx (fs/devpts/inode.c).',
    formalization: 'on every successful ptmx open (and every close of a pty): no other instance gains or loses an index or a listed node, and the index allocated is the lowest free in the allocating instance alone.',
    transition: TRANSITIONS.D1, property: onTransitions(TRANSITIONS.D1),
  },
  {
    id: 'D2', kind: 'D', profiles: ['2.6.39-n', ...CONFIG_Y], expected: expect(['2.6.39-n', ...CONFIG_Y], 'holds'),
    statement: 'multi-instance behaviour needs both CONFIG=y and newinstance; otherwise every devpts mount shows the same ptys',
    document: 'this support for multiple instances is enabled only if: CONFIG_DEVPTS_MULTIPLE_INSTANCES=y, and \'-o newinstance\' mount option is specified',
    code: 'CONFIG=n: mount_single always returns the one superblock; CONFIG=y without newinstance: devpts_mount returns the initial kernel mount\'s superblock.',
    formalization: 'every successful devpts mount on 2.6.39-n, and every one without a `newinstance` item on CONFIG=y, attaches the initial (single) instance.',
    transition: TRANSITIONS.D2, property: onTransitions(TRANSITIONS.D2),
  },
  {
    id: 'D3', kind: 'D', profiles: ['2.6.39-n'], expected: { '2.6.39-n': 'violated' },
    statement: 'with CONFIG=n, newinstance and ptmxmode are ignored with a bogus-option console message: the mount behaves as if they were absent',
    document: 'In this mode, the new mount options (-o newinstance and -o ptmxmode) will be ignored with a \'bogus option\' message on console.',
    code: 'the mount is an implicit remount of the single instance: options are reset, then applied up to the first unknown item; items after it are lost (mount_single ignores the error).',
    formalization: 'a devpts mount whose data has a `newinstance` or `ptmxmode=` item prints the bogus-option message and gives the same result and the same state as the same mount with those items removed.',
    transition: TRANSITIONS.D3, property: onTransitions(TRANSITIONS.D3),
  },
  {
    id: 'D4', kind: 'D', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'with CONFIG=y, a mount without newinstance binds the initial kernel mount: ptys are common across the system',
    document: 'devpts is mounted without the \'newinstance\' option (as in current start-up scripts) the new mount binds to the initial kernel mount of devpts. [...] PTYs are common across the system.',
    code: 'devpts_mount without newinstance uses devpts_mnt->mnt_sb, the initial kernel instance.',
    formalization: 'a successful devpts mount without `newinstance` attaches the initial instance; while no other instance exists, every successful ptmx open allocates in the initial instance.',
    transition: TRANSITIONS.D4, property: onTransitions(TRANSITIONS.D4),
  },
  {
    id: 'D5', kind: 'D', profiles: ['2.6.39-y', '2.6.39-n'], pair: ['2.6.39-y', '2.6.39-n'], expected: { '2.6.39-y vs 2.6.39-n': 'violated' },
    statement: 'the only difference between single-instance mode and legacy mode is /dev/pts/ptmx: without newinstance and without touching /dev/pts/ptmx, the two profiles give the same results',
    document: 'The only difference between this single-instance mode and the legacy mode is the presence of new, \'/dev/pts/ptmx\' node with permissions 0000, which can safely be ignored.',
    code: 'with CONFIG=y a bogus option fails the mount (EINVAL) and changes nothing; with CONFIG=n the mount succeeds after a partial reset-and-apply; ptmxmode= is valid only with CONFIG=y.',
    formalization: 'sequences generated on 2.6.39-y with any options except newinstance (bogus ones and ptmxmode included), that never name a devpts ptmx node by any path, replayed on 2.6.39-n: every step gives the same result (fs relabelled; the "ptmx" entry of a devpts listing ignored).',
    property: onComparison(both(noNewinstance, neverNamesDevptsPtmx), { vocabulary: 'noNewinstance', avoidDevptsPtmx: true, boots: [...LEGACY_BOOTS, { devptsOptions: 'gid=5,mode=620,ptmxmode=000' }] }, true),
  },
  {
    id: 'D6', kind: 'D', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'with CONFIG=y, newinstance creates a new instance whose ptys are independent of all others, with its own /dev/pts/ptmx',
    document: 'If CONFIG_DEVPTS_MULTIPLE_INSTANCES=y and \'newinstance\' option is specified, [...] a new instance of the devpts fs is created. Any ptys created in this instance are independent of ptys in other instances of devpts. Like in the single-instance mode, the /dev/pts/ptmx node is present.',
    code: 'sget with a NULL test always allocates a fresh superblock; mknod_ptmx creates its ptmx node with the mount\'s ptmxmode.',
    formalization: 'a successful devpts mount with `newinstance` attaches an instance that did not exist, holds no pty, and whose ptmx node is <target>/ptmx. (Independence of its ptys: D1.)',
    transition: TRANSITIONS.D6, property: onTransitions(TRANSITIONS.D6, { weights: { mountDevpts: 12, container: 10 } }),
  },
  {
    id: 'D7', kind: 'D', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'to use a new instance, opens of /dev/ptmx must be redirected to /dev/pts/ptmx (symlink or bind mount); an unredirected /dev/ptmx never allocates in a new instance',
    document: 'To effectively use the multi-instance mode, open of /dev/ptmx must be a redirected to \'/dev/pts/ptmx\' using a symlink or bind-mount.',
    code: 'pts_sb_from_inode: a ptmx inode on devpts gives its own instance; any other c 5:2 node the initial instance. (6.x: not needed, K8.)',
    formalization: 'every successful open of a ptmx node that is not on devpts (however it is reached) allocates in the initial instance.',
    transition: TRANSITIONS.D7, property: onTransitions(TRANSITIONS.D7),
  },
  {
    id: 'D8', kind: 'D', profiles: WITH_NODE, expected: expect(WITH_NODE, 'holds'),
    statement: 'the document\'s container example (chmod, rm, ln -s, new namespace, umount, newinstance mount, a daemon opens a pty): the daemon\'s pty is not visible in the original mount',
    document: 'A container startup script could do the following: chmod 0666 /dev/pts/ptmx; rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx; ns_exec -cm /bin/bash; umount /dev/pts; mount -t devpts -o newinstance lxcpts /dev/pts; sshd -p 1234 [...] A pty created by the sshd is not visible in the original mount of /dev/pts.',
    code: 'the symlink is resolved at each open, to the container\'s own /dev/pts/ptmx (a new instance).',
    formalization: 'after a random prefix, the example runs as written (host: chmod, rm, ln -s; a child in a new namespace: umount, newinstance mount; its child daemon: open /dev/ptmx); when the redirect, the namespace, the mount and the open succeed, the daemon\'s pty is in neither the host\'s /dev/pts at the start of the example nor the host\'s /dev/pts after the open.',
    property: onScenario(d8Scenario, d8Check),
  },
  // -- user-space notes
  {
    id: 'U1', kind: 'U', profiles: ['2.6.39-y', '2.6.39-n'], pair: ['2.6.39-y', '2.6.39-n'], expected: { '2.6.39-y vs 2.6.39-n': 'hypothesis' },
    statement: 'if newinstance is never used, /dev/pts/ptmx can be ignored and start-up scripts need no change',
    document: 'If -o newinstance mount option is never used, /dev/pts/ptmx can be ignored and no change is needed to system-startup scripts.',
    code: 'without newinstance, 2.6.39-y behaves as single-instance; but its parser rejects what the legacy one ignores (a bogus option fails the mount).',
    formalization: 'a legacy-era script (no newinstance, no ptmxmode: options a legacy kernel knows, plus unknown items the legacy kernel ignores) gives on 2.6.39-y the results it gives on 2.6.39-n, over sequences that never name a devpts ptmx node (its listing entry ignored). With only valid legacy options this is R1.',
    property: onComparison(both(noNewOptions, neverNamesDevptsPtmx), { vocabulary: 'legacyAny', avoidDevptsPtmx: true, boots: LEGACY_BOOTS }, true),
  },
  {
    id: 'U2', kind: 'U', profiles: WITH_NODE, expected: expect(WITH_NODE, 'holds'),
    statement: 'either a bind mount or a symlink redirect makes /dev/ptmx allocate in the new instance',
    document: 'administrators or startup scripts should "redirect" open of /dev/ptmx to /dev/pts/ptmx using either a bind mount or symlink. [...] $ rm /dev/ptmx; $ ln -s pts/ptmx /dev/ptmx [...] or $ mount -o bind /dev/pts/ptmx /dev/ptmx',
    code: 'a bind is the devpts ptmx inode itself; a symlink resolves to it at open time.',
    formalization: 'after a random prefix, a root process (init or a fresh container) mounts a newinstance devpts on /dev/pts, redirects /dev/ptmx by symlink or by bind, and opens /dev/ptmx: when the mount and the redirect succeed, the open allocates in the new instance (limit errors excepted).',
    property: onScenario(u2Scenario, u2Check),
  },
  {
    id: 'U3', kind: 'U', profiles: WITH_NODE, expected: { '2.6.39-y': 'violated', '3.4-y': 'violated', '6.x': 'holds' },
    statement: 'the symlink redirect needs the mode of /dev/pts/ptmx set (default 0000), by ptmxmode in the fstab entry or by chmod; then non-root users can open it',
    document: 'this method requires that system-startup scripts set the mode of /dev/pts/ptmx correctly (default mode is 0000). The scripts can set the mode by, either - adding ptmxmode mount option to devpts entry in /etc/fstab, or - using \'chmod 0666 /dev/pts/ptmx\'',
    code: 'a mount without newinstance binds the existing initial instance: its ptmx node (made 0000 at kern_mount) is not changed by ptmxmode= (mknod_ptmx returns early). 6.x: every mount is a new instance, so ptmxmode= applies.',
    formalization: 'after a random prefix, a root process sets the mode by an fstab-like mount carrying ptmxmode=0666 (with or without newinstance) or by chmod 0666 /dev/pts/ptmx, makes /dev/ptmx → pts/ptmx, and a uid-1000 child opens /dev/ptmx: when those steps succeed, the open succeeds (limit errors excepted). clauses.md expects a violation for an fstab entry without newinstance; on 6.x every mount is new, so we expect it to hold there.',
    property: onScenario(u3Scenario, u3Check),
  },
  {
    id: 'U4', kind: 'U', profiles: WITH_NODE, expected: expect(WITH_NODE, 'holds'),
    statement: 'the recommended container script (newinstance + ptmxmode=0666, bind /dev/ptmx if it is not a symlink) gives the container working ptys without breaking the host\'s',
    document: 'container-startup scripts should use: mount -t devpts -o newinstance -o ptmxmode=0666 devpts /dev/pts; if [ ! -L /dev/ptmx ]; then mount -o bind /dev/pts/ptmx /dev/ptmx; fi',
    code: 'the newinstance mount is a fresh instance; the bind lives in the container\'s private namespace copy.',
    formalization: 'after a random prefix, a child in a new namespace runs the script (the `[ ! -L ]` test is an lstat), opens /dev/ptmx, unlocks it and opens its slave by path, and a uid-1000 grandchild opens /dev/ptmx. When /dev/ptmx existed (a symlink only to pts/ptmx): both opens allocate in the container\'s new instance and the slave opens; the host\'s instances keep their options, ptmx nodes and ptys; and an open of /dev/ptmx by the host process allocates where it did before the script.',
    property: onScenario(u4Scenario, u4Check),
  },
  {
    id: 'U5', kind: 'U', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'a newinstance mount without a redirect makes open("/dev/ptmx") allocate in the initial instance, and that pty is not visible in the new mount',
    document: 'A multi-instance mount that is not accompanied by the /dev/ptmx to /dev/pts/ptmx redirection would result in an unusable/unreachable pty. [...] would create a pty, say /dev/pts/7, in the initial kernel mount. But /dev/pts/7 would be invisible in the new mount.',
    code: 'pts_sb_from_inode: a ptmx node not on devpts gives the initial instance.',
    formalization: 'after a random prefix, a root process (init or a fresh container) mounts a newinstance devpts on /dev/pts and opens /dev/ptmx; when /dev/ptmx then is a ptmx node not on devpts (no redirect) and the open succeeds, it allocated in the initial instance, which is not the instance at /dev/pts.',
    property: onScenario(u5Scenario, u5Check),
  },
  {
    id: 'U6', kind: 'U', profiles: WITH_NODE, expected: expect(WITH_NODE, 'violated'),
    statement: 'ptmxmode sets the mode of /dev/pts/ptmx (default 0000) and chmod can change it later',
    document: 'The permissions for /dev/pts/ptmx node should be specified when mounting /dev/pts, using the \'-o ptmxmode=%o\' mount option (default is 0000). [...] The permissions can be later be changed as usual with \'chmod\'.',
    code: 'every remount (even a failed one on 2.6.39/3.4) resets the node to the resulting ptmxmode, default 0000 (update_ptmx_mode; 6.x devpts_reconfigure).',
    formalization: 'a new instance\'s ptmx node gets the mount\'s ptmxmode (default 0000), and afterwards its mode changes only by chmod of that node, by a (re)mount giving ptmxmode= explicitly (to that value), or by a chown dropping setuid/setgid bits.',
    transition: TRANSITIONS.U6, property: onTransitions(TRANSITIONS.U6, { weights: { remount: 8, chmod: 8 } }),
  },
  {
    id: 'U7', kind: 'U', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'a mount without newinstance lets a container see the host\'s ptys; if every devpts mount, the host\'s included, uses newinstance, no namespace sees another\'s ptys',
    document: 'by mounting devpts without the \'newinstance\' option, a container could get visibility into the \'host\' or root container\'s devpts. To workaround this and have strict isolation, all mounts of devpts, including the mount in the root container, should use the newinstance option.',
    code: 'non-newinstance mounts all share the initial instance; newinstance mounts are fresh.',
    formalization: '(a) a container\'s devpts mount without newinstance attaches the initial instance (the one the host\'s plain mounts show); (b) in runs where every devpts mount (boot included) uses newinstance, a pty allocated by a process whose namespace mounted its own /dev/pts is never in the /dev/pts another namespace mounted itself.',
    property: ([s], o) => ({
      // half the runs satisfy (b)'s premise (every devpts mount with newinstance), half are unrestricted (for (a))
      arbitrary: fc.oneof(
        runs(s!, { maxSteps: o.maxSteps, vocabulary: 'newinstanceValid', boots: NEWINSTANCE_BOOTS, weights: { container: 12, redirect: 8, openPtmx: 16, user: 4 } }),
        runs(s!, { maxSteps: o.maxSteps, weights: { container: 10 } }),
      ),
      check: u7Check,
    }),
  },
  // -- kernel facts
  {
    id: 'K1', kind: 'K', profiles: ['2.6.39-n'], expected: { '2.6.39-n': 'holds' },
    statement: 'legacy mounts reset all options, then apply them only up to the first unknown one: the result depends on option order',
    code: 'devpts_mount → mount_single → do_remount_sb (error ignored) → parse_mount_options: defaults first, then left to right, stop at the first bogus token.',
    formalization: 'on every devpts mount and every remount of the single instance: the mount succeeds even with unknown items; the options equal those of the same op cut before the first unknown item (unknown: anything but uid=/gid= with a C number, mode= octal); and they equal those the op gives from an instance with other options (reset).',
    transition: TRANSITIONS.K1, property: onTransitions(TRANSITIONS.K1),
  },
  {
    id: 'K2', kind: 'K', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'a mount without newinstance replaces the initial instance\'s options wholesale (a container can change the host\'s slave mode and group)',
    code: 'devpts_mount: memcpy of the freshly parsed options onto the initial instance\'s (2.6.39, 3.4).',
    formalization: 'after a successful devpts mount without newinstance, the attached instance\'s options are exactly the mount data parsed from defaults.',
    transition: TRANSITIONS.K2, property: onTransitions(TRANSITIONS.K2),
  },
  {
    id: 'K3', kind: 'K', profiles: CONFIG_Y, expected: expect(CONFIG_Y, 'holds'),
    statement: 'ptmxmode= on a mount of an existing instance changes the options, not the existing ptmx node',
    code: 'mknod_ptmx returns early when the node exists; only update_ptmx_mode (remount) changes it.',
    formalization: 'a successful devpts mount with a ptmxmode= item that attaches an existing instance leaves its ptmx node as it was and sets its ptmxmode option.',
    transition: TRANSITIONS.K3, property: onTransitions(TRANSITIONS.K3, { weights: { mountDevpts: 16 } }),
  },
  {
    id: 'K4', kind: 'K', profiles: WITH_NODE, expected: expect(WITH_NODE, 'holds'),
    statement: 'a remount resets the ptmx node\'s mode to the given or default ptmxmode, undoing chmod (2.6.39/3.4: even when it fails)',
    code: 'devpts_remount → update_ptmx_mode, after parse_mount_options whatever it returned (2.6.39/3.4); 6.x devpts_reconfigure applies only on success.',
    formalization: 'every remount by root of a devpts mount root sets the ptmx node\'s mode to the ptmxmode that parsing the data gives (on 2.6.39/3.4 also when the parse fails: EINVAL, partial parse), keeping its owner; a remount failing otherwise (EBUSY before devpts is asked), or any failed remount on 6.x, leaves the node.',
    transition: TRANSITIONS.K4, property: onTransitions(TRANSITIONS.K4),
  },
  {
    id: 'K5', kind: 'K', profiles: ALL, expected: expect(ALL, 'holds'),
    statement: 'the pty limit: per-instance index ≥ kernel.pty.max → EIO (2.6.39); global count and max= → ENOSPC (3.4+); max=0 means no limit on 6.x',
    code: 'devpts_new_index (2.6.39: ida index vs pty_limit; 3.4: pty_count vs pty_limit − reserve, then max; 6.x: atomic_inc_return(&pty_count) ≥ limit, ida_alloc_max(max − 1)).',
    formalization: 'every ptmx open that passes the permission checks and finds its instance fails with EIO (2.6.39) / ENOSPC (3.4, 6.x) exactly when the limit of its generation is reached.',
    transition: TRANSITIONS.K5, property: onTransitions(TRANSITIONS.K5, { weights: { sysctl: 10, openPtmx: 20, pty: 6 } }),
  },
  {
    id: 'K6', kind: 'K', profiles: ALL, expected: expect(ALL, 'holds'),
    statement: 'an index is freed only when master and slave are both closed; the slave\'s name disappears when the master closes',
    code: 'pty_close → devpts_pty_kill on master close; devpts_kill_index when the tty is released (both ends).',
    formalization: 'on every close and exit: a closed master\'s slave node is gone at once; a pty stays allocated exactly while some handle (master or slave) is open on it.',
    transition: TRANSITIONS.K6, property: onTransitions(TRANSITIONS.K6, { weights: { pty: 14, openSlave: 6, close: 12, exit: 4 } }),
  },
  {
    id: 'K7', kind: 'K', profiles: ALL, expected: expect(ALL, 'holds'),
    statement: 'root opens a mode-0000 ptmx; others get EACCES',
    code: 'may_open → inode_permission: CAP_DAC_OVERRIDE lets root read/write any mode.',
    formalization: 'every open of a ptmx node of mode 0000 (not on a nodev mount) gives EACCES exactly when the opener is not root.',
    transition: TRANSITIONS.K7, property: onTransitions(TRANSITIONS.K7, { weights: { user: 8, setuid: 4, chmod: 8 }, boots: [{}, { ptmxMode: '0000' }, { ptmxMode: '0000', devptsOptions: 'gid=5,mode=620' }, { devptsOptions: 'newinstance' }] }),
  },
  {
    id: 'K8', kind: 'K', profiles: ['6.x'], expected: { '6.x': 'holds' },
    statement: 'on 6.x a non-devpts ptmx node allocates in the devpts mounted at its sibling pts (topmost mount), ENOENT if there is no pts, ENODEV if it is not a devpts root; no fallback',
    code: 'devpts_acquire → devpts_ptmx_path → path_pts (K6); live 6.x S2b–S2d.',
    formalization: 'every open of a ptmx node not on devpts: success only when its directory\'s `pts` (looked up without following symlinks, topmost mount) is a devpts root, and then in that instance; otherwise ENOENT (no `pts`) or ENODEV (EACCES and ENOSPC may come from permissions and limits).',
    transition: TRANSITIONS.K8, property: onTransitions(TRANSITIONS.K8, { weights: { layout: 10, mknod: 4 } }),
  },
  {
    id: 'K9', kind: 'K', profiles: ['6.x'], expected: { '6.x': 'holds' },
    statement: 'on 6.x a bind of another instance\'s ptmx allocates there, but TIOCGPTPEER on that master fails with ENODEV',
    code: 'ptmx_open uses the inode\'s own superblock; ptm_open_peer → devpts_mntget walks up from the bind and checks the sibling pts (live 6.x S2f).',
    formalization: 'every successful open of a devpts ptmx node (wherever bound) allocates in that node\'s instance; TIOCGPTPEER on a master opened through a file bind of a ptmx whose directory\'s sibling pts is another devpts instance gives ENODEV.',
    transition: TRANSITIONS.K9, property: onTransitions(TRANSITIONS.K9, { weights: { bind: 8, peer: 8, container: 8 } }),
  },
  {
    id: 'K10', kind: 'K', profiles: ALL, expected: expect(ALL, 'holds'),
    statement: 'umount of a devpts is not blocked by masters opened through a ptmx outside it; afterwards their slaves cannot be reached by path',
    code: 'do_umount checks references to the vfsmount; a master opened through /dev/ptmx holds none on /dev/pts (live 6.x S5a).',
    formalization: 'a non-lazy umount of a devpts mount gives EBUSY only if a file was opened through that mount or a mount sits on it; after a successful umount leaving no mount of the instance in that namespace, none of its slaves resolves under the umounted path.',
    transition: TRANSITIONS.K10, property: onTransitions(TRANSITIONS.K10, { weights: { umount: 10 } }),
  },
  {
    id: 'K11', kind: 'K', profiles: ['2.6.39-n', ...CONFIG_Y], expected: expect(['2.6.39-n', ...CONFIG_Y], 'holds'),
    statement: 'a devpts mount onto the mount point where the same instance is already mounted fails with EBUSY, yet the instance\'s options are replaced as if it had succeeded (a failed mount in a container still rewrites the host\'s pty options)',
    code: 'do_new_mount calls devpts_mount first (=y: memcpy of the parsed options onto the initial instance; =n: mount_single → do_remount_sb), then do_add_mount refuses "the same filesystem on the same mount point" with EBUSY; nothing undoes the options (fs/namespace.c, 2.6.39, 3.4, 4.4; QEMU 2.6.39.4 =n/=y, 3.4.113 =y, 4.4.178 =y).',
    formalization: 'on every devpts mount by root onto a path whose topmost mount is the initial (single) instance at its root — without newinstance and with data the parser accepts on CONFIG=y; any data on CONFIG=n: the result is EBUSY, the instance\'s options are exactly what the mount applies (=y: the data parsed from defaults; =n: reset, then applied up to the first unknown item), nothing else of the instance changes (its ptmx node keeps its mode) and no mount is attached.',
    transition: TRANSITIONS.K11, property: onTransitions(TRANSITIONS.K11, { weights: { mountDevpts: 12, container: 8 } }),
  },
  // -- between profiles
  {
    id: 'R1', kind: 'R', profiles: ['2.6.39-n', '2.6.39-y'], pair: ['2.6.39-y', '2.6.39-n'], expected: { '2.6.39-y vs 2.6.39-n': 'holds' },
    statement: '2.6.39-n and 2.6.39-y agree on every sequence that uses only valid legacy options and never names /dev/pts/ptmx',
    code: 'with valid options only, the legacy implicit remount and the CONFIG=y memcpy give the same options; the ptmx node is the one difference.',
    formalization: 'sequences generated on 2.6.39-y with only uid=/gid=/mode= items (boot included), never naming a devpts ptmx node by any path, replayed on 2.6.39-n: every step gives the same result (fs relabelled; the "ptmx" entry of a devpts listing ignored).',
    property: onComparison(both(legacyValidOptions, neverNamesDevptsPtmx), { vocabulary: 'legacyValid', avoidDevptsPtmx: true, boots: LEGACY_BOOTS }, true),
  },
  {
    id: 'R2', kind: 'R', profiles: ['2.6.39-y', '6.x'], pair: ['2.6.39-y', '6.x'], expected: { '2.6.39-y vs 6.x': 'hypothesis' },
    statement: '2.6.39-y and 6.x agree on every sequence in which every devpts mount uses newinstance with valid options, and /dev/ptmx is a symlink to pts/ptmx before any pty is opened',
    code: '2.6.39: a ptmx node not on devpts means the initial instance; 6.x: the sibling pts. TIOCGPTPEER exists only on 6.x and limits differ (K5): those ops are left out.',
    formalization: 'sequences generated on 2.6.39-y booting with a newinstance mount, starting with rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx, every devpts mount and remount with newinstance and options valid on both (uid, gid, mode, ptmxmode), no peer or sysctl, replayed on 6.x: every step gives the same result (fs relabelled).',
    property: onComparison(r2Premise, { vocabulary: 'newinstanceValid', boots: NEWINSTANCE_BOOTS, prefix: SYMLINK_PREFIX as unknown as GenOptions['prefix'], exclude: ['peer', 'sysctl'] }, false),
  },
  // -- invariants
  ...(['I1', 'I2', 'I3', 'I4', 'I5'] as const).map((id): Clause => ({
    id, kind: 'I', profiles: ALL, expected: expect(ALL, 'holds'),
    statement: INVARIANT_STATEMENTS[id],
    code: 'an invariant of the model\'s semantics (properties/invariants.ts documents the precise form).',
    formalization: INVARIANT_FORMS[id],
    transition: invariant(id),
    property: onTransitions(invariant(id), id === 'I4' ? { weights: { sysctl: 10, openPtmx: 20, pty: 6 } } : id === 'I5' ? { weights: { remount: 10 } } : {}),
  })),
];


export const clauseById = (id: string): Clause | undefined => CLAUSES.find((c) => c.id === id);

/** The label a (clause, profile) verdict carries: the profile ID, or "A vs B" for a comparison. */
export const labelOf = (c: Clause, profile?: ProfileId): string => (c.pair ? `${c.pair[0]} vs ${c.pair[1]}` : profile!);

export { checkClause, runChecks, type CheckOptions, type ClauseResult, type CheckReport, type RunChecksOptions } from './runner.ts';
