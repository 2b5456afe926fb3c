// The shell's own state (not the kernel's): variables and arrays with their export and
// local scopes, positional parameters, $0, cwd, options, functions, traps. One Shell per
// shell process; a subshell is a copy, a new shell process (`sh -c`, `chroot DIR sh`)
// starts from the exported variables only.

import type { Node, ShellName } from './ast.ts';

/** A variable's value: a string, an indexed array (bash, mksh), or unknown to the checker. */
export type Value = string | readonly string[];

export interface Shell {
  readonly name: ShellName;
  vars: Map<string, Value>;
  /** Variables whose value the checker cannot know (read, an unknown command substitution). */
  unknown: Set<string>;
  exported: Set<string>;
  /** `local` scopes of the functions being run: each saves what it shadows. */
  frames: Map<string, { value: Value | undefined; unknown: boolean; exported: boolean }>[];
  positional: string[];
  /** $0 */
  scriptName: string;
  /** The working directory as `pwd` shows it, inside the process's root. */
  cwd: string;
  /** The process's root as a path from the host's root ('/' unless chroot moved it). */
  root: string;
  /** The process is in a pid namespace of its own (unshare -p -f): proc may be mounted for it. */
  pidns?: boolean;
  umask: number;
  /** The process running these commands. */
  pid: number;
  status: number;
  errexit: boolean;
  nounset: boolean;
  allexport: boolean;
  funcs: Map<string, Node>;
  depth: number;
  /** trap handlers by condition (EXIT, INT, …): the shell text. */
  traps: Map<string, string>;
}

/** What every shell sets for itself when the environment does not (env -i; checked on Debian 12's shells). */
const SHELL_DEFAULTS: Readonly<Record<ShellName, Readonly<Record<string, string>>>> = {
  sh: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  dash: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  bash: { PATH: '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.', SHELL: '/bin/bash' },
  mksh: { PATH: '/usr/bin:/bin' },
  busybox: { PATH: '/sbin:/usr/sbin:/bin:/usr/bin' },
};

export interface ShellInit {
  readonly name: ShellName;
  readonly scriptName: string;
  readonly pid: number;
  /** The environment: NAME=VALUE; every other variable is unset. */
  readonly env?: ReadonlyMap<string, string>;
  readonly positional?: readonly string[];
  readonly cwd?: string;
  readonly root?: string;
}

export function newShell(init: ShellInit): Shell {
  const env = init.env ?? new Map<string, string>();
  const cwd = init.cwd ?? '/';
  const vars = new Map<string, Value>();
  for (const [k, v] of Object.entries(SHELL_DEFAULTS[init.name])) vars.set(k, v);
  for (const [k, v] of env) vars.set(k, v);
  if (!env.has('IFS')) vars.set('IFS', ' \t\n');
  vars.set('PWD', cwd);
  vars.set('OPTIND', '1');
  // bash sets these from the process (the script runs as root)
  if (init.name === 'bash') { vars.set('EUID', '0'); vars.set('UID', '0'); vars.set('BASH', '/bin/bash'); }
  vars.set('PS4', '+ ');
  return {
    name: init.name, vars, unknown: new Set(), exported: new Set(env.keys()), frames: [],
    positional: [...(init.positional ?? [])], scriptName: init.scriptName, cwd, root: init.root ?? '/', umask: 0o022, pid: init.pid, status: 0,
    errexit: false, nounset: false, allexport: false, funcs: new Map(), depth: 0, traps: new Map(),
  };
}

/** Set a shell option by its `set -o` name (errexit, nounset, allexport; others change nothing the checker follows). */
export function setOption(sh: Shell, name: string, on: boolean): void {
  if (name === 'errexit') sh.errexit = on;
  else if (name === 'nounset') sh.nounset = on;
  else if (name === 'allexport') sh.allexport = on;
}

const OPTION_LETTERS: Readonly<Record<string, string>> = { e: 'errexit', u: 'nounset', a: 'allexport' };

/**
 * Option words of a shell's command line or `#!` line (`-e`, `+u`, `-eu`, `-o errexit`,
 * `-euo pipefail`): the options the checker follows are set in `sh`.
 */
export function applyOptionWords(sh: Shell, words: readonly string[]): void {
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    if (!/^[-+][a-zA-Z]+$/.test(a)) continue;
    const on = a.startsWith('-');
    for (const f of a.slice(1)) {
      if (f === 'o' || f === 'O') { const name = words[++i]; if (f === 'o' && name !== undefined) setOption(sh, name, on); continue; }
      const name = OPTION_LETTERS[f];
      if (name !== undefined) setOption(sh, name, on);
    }
  }
}

/** A subshell `( … )`, `$( … )`, a pipeline stage: a copy (functions and traps too; EXIT traps are reset). */
export function subshellOf(sh: Shell): Shell {
  return {
    ...sh, vars: new Map(sh.vars), unknown: new Set(sh.unknown), exported: new Set(sh.exported),
    frames: sh.frames.map((f) => new Map(f)), positional: [...sh.positional], funcs: new Map(sh.funcs), traps: new Map(),
  };
}

/** A new shell process (`sh -c`, a script run by name): the exported variables, nothing else. */
export function childShell(sh: Shell, init: { name?: ShellName; scriptName: string; positional: readonly string[]; pid?: number; env?: ReadonlyMap<string, string | null> }): Shell {
  const env = new Map<string, string>();
  for (const k of sh.exported) {
    const v = sh.vars.get(k);
    if (typeof v === 'string' && !sh.unknown.has(k)) env.set(k, v);
  }
  const unknown = [...sh.exported].filter((k) => sh.unknown.has(k));
  for (const [k, v] of init.env ?? []) { if (v === null) env.delete(k); else env.set(k, v); }
  const child = newShell({ name: init.name ?? sh.name, scriptName: init.scriptName, pid: init.pid ?? sh.pid, env, positional: init.positional, cwd: sh.cwd, root: sh.root });
  for (const k of unknown) if (!(init.env?.has(k))) { child.unknown.add(k); child.exported.add(k); }
  child.umask = sh.umask;
  if (sh.pidns) child.pidns = true;
  return child;
}

/** The exported variables as an environment (for a child process's own environment changes). */
export function environmentOf(sh: Shell): Map<string, string | null> {
  const env = new Map<string, string | null>();
  for (const k of sh.exported) {
    const v = sh.vars.get(k);
    env.set(k, typeof v === 'string' && !sh.unknown.has(k) ? v : null);
  }
  return env;
}

export type Lookup =
  | { readonly kind: 'set'; readonly value: Value }
  | { readonly kind: 'unset' }
  | { readonly kind: 'unknown' };

/** A variable: set, unset, or unknown to the checker. */
export function getVar(sh: Shell, name: string): Lookup {
  if (sh.unknown.has(name)) return { kind: 'unknown' };
  const v = sh.vars.get(name);
  return v === undefined ? { kind: 'unset' } : { kind: 'set', value: v };
}

export function setVar(sh: Shell, name: string, value: Value): void {
  sh.vars.set(name, value);
  sh.unknown.delete(name);
  if (sh.allexport) sh.exported.add(name);
}

/** The variable's value cannot be known (it still counts as set). */
export function setUnknown(sh: Shell, name: string): void {
  sh.vars.set(name, '');
  sh.unknown.add(name);
}

export function unsetVar(sh: Shell, name: string): void {
  sh.vars.delete(name);
  sh.unknown.delete(name);
  sh.exported.delete(name);
}

/** `local NAME`: shadow it in the innermost function scope (at top level: a plain variable). */
export function makeLocal(sh: Shell, name: string): void {
  const frame = sh.frames[sh.frames.length - 1];
  if (!frame || frame.has(name)) return;
  frame.set(name, { value: sh.vars.get(name), unknown: sh.unknown.has(name), exported: sh.exported.has(name) });
  // `local x` without a value: dash keeps the outer value, bash, mksh and busybox ash start it unset (checked on Debian 12)
  if (sh.name !== 'dash' && sh.name !== 'sh') { sh.vars.delete(name); sh.unknown.delete(name); }
}

export function pushFrame(sh: Shell): void { sh.frames.push(new Map()); }

export function popFrame(sh: Shell): void {
  const frame = sh.frames.pop();
  if (!frame) return;
  for (const [name, saved] of frame) {
    if (saved.value === undefined) sh.vars.delete(name); else sh.vars.set(name, saved.value);
    if (saved.unknown) sh.unknown.add(name); else sh.unknown.delete(name);
    if (saved.exported) sh.exported.add(name); else sh.exported.delete(name);
  }
}

/** A scalar's value, or an array's first element (what $NAME gives). */
export const scalar = (v: Value): string => (typeof v === 'string' ? v : v[0] ?? '');
