// Runs a script's command tree against the model, one profile at a time: lists,
// &&/||, pipelines (each command's output is the next one's input, when it is known),
// if/case/loops, functions, redirections, here-documents, command substitution, traps,
// sourced files, and simple commands dispatched to shell/cmd/. Conditions are evaluated
// in the model as the script goes (a `[ -L /dev/ptmx ]` is a stat op at that point), so
// the path taken can differ between profiles. Every statement is marked as it runs, or
// as skipped with the reason, for the report.

import type { Assignment, Node, NodeOf, Redirect } from './ast.ts';
import { ExitSignal, LoopSignal, NO_EFFECT, ReturnSignal, writeSysctl } from './cmd/builtins.ts';
import { abs, basename, Capture, DISCARD, failed, noEffect, normalize, unknown, type CommandCtx, type Input, type IO, type Runner, type Sink } from './cmd/context.ts';
import { COMMANDS } from './cmd/index.ts';
import { runTest } from './cmd/test.ts';
import { readKnownFile } from './cmd/procfs.ts';
import { expandArith, expandString, expandWords, globRegExp, matchPattern, patternOf, type Expanded, type ExpandIO } from './expand.ts';
import { parseInline, shebangOptions } from './parse.ts';
import { applyOptionWords, childShell, getVar, makeLocal, popFrame, pushFrame, setUnknown, setVar, subshellOf, unsetVar, type Shell, type Value } from './shell-state.ts';
import { Unsupported, scriptTree } from './syntax/translate.ts';
import { parseShell } from './syntax/tree.ts';
import type { WordSyntax } from './syntax/words.ts';
import { BudgetExceeded, type Run, type Where } from './run.ts';

export const LOOP_LIMIT = 1000;
export const CALL_DEPTH = 100;
/** How often a script may run itself again (`exec "$0"`) before the checker stops following. */
export const RERUN_DEPTH = 4;

export type Ending = 'end' | 'exit' | 'exec' | 'errexit' | 'fatal' | 'budget';

export interface ScriptEnd { readonly ending: Ending; readonly status: number; readonly message?: string; readonly line?: number; readonly file?: string }

/** A file the script sources or runs: its text, and the name to show for it. */
export interface SourceFile { readonly file: string; readonly text: string }

export interface InterpEnv {
  readonly syntax: WordSyntax;
  /** The script itself (`exec "$0"`, `sh "$0"`): the paths it may be named by, and its tree. */
  /** The script itself, for `exec "$0"` and the like; `options`: its `#!` line's. */
  readonly self: { readonly names: readonly string[]; readonly program: Node; readonly options?: readonly string[] };
  /** The text of a file the script sources or runs by this path (from the given directory), or null. */
  readonly sourceText: (path: string, cwd: string) => SourceFile | null;
  /** A container's command finished: probe the verdicts now. */
  readonly onContainerDone: (pid: number) => void;
  /** The script is over, its EXIT trap not yet run. */
  readonly beforeExitTrap?: () => void;
}

const whereOf = (node: Node): Where => ({ line: node.loc.line, text: node.loc.text, ...(node.loc.file !== undefined ? { file: node.loc.file } : {}), node });
const unescapeGlob = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Statements that are leaves of the tree: what "ran" and "skipped" are said of. */
export function leaves(node: Node, out: Node[] = []): Node[] {
  switch (node.t) {
    case 'simple': case 'dbracket': case 'arith': case 'opaque': out.push(node); break;
    case 'list': for (const i of node.items) leaves(i.node, out); break;
    case 'andor': leaves(node.first, out); for (const r of node.rest) leaves(r.node, out); break;
    case 'pipeline': for (const c of node.cmds) leaves(c, out); break;
    case 'if': for (const b of node.branches) { leaves(b.cond, out); leaves(b.body, out); } if (node.otherwise) leaves(node.otherwise, out); break;
    case 'loop': leaves(node.cond, out); leaves(node.body, out); break;
    case 'for': case 'cfor': leaves(node.body, out); break;
    case 'case': for (const a of node.arms) leaves(a.body, out); break;
    case 'group': leaves(node.body, out); break;
    case 'func': leaves(node.body, out); break;
  }
  return out;
}

export class Interp implements Runner {
  private readonly parsed = new Map<string, Node>();
  private rerun = 0;
  /** Where the script stopped (exit, exec, set -e, a fatal expansion error). */
  stoppedAt: Where | null = null;

  constructor(readonly run: Run, readonly env: InterpEnv) {}

  /** Run a whole script (and its EXIT trap). `call`: a function to call after the top level. */
  runScript(program: Node, sh: Shell, io: IO, call?: { name: string; args: readonly string[] }): ScriptEnd {
    let end = this.guarded(() => this.exec(program, sh, false, io));
    if (call && (end.ending === 'end')) {
      end = this.guarded(() => {
        const fn = sh.funcs.get(call.name);
        if (!fn) throw new CallMissing(call.name);
        return this.call(fn, [call.name, ...call.args], sh, { line: program.loc.line, text: `--call ${call.name}` }, false, io);
      });
    }
    if (end.ending !== 'budget') this.env.beforeExitTrap?.();
    if (end.ending !== 'exec' && end.ending !== 'budget') {
      const trapped = this.exitTrap(sh, io);
      if (trapped) return { ...end, ...trapped };
    }
    return end;
  }

  private guarded(f: () => number): ScriptEnd {
    try {
      return { ending: 'end', status: f() };
    } catch (e) {
      const stop = e instanceof ExitSignal && e.where ? e.where : this.stoppedAt;
      const at = stop ? { line: stop.line, ...(stop.file !== undefined ? { file: stop.file } : {}) } : {};
      if (e instanceof ExitSignal) return { ending: e.reason, status: e.status, ...at, ...(e.message ? { message: e.message } : {}) };
      if (e instanceof ReturnSignal) return { ending: 'exit', status: e.status, ...at };
      if (e instanceof LoopSignal) return { ending: 'end', status: 0 };
      if (e instanceof BudgetExceeded) return { ending: 'budget', status: 0, message: e.message };
      if (e instanceof CallMissing) return { ending: 'fatal', status: 127, message: `--call ${e.message}: the script defines no such function` };
      throw e;
    }
  }

  /** Run the EXIT trap of a shell that is ending; a changed ending if the trap exits. */
  private exitTrap(sh: Shell, io: IO): Partial<ScriptEnd> | null {
    const text = sh.traps.get('EXIT');
    if (!text) return null;
    sh.traps.delete('EXIT');
    const where: Where = { line: 0, text: `trap … EXIT` };
    try {
      this.evalText(text, sh, where, false, io);
    } catch (e) {
      if (e instanceof ExitSignal) return { status: e.status };
      if (e instanceof BudgetExceeded) return { ending: 'budget', message: e.message };
      if (!(e instanceof ReturnSignal || e instanceof LoopSignal)) throw e;
    }
    return null;
  }

  exec(node: Node, sh: Shell, cond: boolean, io: IO): number {
    this.run.tick();
    switch (node.t) {
      case 'simple': return this.simple(node, sh, cond, io);
      case 'list': {
        let status = 0;
        for (const item of node.items) status = item.background ? this.subshell(item.node, sh, cond, io) : this.exec(item.node, sh, cond, io);
        return status;
      }
      case 'andor': {
        const last = node.rest.length;
        let status = this.exec(node.first, sh, last > 0 ? true : cond, io);
        let prev = node.first;
        node.rest.forEach((r, k) => {
          if ((r.op === '&&') === (status === 0)) status = this.exec(r.node, sh, k === last - 1 ? cond : true, io);
          else this.skip(r.node, `\`${prev.loc.text}\` (line ${prev.loc.line}) gave status ${status}, so ${r.op} does not run it`);
          prev = r.node;
        });
        return status;
      }
      case 'pipeline': return this.pipeline(node, sh, cond, io);
      case 'if': {
        const r = this.redirects(node.redirs, sh, whereOf(node), null, io);
        if (r.status !== null) return r.status;
        const bio = r.io;
        for (let k = 0; k < node.branches.length; k++) {
          const b = node.branches[k]!;
          const status = this.exec(b.cond, sh, true, bio);
          if (status === 0) {
            const taken = `an earlier branch (line ${b.cond.loc.line}: \`${b.cond.loc.text}\`) was taken`;
            for (const later of node.branches.slice(k + 1)) { this.skip(later.cond, taken); this.skip(later.body, taken); }
            if (node.otherwise) this.skip(node.otherwise, taken);
            return this.exec(b.body, sh, cond, bio);
          }
          this.skip(b.body, `the condition \`${b.cond.loc.text}\` (line ${b.cond.loc.line}) gave status ${status}`);
        }
        return node.otherwise ? this.exec(node.otherwise, sh, cond, bio) : 0;
      }
      case 'loop': return this.loop(node, sh, cond, io);
      case 'for': return this.forLoop(node, sh, cond, io);
      case 'cfor': return this.cForLoop(node, sh, cond, io);
      case 'case': return this.caseCmd(node, sh, cond, io);
      case 'group': {
        const r = this.redirects(node.redirs, sh, whereOf(node), null, io);
        if (r.status !== null) return r.status;
        return node.subshell ? this.subshell(node.body, sh, cond, r.io) : this.exec(node.body, sh, cond, r.io);
      }
      case 'func':
        sh.funcs.set(node.name, node.body);
        return 0;
      case 'dbracket': return this.doubleBracket(node, sh, cond, io);
      case 'arith': return this.arithCommand(node, sh, cond, io);
      case 'opaque': {
        this.run.ran(node);
        const ctx = this.ctx([], sh, whereOf(node), cond, io);
        return unknown(ctx, `the checker does not structure this statement (${node.reason})`);
      }
    }
  }

  /** Mark every statement under `node` as skipped, with the reason. */
  private skip(node: Node, why: string): void {
    for (const leaf of leaves(node)) this.run.skipped(leaf, why);
  }

  /** A subshell: its own copy of the shell; `exit` in it ends only it; its EXIT trap runs at its end. Model effects stay. */
  private subshell(node: Node, sh: Shell, cond: boolean, io: IO): number {
    const sub = subshellOf(sh);
    let status: number;
    try {
      status = this.exec(node, sub, cond, io);
    } catch (e) {
      if (e instanceof ExitSignal || e instanceof ReturnSignal) status = e.status;
      else if (e instanceof LoopSignal) status = 0;
      else throw e;
    }
    const t = this.exitTrap(sub, io);
    return t?.status ?? status;
  }

  private pipeline(node: NodeOf<'pipeline'>, sh: Shell, cond: boolean, io: IO): number {
    const inner = node.negated ? true : cond;
    if (node.cmds.length === 1) {
      const status = this.exec(node.cmds[0]!, sh, inner, io);
      return node.negated ? (status === 0 ? 1 : 0) : status;
    }
    // each command in a subshell; each one's output is the next one's input
    let stdin: Input | null = io.stdin;
    let status = 0;
    node.cmds.forEach((c, k) => {
      const last = k === node.cmds.length - 1;
      const capture = last ? null : new Capture();
      const before = this.run.findings.length;
      status = this.subshell(c, sh, last ? inner : true, { stdin, out: capture ?? io.out });
      // only the last command's status is the pipeline's: no assumption about the others
      if (!last) {
        const added = this.run.findings.splice(before);
        this.run.findings.push(...added.filter((f) => f.kind !== 'assumed'));
      }
      if (capture) stdin = capture.why === null ? { text: capture.text, pos: 0 } : null;
    });
    return node.negated ? (status === 0 ? 1 : 0) : status;
  }

  ctx(argv: readonly string[], sh: Shell, where: Where, cond: boolean, io: IO): CommandCtx {
    return {
      run: this.run, sh, argv, where, cond, io, runner: this,
      command: (a, s) => this.command(a, s, where, cond, io),
    };
  }

  private expandIO(sh: Shell, where: Where, io: IO): ExpandIO {
    return {
      glob: (pattern) => this.glob(pattern, sh, where),
      assume: (note) => this.run.find(where, 'info', note),
      readUnset: (name, how) => this.run.readUnset(name, where, how === 'default'),
      commandOutput: (text) => this.commandOutput(text, sh, where, io),
    };
  }

  /** $(…): run the text in a subshell with its output captured; its status becomes $?. */
  private commandOutput(text: string, sh: Shell, where: Where, io: IO): Expanded<string> {
    let node: Node;
    try {
      node = parseInline(text, where.line, this.env.syntax, where.file);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      return { ok: false, why: `the command substitution \`$(${short(text)})\` is not understood (${e.message})` };
    }
    const capture = new Capture();
    const status = this.subshell(node, sh, false, { stdin: io.stdin, out: capture });
    sh.status = status;
    if (capture.why !== null) return { ok: false, why: `${capture.why} (in \`$(${short(text)})\`)` };
    // a shell string holds no NUL: the shells drop them from the output
    return { ok: true, value: capture.text.replace(/\0/g, '') };
  }

  /**
   * Pathname expansion (XCU 2.13.3), component by component: a component with a
   * wildcard is matched against a readdir of each directory so far; the others are
   * taken as they are, and what is left at the end must exist (a stat).
   */
  private glob(pattern: string, sh: Shell, where: Where): string[] | null {
    const note = `pathname expansion of ${unescapeGlob(pattern)}`;
    const absolute = pattern.startsWith('/');
    const comps = pattern.split('/').filter((c, k) => c !== '' || k === 0);
    let results = [absolute ? '/' : ''];
    let literalTail = false;
    for (const comp of comps) {
      if (comp === '') continue;
      const wild = /(^|[^\\])[*?[]/.test(comp);
      literalTail = !wild;
      const join = (base: string, name: string): string => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
      if (!wild) { results = results.map((r) => join(r, unescapeGlob(comp))); continue; }
      const re = globRegExp(comp, true);
      const next: string[] = [];
      for (const r of results) {
        const r2 = this.run.exec({ op: 'readdir', pid: sh.pid, path: r === '' ? sh.cwd : abs(sh, r) }, where, note);
        if ('errno' in r2) continue;
        for (const e of (r2.entries ?? []).filter((x) => re.test(x) && (!x.startsWith('.') || comp.startsWith('.'))).sort()) next.push(join(r, e));
      }
      results = next;
      if (results.length === 0) return [];
    }
    if (literalTail) results = results.filter((r) => !('errno' in this.run.exec({ op: 'stat', pid: sh.pid, path: abs(sh, r), nofollow: true }, where, note)));
    if (pattern.endsWith('/')) results = results.map((r) => r + '/');
    return results;
  }

  /** A fatal expansion error: the shell prints it and (non-interactive) exits. */
  private fatal(why: string, where: Where): never {
    this.run.find(where, 'failed', `${why}: the shell exits here`);
    this.stoppedAt = where;
    throw new ExitSignal(2, 'fatal', why);
  }

  private simple(node: NodeOf<'simple'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    this.run.ran(node);
    this.run.lastUnknown = false;
    const xio = this.expandIO(sh, where, io);
    const argvE = expandWords(node.words, sh, xio);
    if (!argvE.ok) {
      if (argvE.fatal) this.fatal(argvE.why, where);
      // the command name alone may still say "no effect" (echo "$(…)")
      const name = expandWords(node.words.slice(0, 1), sh, xio);
      const ctx = this.ctx([], sh, where, cond, io);
      const known = name.ok && name.value[0] !== undefined ? NO_EFFECT[basename(name.value[0])] : undefined;
      if (known) {
        io.out.unknown(`an argument of \`${node.loc.text}\` is not known`);
        return this.finish(noEffect(ctx, `${known.why} (an argument cannot be expanded: ${argvE.why})`, known.statusKnown), sh, where, cond);
      }
      return this.finish(unknown(ctx, `cannot expand: ${argvE.why}`), sh, where, cond);
    }
    const argv = argvE.value;
    if (argv.length === 0) {
      for (const a of node.assigns) this.assign(a, sh, where, xio);
      const r = this.redirects(node.redirs, sh, where, null, io);
      return this.finish(r.status ?? (node.words.some((w) => w.parts.some((p) => p.kind === 'cmdsub')) ? sh.status : 0), sh, where, cond);
    }
    // NAME=value before a command: in its environment only (functions and builtins: while it runs)
    const saved = node.assigns.map((a) => ({ name: a.name, value: getVar(sh, a.name), exported: sh.exported.has(a.name) }));
    for (const a of node.assigns) { this.assign(a, sh, where, xio); sh.exported.add(a.name); }
    this.run.running.push(node);
    try {
      const r = this.redirects(node.redirs, sh, where, argv, io);
      const status = r.handled || r.status !== null ? r.status ?? 0 : this.command(argv, sh, where, cond, r.io);
      for (const a of node.arrays ?? []) this.assign(a, sh, where, xio);
      return this.finish(status, sh, where, cond);
    } catch (e) {
      if (e instanceof ExitSignal && !e.where) e.where = where;
      throw e;
    } finally {
      this.run.running.pop();
      if (!isSpecialBuiltin(argv[0]!, sh)) {
        for (const s of saved) {
          if (s.value.kind === 'set') setVar(sh, s.name, s.value.value);
          else if (s.value.kind === 'unknown') setUnknown(sh, s.name);
          else unsetVar(sh, s.name);
          if (s.exported) sh.exported.add(s.name); else sh.exported.delete(s.name);
        }
      }
    }
  }

  private assign(a: Assignment, sh: Shell, where: Where, xio: ExpandIO): void {
    if (a.array) {
      const items = expandWords(a.array, sh, xio);
      if (!items.ok) {
        if (items.fatal) this.fatal(items.why, where);
        setUnknown(sh, a.name);
        this.run.find(where, 'info', `${a.name} gets a value the checker cannot know (${items.why})`);
        return;
      }
      const old = getVar(sh, a.name);
      const base: readonly string[] = a.append && old.kind === 'set' ? (typeof old.value === 'string' ? [old.value] : old.value) : [];
      setVar(sh, a.name, [...base, ...items.value]);
      return;
    }
    const v = expandString(a.value, sh, xio);
    if (!v.ok) {
      if (v.fatal) this.fatal(v.why, where);
      setUnknown(sh, a.name);
      this.run.find(where, 'info', `${a.name} gets a value the checker cannot know (${v.why})`);
      return;
    }
    const old = getVar(sh, a.name);
    if (a.index !== undefined) {
      const k = expandArith(a.index, sh, xio);
      const arr: string[] = old.kind === 'set' ? (typeof old.value === 'string' ? [old.value] : [...old.value]) : [];
      if (!k.ok) { setUnknown(sh, a.name); return; }
      const idx = Number(k.value);
      while (arr.length < idx) arr.push('');
      arr[idx] = a.append ? (arr[idx] ?? '') + v.value : v.value;
      setVar(sh, a.name, arr);
      return;
    }
    let value: Value = v.value;
    if (a.append && old.kind === 'set') value = typeof old.value === 'string' ? old.value + v.value : [...old.value.slice(0, 1).map((x) => x + v.value), ...old.value.slice(1)];
    setVar(sh, a.name, value);
  }

  /** $? and `set -e`. */
  private finish(status: number, sh: Shell, where: Where, cond: boolean): number {
    sh.status = status;
    if (status !== 0 && sh.errexit && !cond) {
      this.run.find(where, 'info', `set -e: the script stops here (status ${status})`);
      this.stoppedAt = where;
      throw new ExitSignal(status, 'errexit');
    }
    return status;
  }

  command(argv: readonly string[], sh: Shell, where: Where, cond: boolean, io: IO): number {
    this.run.tick();
    const name = argv[0]!;
    const fn = name.includes('/') ? undefined : sh.funcs.get(name);
    if (fn) return this.call(fn, argv, sh, where, cond, io);
    const ctx = this.ctx(argv, sh, where, cond, io);
    // a script run by its path: the script itself, or a file the checker has the text of
    if (name.includes('/') && !COMMANDS.has(basename(name)) || this.isSelf(name, sh)) {
      const r = this.scriptFile(name, sh, where, cond, io, argv.slice(1));
      if (r !== null) return r;
      return unknown(ctx, `\`${name}\` runs another program or script, which the checker does not have`);
    }
    const handler = COMMANDS.get(basename(name));
    if (!handler) return unknown(ctx, `\`${basename(name)}\` is not modelled`);
    return handler(ctx);
  }

  private call(body: Node, argv: readonly string[], sh: Shell, where: Where, cond: boolean, io: IO): number {
    if (sh.depth >= CALL_DEPTH) return unknown(this.ctx(argv, sh, where, cond, io), `function calls nest deeper than ${CALL_DEPTH}`);
    const saved = sh.positional;
    sh.positional = argv.slice(1);
    sh.depth++;
    pushFrame(sh);
    try {
      return this.exec(body, sh, cond, io);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      popFrame(sh);
      sh.positional = saved;
      sh.depth--;
    }
  }

  /** `local NAME…` inside a function. */
  declareLocal(sh: Shell, name: string): void { makeLocal(sh, name); }

  private parseText(text: string, where: Where): Node | string {
    try {
      return parseInline(text, where.line, this.env.syntax, where.file);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      return e.message;
    }
  }

  evalText(text: string, sh: Shell, where: Where, cond: boolean, io: IO): number {
    const node = this.parseText(text, where);
    if (typeof node === 'string') return unknown(this.ctx([], sh, where, cond, io), `the shell text "${short(text)}" is not understood (${node})`);
    return this.exec(node, sh, cond, io);
  }

  shellText(text: string, sh: Shell, where: Where, cond: boolean, io: IO): number {
    const node = this.parseText(text, where);
    if (typeof node === 'string') return unknown(this.ctx([], sh, where, cond, io), `the shell text "${short(text)}" is not understood (${node})`);
    return this.inNewShell(node, sh, io, cond);
  }

  /** Run a tree as a new shell process: `exit` ends it; its EXIT trap runs at its end. */
  private inNewShell(node: Node, sh: Shell, io: IO, cond: boolean): number {
    let status: number;
    try {
      status = this.exec(node, sh, cond, io);
    } catch (e) {
      if (e instanceof ExitSignal || e instanceof ReturnSignal) status = e.status;
      else if (e instanceof LoopSignal) status = 0;
      else throw e;
    }
    const t = this.exitTrap(sh, io);
    return t?.status ?? status;
  }

  private isSelf(name: string, sh: Shell): boolean {
    return name === sh.scriptName || this.env.self.names.includes(name);
  }

  /** A file's tree: parsed once (tree-sitter only; its statements at their lines in that file). */
  private treeOf(file: string, text: string): Node {
    let node = this.parsed.get(file);
    if (!node) {
      node = scriptTree(parseShell(text), undefined, { syntax: this.env.syntax, file }).program;
      this.parsed.set(file, node);
    }
    return node;
  }

  scriptFile(path: string, sh: Shell, where: Where, cond: boolean, io: IO, args?: readonly string[], options?: readonly string[]): number | null {
    const positional = args ?? [];
    if (this.isSelf(path, sh)) {
      if (this.rerun >= RERUN_DEPTH) {
        return unknown(this.ctx([path], sh, where, cond, io), `the script runs itself again more than ${RERUN_DEPTH} levels deep; not followed further`);
      }
      this.run.find(where, 'info', `the script runs itself again (${path}${positional.length ? ' ' + positional.join(' ') : ''}) in pid ${sh.pid}`);
      const child = childShell(sh, { scriptName: sh.scriptName, positional });
      applyOptionWords(child, options ?? this.env.self.options ?? []);
      this.rerun++;
      try {
        return this.inNewShell(this.env.self.program, child, io, cond);
      } finally {
        this.rerun--;
      }
    }
    const found = this.env.sourceText(abs(sh, path), sh.cwd) ?? this.written(path, sh);
    if (!found) return null;
    this.run.find(where, 'info', `runs ${found.file} (a new shell, pid ${sh.pid})`);
    const child = childShell(sh, { scriptName: path, positional });
    applyOptionWords(child, options ?? shebangOptions(found.text));
    return this.inNewShell(this.treeOf(found.file, found.text), child, io, cond);
  }

  /** A file the script itself wrote (cat > FILE <<EOF …). */
  private written(path: string, sh: Shell): SourceFileLike | null {
    const text = readKnownFile(this.run, sh, path);
    return text === null ? null : { file: abs(sh, path), text };
  }

  source(path: string, sh: Shell, where: Where, cond: boolean, io: IO): number | null {
    const found = this.env.sourceText(path.includes('/') ? abs(sh, path) : path, sh.cwd) ?? this.written(path, sh);
    if (!found) return null;
    this.run.find(where, 'info', `reads ${found.file}`);
    try {
      return this.exec(this.treeOf(found.file, found.text), sh, cond, io);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    }
  }

  containerDone(pid: number): void { this.env.onContainerDone(pid); }

  private body(node: Node, sh: Shell, cond: boolean, io: IO): 'break' | 'continue' | null {
    try {
      this.exec(node, sh, cond, io);
      return null;
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
      return e.kind;
    }
  }

  private loop(node: NodeOf<'loop'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    const r = this.redirects(node.redirs, sh, where, null, io);
    if (r.status !== null) return r.status;
    const lio = r.io;
    for (let n = 0; ; n++) {
      this.run.tick();
      const c = this.exec(node.cond, sh, true, lio);
      if (node.until ? c === 0 : c !== 0) {
        if (n === 0) this.skip(node.body, `the loop condition \`${node.cond.loc.text}\` (line ${node.cond.loc.line}) gave status ${c} at once`);
        break;
      }
      if (this.run.lastUnknown) {
        this.run.find(where, 'assumed', 'the loop condition cannot be evaluated: its body is analysed once');
        this.body(node.body, sh, cond, lio);
        break;
      }
      if (n >= LOOP_LIMIT) {
        unknown(this.ctx([], sh, where, cond, io), `the loop has not ended after ${LOOP_LIMIT} iterations in the model; the analysis goes on after it`);
        break;
      }
      if (this.body(node.body, sh, cond, lio) === 'break') break;
    }
    return 0;
  }

  private forLoop(node: NodeOf<'for'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    const r = this.redirects(node.redirs, sh, where, null, io);
    if (r.status !== null) return r.status;
    const items = node.items === null ? { ok: true as const, value: [...sh.positional] } : expandWords(node.items, sh, this.expandIO(sh, where, io));
    if (!items.ok) {
      if (items.fatal) this.fatal(items.why, where);
      unknown(this.ctx([], sh, where, cond, io), `the loop's words cannot be expanded (${items.why}); its body is analysed once with $${node.name} unknown`);
      setUnknown(sh, node.name);
      this.body(node.body, sh, cond, r.io);
      return 0;
    }
    if (items.value.length === 0) this.skip(node.body, `the for loop at line ${node.loc.line} has no words to go over`);
    let k = 0;
    for (const v of items.value) {
      if (++k > LOOP_LIMIT) {
        unknown(this.ctx([], sh, where, cond, io), `the loop is cut after ${LOOP_LIMIT} iterations`);
        break;
      }
      this.run.tick();
      setVar(sh, node.name, v);
      if (this.body(node.body, sh, cond, r.io) === 'break') break;
    }
    return 0;
  }

  /** for (( init; cond; update )): arithmetic as ((…)) does it; an empty condition is true. */
  private cForLoop(node: NodeOf<'cfor'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    const xio = this.expandIO(sh, where, io);
    const arith = (text: string): bigint | null => {
      const v = expandArith(text, sh, xio);
      if (v.ok) return v.value;
      if (v.fatal) this.fatal(v.why, where);
      unknown(this.ctx([], sh, where, cond, io), `the arithmetic \`${text}\` cannot be evaluated (${v.why}); the loop's body is analysed once`);
      return null;
    };
    if (node.init !== '' && arith(node.init) === null) { this.body(node.body, sh, cond, io); return 0; }
    for (let n = 0; ; n++) {
      this.run.tick();
      const c = node.cond === '' ? 1n : arith(node.cond);
      if (c === null) { this.body(node.body, sh, cond, io); break; }
      if (c === 0n) { if (n === 0) this.skip(node.body, `the loop condition \`${node.cond}\` (line ${node.loc.line}) is 0 at once`); break; }
      if (n >= LOOP_LIMIT) { unknown(this.ctx([], sh, where, cond, io), `the loop is cut after ${LOOP_LIMIT} iterations`); break; }
      if (this.body(node.body, sh, cond, io) === 'break') break;
      if (node.update !== '' && arith(node.update) === null) break;
    }
    return 0;
  }

  private caseCmd(node: NodeOf<'case'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    const xio = this.expandIO(sh, where, io);
    const r = this.redirects(node.redirs, sh, where, null, io);
    if (r.status !== null) return r.status;
    const w = expandString(node.word, sh, xio);
    if (!w.ok) {
      if (w.fatal) this.fatal(w.why, where);
      for (const arm of node.arms) this.skip(arm.body, `the case word \`${node.word.raw}\` cannot be expanded (${w.why})`);
      return unknown(this.ctx([], sh, where, cond, io), `the case word cannot be expanded (${w.why}); no branch is analysed`);
    }
    for (let k = 0; k < node.arms.length; k++) {
      const arm = node.arms[k]!;
      for (const pat of arm.patterns) {
        const p = patternOf(pat, sh, xio);
        if (!p.ok) {
          if (p.fatal) this.fatal(p.why, where);
          unknown(this.ctx([], sh, where, cond, io), `a case pattern cannot be expanded (${p.why})`);
          continue;
        }
        if (matchPattern(p.value, w.value)) {
          for (const later of node.arms.slice(k + 1)) this.skip(later.body, `an earlier case pattern matched \`${w.value}\``);
          return this.exec(arm.body, sh, cond, r.io);
        }
      }
      this.skip(arm.body, `the case word \`${w.value}\` does not match ${arm.patterns.map((p) => p.raw).join(' | ')}`);
    }
    return 0;
  }

  private doubleBracket(node: NodeOf<'dbracket'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    this.run.ran(node);
    const xio = this.expandIO(sh, where, io);
    this.run.lastUnknown = false;
    const ctx = this.ctx(['[['], sh, where, cond, io);
    if (sh.name === 'sh' || sh.name === 'dash') return this.finish(failed(ctx, `${sh.name}: [[: not found`, 127), sh, where, cond);
    const args: string[] = [];
    for (let k = 0; k < node.words.length; k++) {
      const prev = args[k - 1];
      const isPattern = prev === '==' || prev === '=' || prev === '!=';
      const v = isPattern ? patternOf(node.words[k]!, sh, xio) : expandString(node.words[k]!, sh, xio);
      if (!v.ok) {
        if (v.fatal) this.fatal(v.why, where);
        return this.finish(unknown(ctx, `cannot expand: ${v.why}`), sh, where, cond);
      }
      args.push(v.value);
    }
    return this.finish(runTest(ctx, args, true), sh, where, cond);
  }

  /** ((expr)): status 0 when the value is not zero (bash, mksh); dash and busybox ash read `((` as two subshells. */
  private arithCommand(node: NodeOf<'arith'>, sh: Shell, cond: boolean, io: IO): number {
    const where = whereOf(node);
    this.run.ran(node);
    this.run.lastUnknown = false;
    const ctx = this.ctx(['(('], sh, where, cond, io);
    if (sh.name !== 'bash' && sh.name !== 'mksh') return this.finish(failed(ctx, `${sh.name}: \`((${node.text}))\` runs \`${node.text.trim()}\` as a command: not found`, 127), sh, where, cond);
    const v = expandArith(node.text, sh, this.expandIO(sh, where, io));
    if (!v.ok) {
      if (v.fatal) this.fatal(v.why, where);
      return this.finish(unknown(ctx, `cannot evaluate: ${v.why}`), sh, where, cond);
    }
    return this.finish(v.value !== 0n ? 0 : 1, sh, where, cond);
  }

  /**
   * Redirections: input from a file the checker can read (/proc/mounts …), a
   * here-document or here-string; output files are created (a touch op) and what is
   * written to them is kept; /dev/null and friends are ignored; `echo N >
   * /proc/sys/kernel/pty/max` is a sysctl. `status` non-null: the command must not run
   * (a redirection failed) or was handled here.
   */
  private redirects(redirs: readonly Redirect[], sh: Shell, where: Where, argv: readonly string[] | null, io: IO): { status: number | null; handled: boolean; io: IO } {
    let handled = false;
    let status: number | null = null;
    let stdin = io.stdin;
    let out: Sink = io.out;
    const ctx = this.ctx(argv ?? [], sh, where, false, io);
    const xio = this.expandIO(sh, where, io);
    for (const r of redirs) {
      const fd = r.fd ?? (r.op.startsWith('<') ? 0 : 1);
      if (r.op === '<<' || r.op === '<<-') {
        const body = r.body ? expandString(r.body, sh, xio) : { ok: true as const, value: '' };
        if (!body.ok && body.fatal) this.fatal(body.why, where);
        if (fd === 0) stdin = body.ok ? { text: body.value, pos: 0 } : null;
        continue;
      }
      if (r.op === '<<<') {
        const w = expandString(r.target, sh, xio);
        if (fd === 0) stdin = w.ok ? { text: w.value + '\n', pos: 0 } : null;
        continue;
      }
      if (r.op === '<&' || r.op === '>&') {
        if (/^[0-9]+-?$|^-$/.test(r.target.raw)) {
          if (fd === 1 && r.target.raw !== '1') out = DISCARD;   // >&2: to stderr
          continue;
        }
      }
      const t = expandString(r.target, sh, xio);
      if (!t.ok) {
        if (t.fatal) this.fatal(t.why, where);
        unknown(ctx, `the redirection target cannot be expanded (${t.why})`);
        if (fd === 1) out = DISCARD;
        continue;
      }
      const path = t.value;
      if (r.op === '<' || r.op === '<&') {
        if (fd !== 0) continue;
        const text = readKnownFile(this.run, sh, path);
        stdin = text === null ? null : { text, pos: 0 };
        continue;
      }
      const toStdout = fd === 1 || r.op === '&>' || r.op === '&>>';
      if (path === '' ) { status = failed(ctx, 'cannot create an empty file name: No such file or directory'); continue; }
      if (/^\/dev\/(null|stdout|stderr|tty|console|kmsg|fd\/[0-9]+)$/.test(path)) { if (toStdout) out = DISCARD; continue; }
      const sysctl = /^\/proc\/sys\/kernel\/pty\/(max|reserve)$/.exec(path);
      if (sysctl && argv && (basename(argv[0]!) === 'echo' || basename(argv[0]!) === 'printf')) {
        const value = argv.slice(1).filter((a) => !/^-[neE]+$/.test(a)).join(' ').replace(/\\n$/, '').trim();
        status = writeSysctl(ctx, `kernel.pty.${sysctl[1]}`, value);
        handled = true;
        continue;
      }
      if (path.startsWith('/proc/') || path.startsWith('/sys/')) { unknown(ctx, `writing to ${path} is not modelled`); if (toStdout) out = DISCARD; continue; }
      const res = this.run.exec({ op: 'touch', pid: sh.pid, path: abs(sh, path) }, where, `redirection ${r.op} ${path}`);
      if ('errno' in res) return { status: failed(ctx, `cannot open ${path} for writing: ${res.errno}`), handled: false, io };
      if (toStdout) out = new FileSink(this.run, sh, path, r.op === '>>' || r.op === '&>>');
    }
    return { status, handled, io: { stdin, out } };
  }
}

class CallMissing extends Error {}

type SourceFileLike = SourceFile;

/** Output into a file: what the script writes is kept (the model has no file contents). */
class FileSink implements Sink {
  private readonly key: string;
  constructor(private readonly run: Run, sh: Shell, path: string, append: boolean) {
    this.key = fileKey(sh, path);
    if (!append) this.run.files.set(this.key, '');
  }
  write(text: string): void {
    const old = this.run.files.get(this.key);
    if (old !== undefined) this.run.files.set(this.key, old + text);
  }
  unknown(): void { this.run.files.delete(this.key); }
}

/** Where a file is, from the host's root (a chroot's files under its directory). */
export function fileKey(sh: Shell, path: string): string {
  const p = normalize(abs(sh, path));
  return sh.root === '/' ? p : sh.root + p;
}

function isSpecialBuiltin(name: string, sh: Shell): boolean {
  // POSIX special builtins keep prefix assignments; bash does so only in POSIX mode
  if (sh.name === 'bash') return false;
  return ['export', 'readonly', 'set', 'unset', ':', 'eval', 'exec', 'exit', 'return', 'shift', 'trap', '.', 'times', 'break', 'continue'].includes(name);
}

const short = (text: string): string => (text.length > 60 ? text.slice(0, 57) + '…' : text).replace(/\s+/g, ' ').trim();
