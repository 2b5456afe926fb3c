// One profile's model as a transition system over a scope: boot state, canonical key,
// the scope's actions, `stepWith`, and the scope's pty bound.

import { BootError, bootWith, isOk, isToolError, profileOf, stepWith, type BootConfig, type KernelState, type Op, type Profile, type ProfileId } from '../model/index.ts';
import { Alphabet } from './actions.ts';
import type { System } from './bfs.ts';
import { canonical, canonicalFingerprint, canonicalHandles, type CanonOptions } from './canon.ts';
import { scopeBoots, type Scope } from './scope.ts';

export interface KernelCtx { readonly ptys: number }

/** Allocated ptys in all instances (what the scope's k bounds). */
export function ptyCount(state: KernelState): number {
  let n = 0;
  for (const id in state.fss) {
    const fs = state.fss[id]!;
    if (fs.kind === 'devpts') for (const _ in fs.ptys) n++;
  }
  return n;
}

/** Some namespace holds more than `max` mounts (the scope's mount bound; the rootfs under the root filesystem is not counted). */
export function tooManyMounts(state: KernelState, max: number): boolean {
  for (const id in state.namespaces) if (state.namespaces[id]!.mounts.length - 1 > max) return true;
  return false;
}

/** Handle names in canonical order (only computed when the order matters). */
export function handleOrder(state: KernelState, opts?: CanonOptions): string[] {
  const names = Object.keys(state.handles);
  return names.length > 1 ? canonicalHandles(state, opts) : names;
}

/** What a scope's ops can observe beyond every op (explore/canon.ts CanonOptions). */
export function observedBy(scope: Scope): CanonOptions {
  return {
    mountOrder: scope.ops.some((t) => t.op === 'mounts'),
    ptyNr: scope.ops.some((t) => t.op === 'sysctl' && (t as { name?: string }).name === 'kernel.pty.nr' && (t as { value?: number }).value === undefined),
  };
}

export class KernelSystem implements System<KernelState, KernelCtx> {
  readonly profile: Profile;
  readonly alphabet: Alphabet;
  /** The scope's boot configurations that boot on this profile (init's mount may fail on some). */
  readonly boots: BootConfig[] = [];
  private readonly bootStates: KernelState[] = [];
  /** What the scope can observe (the key leaves out what it cannot). */
  readonly observes: CanonOptions;

  constructor(profile: Profile | ProfileId, readonly scope: Scope) {
    this.profile = typeof profile === 'string' ? profileOf(profile) : profile;
    this.alphabet = new Alphabet(scope);
    this.observes = observedBy(scope);
    for (const boot of scopeBoots(scope)) {
      try {
        this.bootStates.push(bootWith(this.profile, boot));
        this.boots.push(boot);
      } catch (err) {
        if (!(err instanceof BootError)) throw err; // e.g. "newinstance=1" on 6.x: not a world of this profile
      }
    }
    if (this.bootStates.length === 0) throw new Error(`explore: no boot configuration of scope ${scope.name} boots on ${this.profile.id}`);
  }

  initial(): KernelState[] { return this.bootStates; }
  key(s: KernelState): string { return canonical(s, this.observes).key; }
  fingerprint(s: KernelState, out: Uint32Array): void { canonicalFingerprint(s, out, this.observes); }

  expand(s: KernelState): { actions: readonly Op[]; ctx: KernelCtx } {
    return { actions: this.alphabet.actions(s, handleOrder(s, this.observes)), ctx: { ptys: ptyCount(s) } };
  }

  apply(s: KernelState, ctx: KernelCtx, op: Op): { state: KernelState; result: import('../model/index.ts').StepResult } | null {
    const out = stepWith(this.profile, s, op);
    const r = out.result;
    if (isToolError(r)) throw new Error(`explore: the scope issued an ill-formed step ${JSON.stringify(op)}: ${r.error}`);
    // a ptmx open (an open whose result has `index`; fstat of a pty end has one too) beyond k allocated ptys leaves the scope
    if (ctx.ptys >= this.scope.maxPtys && op.op === 'open' && isOk(r) && r.index !== undefined) return null;
    if (this.scope.maxMounts !== undefined && (op.op === 'mount' || op.op === 'bind') && isOk(r) && tooManyMounts(out.state, this.scope.maxMounts)) return null;
    return out;
  }

  unchanged(s: KernelState, next: KernelState): boolean { return s === next; }
}
