// Clauses that compare two profiles (D5, U1, R1, R2: the catalogue's comparison checks)
// are explored on the product: a state is a pair (state under the driver profile, state
// under the other); every action is the same op issued to both; the transition is
// checked by comparing the two results. A pair whose results differed is a
// counterexample and is not expanded further.
//
// Pair, premise, boots and prefix are the clause record's (clauses/), the same the random
// runner reads. The premise is judged step by step on the driver's side: a step is in the
// product's alphabet when the premise holds for the one-step run of it (every premise is a
// conjunction over steps, so a sequence satisfies it exactly when each of its steps does;
// R2's "redirect before the first pty" is judged only up to the first successful ptmx
// open, as its loop does). Boots: the scope's boot configurations that satisfy the
// premise, else the record's first boot; R2 starts with its prefix (rm /dev/ptmx;
// ln -s pts/ptmx /dev/ptmx).
// Results are compared as the runner compares them: `fd` names are the model's own
// (equal on both sides while results agree), `log` only where both report it, `fs`
// labels through a bijection built from first appearance (devpts1, devpts2, ... on each
// side: the same as relabelling each side), and for R1/D5/U1 listings of a devpts root
// without its `ptmx` entry (the one difference D5 grants).

import {
  bootWith, isErrno, isOk, isToolError, profileOf,
  type BootConfig, type KernelState, type Op, type Profile, type ProfileId, type StepResult,
} from '../model/index.ts';
import { stepWith } from '../model/step.ts';
import { subjectOf, type Clause, type Premise, type Run } from '../clauses/index.ts';
import { DEVPTS_ROOT_INO, resolveAs } from '../clauses/observe.ts';
import { Alphabet } from './actions.ts';
import type { SearchCheck, System } from './bfs.ts';
import { canonical, canonicalHandles } from './canon.ts';
import { scopeBoots, type Scope } from './scope.ts';
import { ptyCount } from './system.ts';

export interface ProductClause {
  readonly id: string;
  /** The driver (premises are judged on its side) and the other profile: the record's pair. */
  readonly a: ProfileId;
  readonly b: ProfileId;
  readonly premise: Premise;
  /** Drop `ptmx` from listings of devpts roots before comparing. */
  readonly dropPtmx: boolean;
  /** Boot used when no boot of the scope satisfies the premise: the record's first. */
  readonly fallbackBoot: BootConfig;
  /** Ops run first (counted in the depth). */
  readonly prefix?: readonly Op[];
}

/** The product definition of a comparison clause, read from its record. */
export function productOf(c: Clause): ProductClause {
  const k = c.check;
  if (k.kind !== 'comparison') throw new Error(`${c.id} does not compare two profiles`);
  return { id: c.id, a: k.pair[0], b: k.pair[1], premise: k.premise, dropPtmx: k.dropPtmx, fallbackBoot: k.boots[0] ?? {}, ...(k.prefix.length > 0 ? { prefix: k.prefix } : {}) };
}

export interface PairState {
  readonly a: KernelState;
  readonly b: KernelState;
  /** fs label pairs (raw id on A, raw id on B) in order of first appearance. */
  readonly labels: readonly (readonly [string, string])[];
  readonly diverged: string | null;
  /** Prefix steps still to run (only the initial state has them). */
  readonly prefixLeft: number;
  /** A ptmx open has succeeded on the driver's side. */
  readonly opened: boolean;
}

interface PairCtx { readonly ptys: number }

/** The product of two profiles over a scope, restricted by a clause's premise. */
export class ProductSystem implements System<PairState, PairCtx> {
  readonly pa: Profile;
  readonly pb: Profile;
  readonly alphabet: Alphabet;
  readonly boots: BootConfig[] = [];
  private readonly inits: PairState[] = [];
  private readonly run: { -readonly [K in keyof Run]: Run[K] };

  constructor(readonly clause: ProductClause, readonly scope: Scope) {
    this.pa = profileOf(clause.a);
    this.pb = profileOf(clause.b);
    this.alphabet = new Alphabet(scope);
    this.run = { subject: subjectOf(this.pa), boot: {}, ops: [], states: [], results: [], marks: {} };
    const fits = (boot: BootConfig) => clause.premise({ ...this.run, boot, ops: [], states: [], results: [] }) === null;
    let boots = scopeBoots(scope).filter(fits);
    if (boots.length === 0) boots = [clause.fallbackBoot];
    for (const boot of boots) {
      let a: KernelState, b: KernelState;
      try { a = bootWith(this.pa, boot); b = bootWith(this.pb, boot); } catch { continue; }
      this.boots.push(boot);
      this.inits.push({ a, b, labels: [], diverged: null, prefixLeft: clause.prefix?.length ?? 0, opened: false });
    }
  }

  initial(): PairState[] { return this.inits; }

  key(s: PairState): string {
    const ca = canonical(s.a), cb = canonical(s.b);
    // handles are paired by name (the same op opened them on both sides)
    let pairing = '';
    if (ca.handles.length > 1) for (const n of ca.handles) pairing += cb.handles.indexOf(n) + ',';
    let labels = '';
    for (const [x, y] of s.labels) {
      const i = ca.fsIds.indexOf(x), j = cb.fsIds.indexOf(y);
      if (i < 0 && j < 0) continue; // both gone: ids are never reused, the pair can never show again
      labels += i + '=' + j + ',';
    }
    return ca.key + '\u2016' + cb.key + '\u2016' + pairing + '\u2016' + labels + '\u2016' + (s.diverged ? 'x' : '') + (s.opened ? 'o' : '') + s.prefixLeft;
  }

  expand(s: PairState): { actions: readonly Op[]; ctx: PairCtx } {
    if (s.diverged) return { actions: [], ctx: { ptys: 0 } };
    const prefix = this.clause.prefix ?? [];
    if (s.prefixLeft > 0) return { actions: [prefix[prefix.length - s.prefixLeft]!], ctx: { ptys: 0 } };
    const names = Object.keys(s.a.handles);
    const order = names.length > 1 ? canonicalHandles(s.a) : names;
    return { actions: this.alphabet.actions(s.a, order), ctx: { ptys: Math.max(ptyCount(s.a), ptyCount(s.b)) } };
  }

  apply(s: PairState, ctx: PairCtx, op: Op): { state: PairState; result: StepResult } | null {
    const oa = stepWith(this.pa, s.a, op);
    if (isToolError(oa.result)) throw new Error(`explore: the scope issued an ill-formed step ${JSON.stringify(op)}: ${oa.result.error}`);
    const inPrefix = s.prefixLeft > 0;
    const allocates = isOk(oa.result) && oa.result.index !== undefined;
    if (!inPrefix && ctx.ptys >= this.scope.maxPtys && allocates) return null;
    // the premise, judged on this one step of the driver (after the first pty, R2's redirect test is done)
    const r = this.run;
    r.boot = this.boots[0]!; r.ops = [op]; r.states = [s.a, oa.state];
    r.results = [s.opened && allocates ? { ok: true } : oa.result];
    if (!inPrefix && this.clause.premise(r) !== null) return null;
    const ob = stepWith(this.pb, s.b, op);
    if (!inPrefix && ctx.ptys >= this.scope.maxPtys && isOk(ob.result) && ob.result.index !== undefined) return null;
    const cmp = compareResults(this.clause, s, op, oa.result, ob.result);
    const state: PairState = {
      a: oa.state, b: ob.state, labels: cmp.labels, diverged: cmp.difference,
      prefixLeft: inPrefix ? s.prefixLeft - 1 : 0, opened: s.opened || allocates,
    };
    // the pair's "result": the driver's, with the other's attached for the trace
    return { state, result: { ...oa.result, other: ob.result } as unknown as StepResult };
  }

  unchanged(s: PairState, next: PairState): boolean {
    return s.a === next.a && s.b === next.b && s.labels === next.labels && next.diverged === null && s.prefixLeft === next.prefixLeft && s.opened === next.opened;
  }
}

/** The check of a product clause: the pair's results differed on this step. */
export function productCheck(c: ProductClause): SearchCheck<PairState> {
  return { id: c.id, check: (_before, _op, _result, after) => after.diverged };
}

const stripForCompare = (r: StepResult): Record<string, unknown> => {
  const { fd: _fd, log: _log, fs: _fs, entries: _e, ...rest } = r as unknown as Record<string, unknown>;
  return rest;
};

const sameJson = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

/** Compare the two sides' results of one op; returns the updated fs label pairs and the difference, if any. */
export function compareResults(
  c: ProductClause, s: PairState, op: Op, ra: StepResult, rb: StepResult,
): { labels: PairState['labels']; difference: string | null } {
  const show = (r: StepResult) => JSON.stringify(r);
  let labels = s.labels;
  const differ = (why: string) => ({ labels, difference: `${op.op} gives ${show(ra)} on ${c.a} but ${show(rb)} on ${c.b}${why ? ` (${why})` : ''}` });
  if (isToolError(rb)) return differ('not a valid step on one side');
  if (isErrno(ra) !== isErrno(rb)) return differ('');
  if (!sameJson(stripForCompare(ra), stripForCompare(rb))) return differ('');
  const la = (ra as { log?: string[] }).log, lb = (rb as { log?: string[] }).log;
  if (la && lb && !sameJson(la, lb)) return differ('console lines differ');
  if (isOk(ra) && isOk(rb)) {
    if (ra.entries !== undefined || rb.entries !== undefined) {
      let ea = ra.entries ?? [], eb = rb.entries ?? [];
      if (c.dropPtmx && op.op === 'readdir') {
        const atA = resolveAs(s.a, op.pid ?? 1, op.path), atB = resolveAs(s.b, op.pid ?? 1, op.path);
        if (atA && atA.node.devpts && atA.pos.ino === DEVPTS_ROOT_INO) ea = ea.filter((e) => e !== 'ptmx');
        if (atB && atB.node.devpts && atB.pos.ino === DEVPTS_ROOT_INO) eb = eb.filter((e) => e !== 'ptmx');
      }
      if (!sameJson(ea, eb)) return differ('listings differ');
    }
    if (ra.fs !== undefined || rb.fs !== undefined) {
      const fa = ra.fs ?? 'other', fb = rb.fs ?? 'other';
      if ((fa === 'other') !== (fb === 'other')) return differ('filesystems differ');
      if (fa !== 'other') {
        const byA = labels.find(([x]) => x === fa), byB = labels.find(([, y]) => y === fb);
        if (byA || byB) {
          if (!byA || !byB || byA !== byB) return differ('different instances (fs labels differ)');
        } else labels = [...labels, [fa, fb] as const];
      }
    }
  }
  return { labels, difference: null };
}
