// The set of visited states: 64-bit fingerprints in an open-addressing table of two
// Uint32Arrays (8 bytes a slot, load ≤ 0.5, so 16-32 bytes a state), or exact keys.

export interface VisitedSet {
  /** Adds the state; true when it was not there yet. */
  add(key: string): boolean;
  readonly size: number;
  /** Bytes held by the set's own storage (typed arrays, or an estimate for exact keys). */
  bytes(): number;
}

import { fingerprint } from './canon.ts';

export class FingerprintSet implements VisitedSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly fp = new Uint32Array(2);

  constructor(capacityPow2 = 1 << 16) {
    this.hi = new Uint32Array(capacityPow2);
    this.lo = new Uint32Array(capacityPow2);
    this.mask = capacityPow2 - 1;
  }

  get size(): number { return this.count; }
  bytes(): number { return this.hi.byteLength + this.lo.byteLength; }

  add(key: string): boolean {
    fingerprint(key, this.fp);
    return this.addFingerprint(this.fp[0]!, this.fp[1]!);
  }

  /** Adds a fingerprint computed elsewhere (two 32-bit lanes). */
  addFingerprint(h: number, l: number): boolean {
    if (h === 0 && l === 0) l = 1; // (0,0) marks an empty slot
    return this.insert(h, l);
  }

  private insert(h: number, l: number): boolean {
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (;;) {
      const sh = this.hi[i]!, sl = this.lo[i]!;
      if (sh === 0 && sl === 0) break;
      if (sh === h && sl === l) return false;
      i = (i + 1) & this.mask;
    }
    this.hi[i] = h;
    this.lo[i] = l;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return true;
  }

  private grow(): void {
    const oh = this.hi, ol = this.lo;
    const cap = (this.mask + 1) * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < oh.length; i++) {
      const h = oh[i]!, l = ol[i]!;
      if (h !== 0 || l !== 0) this.insert(h, l);
    }
  }
}

/** Exact keys (tests, and to cross-check fingerprint counts). */
export class ExactSet implements VisitedSet {
  private readonly set = new Set<string>();
  private chars = 0;
  get size(): number { return this.set.size; }
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    this.chars += key.length;
    return true;
  }
  // rough: one byte a character plus V8 string and Set entry overhead
  bytes(): number { return this.chars + this.set.size * 48; }
}

/** A growable Int32Array (parent pointers, action numbers). */
export class IntColumn {
  private data: Int32Array;
  length = 0;
  constructor(capacity = 1 << 16) { this.data = new Int32Array(capacity); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number { return this.data[i]!; }
  bytes(): number { return this.data.byteLength; }
}
