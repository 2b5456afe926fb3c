// The action alphabet of a scope, enumerated per state in a canonical order: processes
// by pid, then templates in scope order, handle ops over the process's handles in
// canonical handle order (canon.ts). Because the order depends only on the canonical
// structure of the state, "action number i" means the same thing in every state with
// the same key: a counterexample is stored as action numbers and replayed from boot.

import type { KernelState, Op } from '../model/index.ts';
import type { OpTemplate, Scope } from './scope.ts';

type Entry = { maxProcs: number } & (
  | { kind: 'fixed'; op: Op; opens: boolean }
  | { kind: 'spawn'; pid: number; template: { newns?: boolean; inherit?: boolean; propagation?: Extract<Op, { op: 'spawn' }>['propagation'] } }
  | { kind: 'handle'; pid: number; name: 'close' | 'unlockpt' | 'peer' | 'dup' | 'fstat' });

export class Alphabet {
  readonly scope: Scope;
  readonly maxHandles: number;
  /** Per pid (index = pid), its entries in template order. */
  private readonly perPid: Entry[][] = [];
  private readonly spawnOps = new Map<string, Op>();
  private readonly handleOps = new Map<string, Op>();

  constructor(scope: Scope) {
    this.scope = scope;
    this.maxHandles = scope.maxHandles ?? 2 * scope.maxPtys;
    for (let pid = 1; pid <= scope.processes; pid++) {
      const entries: Entry[] = [];
      for (const t of scope.ops) {
        if (t.pids && !t.pids.includes(pid)) continue;
        entries.push(entryOf(t, pid));
      }
      this.perPid[pid] = entries;
    }
  }

  /** The actions of `state`; `handles` are its handle names in canonical order. */
  actions(state: KernelState, handles: readonly string[]): Op[] {
    const out: Op[] = [];
    const full = handles.length >= this.maxHandles;
    let child = 0; // lowest pid of the scope not alive (computed once)
    for (let c = 2; c <= this.scope.processes; c++) if (!state.procs[c]) { child = c; break; }
    let procs = 0;
    for (const _ in state.procs) procs++;
    for (const k in state.procs) {
      const pid = Number(k);
      const entries = this.perPid[pid];
      if (!entries) continue; // a process outside the scope (cannot happen from boot)
      for (const e of entries) {
        if (procs > e.maxProcs) continue;
        switch (e.kind) {
          case 'fixed':
            if (e.opens && full) continue;
            out.push(e.op);
            break;
          case 'spawn': {
            if (child === 0) continue;
            const t = e.template;
            const key = `${pid}/${child}/${t.newns ? 1 : 0}/${t.inherit ? 1 : 0}/${t.propagation ?? ''}`;
            let op = this.spawnOps.get(key);
            if (!op) {
              op = { op: 'spawn', pid, child, ...t };
              this.spawnOps.set(key, op);
            }
            out.push(op);
            break;
          }
          case 'handle':
            if ((e.name === 'peer' || e.name === 'dup') && full) continue;
            for (const fd of handles) {
              if (state.handles[fd]!.pid !== pid) continue;
              const key = `${e.name}/${pid}/${fd}`;
              let op = this.handleOps.get(key);
              if (!op) { op = { op: e.name, pid, fd } as Op; this.handleOps.set(key, op); }
              out.push(op);
            }
            break;
        }
      }
    }
    return out;
  }
}

function entryOf(t: OpTemplate, pid: number): Entry {
  const { pids: _pids, maxProcs, ...rest } = t as OpTemplate & { pids?: number[]; maxProcs?: number };
  const max = maxProcs ?? Infinity;
  if (rest.op === 'spawn') {
    const { op: _op, child: _child, ...template } = rest as Extract<Op, { op: 'spawn' }>;
    return { maxProcs: max, kind: 'spawn', pid, template };
  }
  if (rest.op === 'close' || rest.op === 'unlockpt' || rest.op === 'peer' || rest.op === 'dup' || rest.op === 'fstat') return { maxProcs: max, kind: 'handle', pid, name: rest.op };
  const op = { ...rest, pid } as Op;
  return { maxProcs: max, kind: 'fixed', op, opens: op.op === 'open' };
}
