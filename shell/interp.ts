// Runs a script's command tree against the model, one profile at a time: lists,
// &&/||, pipelines, if/case/loops, functions, redirections, and simple commands
// dispatched to shell/cmd/. Conditions are evaluated in the model as the script goes
// (a `[ -L /dev/ptmx ]` is a stat op at that point), so the path taken can differ
// between profiles.

import type { Node, NodeOf, Redirect } from './ast.ts';
import { ExitSignal, LoopSignal, NO_EFFECT, ReturnSignal, writeSysctl } from './cmd/builtins.ts';
import { abs, basename, failed, noEffect, unknown, type CommandCtx } from './cmd/context.ts';
import { COMMANDS } from './cmd/index.ts';
import { runTest } from './cmd/test.ts';
import { cloneShell, expandString, expandWords, globRegExp, matchPattern, patternOf, type ExpandIO, type Shell } from './expand.ts';
import { parseInline } from './parse.ts';
import { Unsupported } from './from-tree-sitter.ts';
import { BudgetExceeded, type Run, type Where } from './run.ts';

export const LOOP_LIMIT = 1000;
export const CALL_DEPTH = 100;

export type Ending = 'end' | 'exit' | 'exec' | 'errexit' | 'budget';

const whereOf = (node: Node): Where => ({ line: node.loc.line, text: node.loc.text });
const unescapeGlob = (s: string): string => s.replace(/\\(.)/g, '$1');

export class Interp {
  constructor(readonly run: Run) {}

  /** Run a whole script. */
  runScript(program: Node, sh: Shell): { ending: Ending; status: number; message?: string } {
    try {
      return { ending: 'end', status: this.exec(program, sh, false) };
    } catch (e) {
      if (e instanceof ExitSignal) return { ending: e.reason, status: e.status };
      if (e instanceof ReturnSignal) return { ending: 'exit', status: e.status };
      if (e instanceof LoopSignal) return { ending: 'end', status: 0 };
      if (e instanceof BudgetExceeded) return { ending: 'budget', status: 0, message: e.message };
      throw e;
    }
  }

  exec(node: Node, sh: Shell, cond: boolean): number {
    this.run.tick();
    switch (node.t) {
      case 'simple': return this.simple(node, sh, cond);
      case 'list': {
        let status = 0;
        for (const item of node.items) status = item.background ? this.subshell(item.node, sh, cond) : this.exec(item.node, sh, cond);
        return status;
      }
      case 'andor': {
        const last = node.rest.length;
        let status = this.exec(node.first, sh, last > 0 ? true : cond);
        node.rest.forEach((r, k) => {
          if ((r.op === '&&') === (status === 0)) status = this.exec(r.node, sh, k === last - 1 ? cond : true);
        });
        return status;
      }
      case 'pipeline': {
        let status = 0;
        const inner = node.negated ? true : cond;
        for (const c of node.cmds) status = node.cmds.length > 1 ? this.subshell(c, sh, inner) : this.exec(c, sh, inner);
        return node.negated ? (status === 0 ? 1 : 0) : status;
      }
      case 'if': {
        const r = this.redirects(node.redirs, sh, whereOf(node), null);
        if (r.status !== null) return r.status;
        for (const b of node.branches) {
          if (this.exec(b.cond, sh, true) === 0) return this.exec(b.body, sh, cond);
        }
        return node.otherwise ? this.exec(node.otherwise, sh, cond) : 0;
      }
      case 'loop': return this.loop(node, sh, cond);
      case 'for': return this.forLoop(node, sh, cond);
      case 'case': return this.caseCmd(node, sh, cond);
      case 'group': {
        const r = this.redirects(node.redirs, sh, whereOf(node), null);
        if (r.status !== null) return r.status;
        return node.subshell ? this.subshell(node.body, sh, cond) : this.exec(node.body, sh, cond);
      }
      case 'func':
        sh.funcs.set(node.name, node.body);
        return 0;
      case 'dbracket': return this.doubleBracket(node, sh, cond);
      case 'opaque': {
        const ctx = this.ctx([], sh, whereOf(node), cond);
        return unknown(ctx, `the checker does not structure this statement (${node.reason})`);
      }
    }
  }

  /** A subshell: its own copy of the shell; `exit` in it ends only it. Model effects stay. */
  private subshell(node: Node, sh: Shell, cond: boolean): number {
    try {
      return this.exec(node, cloneShell(sh), cond);
    } catch (e) {
      if (e instanceof ExitSignal || e instanceof ReturnSignal) return e.status;
      if (e instanceof LoopSignal) return 0;
      throw e;
    }
  }

  private ctx(argv: readonly string[], sh: Shell, where: Where, cond: boolean): CommandCtx {
    return {
      run: this.run, sh, argv, where, cond,
      command: (a, s) => this.command(a, s, where, cond),
      inline: (text, s) => this.inline(text, s, where, cond, s !== sh),
    };
  }

  private io(sh: Shell, where: Where): ExpandIO {
    return {
      glob: (pattern) => this.glob(pattern, sh, where),
      assume: (note) => this.run.find(where, 'info', note),
    };
  }

  /** Pathname expansion of the last component, by a readdir op; null for wildcards in directories. */
  private glob(pattern: string, sh: Shell, where: Where): string[] | null {
    const slash = pattern.lastIndexOf('/');
    const dirPart = pattern.slice(0, slash + 1);
    const basePattern = pattern.slice(slash + 1);
    if (/(^|[^\\])[*?[]/.test(dirPart)) return null;
    const dir = unescapeGlob(dirPart);
    const path = abs(sh, dir === '' ? '.' : dir);
    const r = this.run.exec({ op: 'readdir', pid: sh.pid, path }, where, `pathname expansion of ${unescapeGlob(pattern)}`);
    if ('errno' in r) return [];
    const re = globRegExp(basePattern, true);
    return (r.entries ?? []).filter((e) => re.test(e) && (!e.startsWith('.') || basePattern.startsWith('.'))).sort().map((e) => dir + e);
  }

  private simple(node: NodeOf<'simple'>, sh: Shell, cond: boolean): number {
    const where = whereOf(node);
    this.run.lastUnknown = false;
    const io = this.io(sh, where);
    const argvE = expandWords(node.words, sh, io);
    if (!argvE.ok) {
      // the command name alone may still say "no effect" (echo "$(…)")
      const name = expandWords(node.words.slice(0, 1), sh, io);
      const ctx = this.ctx([], sh, where, cond);
      const known = name.ok && name.value[0] !== undefined ? NO_EFFECT[basename(name.value[0])] : undefined;
      if (known) return this.finish(noEffect(ctx, `${known.why} (an argument cannot be expanded: ${argvE.why})`, known.statusKnown), sh, where, cond);
      return this.finish(unknown(ctx, `cannot expand: ${argvE.why}`), sh, where, cond);
    }
    const argv = argvE.value;
    if (argv.length === 0) {
      for (const a of node.assigns) {
        const v = expandString(a.value, sh, io);
        if (v.ok) { sh.vars.set(a.name, v.value); sh.unset.delete(a.name); }
        else {
          sh.vars.delete(a.name);
          sh.unset.delete(a.name);
          this.run.find(where, 'info', `${a.name} gets a value the checker cannot know (${v.why})`);
        }
      }
      const r = this.redirects(node.redirs, sh, where, null);
      return this.finish(r.status ?? 0, sh, where, cond);
    }
    const r = this.redirects(node.redirs, sh, where, argv);
    const status = r.handled || r.status !== null ? r.status ?? 0 : this.command(argv, sh, where, cond);
    return this.finish(status, sh, where, cond);
  }

  /** $? and `set -e`. */
  private finish(status: number, sh: Shell, where: Where, cond: boolean): number {
    sh.status = status;
    if (status !== 0 && sh.errexit && !cond) {
      this.run.find(where, 'info', `set -e: the script stops here (status ${status})`);
      throw new ExitSignal(status, 'errexit');
    }
    return status;
  }

  command(argv: readonly string[], sh: Shell, where: Where, cond: boolean): number {
    this.run.tick();
    const name = argv[0]!;
    const fn = name.includes('/') ? undefined : sh.funcs.get(name);
    if (fn) return this.call(fn, argv, sh, where, cond);
    const base = name.includes('/') ? basename(name) : name;
    const ctx = this.ctx(argv, sh, where, cond);
    const handler = COMMANDS.get(base);
    if (!handler) return unknown(ctx, `\`${base}\` is not modelled`);
    return handler(ctx);
  }

  private call(body: Node, argv: readonly string[], sh: Shell, where: Where, cond: boolean): number {
    if (sh.depth >= CALL_DEPTH) return unknown(this.ctx(argv, sh, where, cond), `function calls nest deeper than ${CALL_DEPTH}`);
    const saved = sh.positional;
    sh.positional = argv.slice(1);
    sh.depth++;
    try {
      return this.exec(body, sh, cond);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.status;
      throw e;
    } finally {
      sh.positional = saved;
      sh.depth--;
    }
  }

  /** `sh -c TEXT` (a new shell: `exit` ends only it) or `eval TEXT` (this shell). */
  private inline(text: string, sh: Shell, where: Where, cond: boolean, newShell: boolean): number {
    let node: Node;
    try {
      node = parseInline(text, where.line);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      return unknown(this.ctx([], sh, where, cond), `the shell text "${text.length > 60 ? text.slice(0, 57) + '…' : text}" is not understood (${e.message})`);
    }
    if (!newShell) return this.exec(node, sh, cond);
    try {
      return this.exec(node, sh, cond);
    } catch (e) {
      if (e instanceof ExitSignal || e instanceof ReturnSignal) return e.status;
      throw e;
    }
  }

  private body(node: Node, sh: Shell, cond: boolean): 'break' | 'continue' | null {
    try {
      this.exec(node, sh, cond);
      return null;
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
      return e.kind;
    }
  }

  private loop(node: NodeOf<'loop'>, sh: Shell, cond: boolean): number {
    const where = whereOf(node);
    const r = this.redirects(node.redirs, sh, where, null);
    if (r.status !== null) return r.status;
    for (let n = 0; ; n++) {
      this.run.tick();
      const c = this.exec(node.cond, sh, true);
      if (node.until ? c === 0 : c !== 0) break;
      if (this.run.lastUnknown) {
        unknown(this.ctx([], sh, where, cond), 'the loop condition cannot be evaluated: its body is analysed once');
        this.body(node.body, sh, cond);
        break;
      }
      if (n >= LOOP_LIMIT) {
        unknown(this.ctx([], sh, where, cond), `the loop has not ended after ${LOOP_LIMIT} iterations in the model; the analysis goes on after it`);
        break;
      }
      if (this.body(node.body, sh, cond) === 'break') break;
    }
    return 0;
  }

  private forLoop(node: NodeOf<'for'>, sh: Shell, cond: boolean): number {
    const where = whereOf(node);
    const r = this.redirects(node.redirs, sh, where, null);
    if (r.status !== null) return r.status;
    const items = node.items === null ? { ok: true as const, value: [...sh.positional] } : expandWords(node.items, sh, this.io(sh, where));
    if (!items.ok) {
      unknown(this.ctx([], sh, where, cond), `the loop's words cannot be expanded (${items.why}); its body is analysed once with $${node.name} unknown`);
      sh.vars.delete(node.name);
      sh.unset.delete(node.name);
      this.body(node.body, sh, cond);
      return 0;
    }
    let k = 0;
    for (const v of items.value) {
      if (++k > LOOP_LIMIT) {
        unknown(this.ctx([], sh, where, cond), `the loop is cut after ${LOOP_LIMIT} iterations`);
        break;
      }
      this.run.tick();
      sh.vars.set(node.name, v);
      sh.unset.delete(node.name);
      if (this.body(node.body, sh, cond) === 'break') break;
    }
    return 0;
  }

  private caseCmd(node: NodeOf<'case'>, sh: Shell, cond: boolean): number {
    const where = whereOf(node);
    const io = this.io(sh, where);
    const r = this.redirects(node.redirs, sh, where, null);
    if (r.status !== null) return r.status;
    const w = expandString(node.word, sh, io);
    if (!w.ok) return unknown(this.ctx([], sh, where, cond), `the case word cannot be expanded (${w.why}); no branch is analysed`);
    for (const arm of node.arms) {
      for (const pat of arm.patterns) {
        const p = patternOf(pat, sh, io);
        if (!p.ok) { unknown(this.ctx([], sh, where, cond), `a case pattern cannot be expanded (${p.why})`); continue; }
        if (matchPattern(p.value, w.value)) return this.exec(arm.body, sh, cond);
      }
    }
    return 0;
  }

  private doubleBracket(node: NodeOf<'dbracket'>, sh: Shell, cond: boolean): number {
    const where = whereOf(node);
    const io = this.io(sh, where);
    this.run.lastUnknown = false;
    const args: string[] = [];
    for (let k = 0; k < node.words.length; k++) {
      const prev = args[k - 1];
      const isPattern = prev === '==' || prev === '=' || prev === '!=';
      const v = isPattern ? patternOf(node.words[k]!, sh, io) : expandString(node.words[k]!, sh, io);
      if (!v.ok) return this.finish(unknown(this.ctx([], sh, where, cond), `cannot expand: ${v.why}`), sh, where, cond);
      args.push(v.value);
    }
    const status = runTest(this.ctx(['[['], sh, where, cond), args, true);
    return this.finish(status, sh, where, cond);
  }

  /**
   * Output redirections create their file (a touch op); /dev/null and friends are
   * ignored; `echo N > /proc/sys/kernel/pty/max` is a sysctl. `status` non-null: the
   * command must not run (a redirection failed) or was handled here.
   */
  private redirects(redirs: readonly Redirect[], sh: Shell, where: Where, argv: readonly string[] | null): { status: number | null; handled: boolean } {
    let handled = false;
    let status: number | null = null;
    const ctx = this.ctx(argv ?? [], sh, where, false);
    for (const r of redirs) {
      if (r.op === '<' || r.op === '<<' || r.op === '<<-' || r.op === '<<<' || r.op === '<&') continue;
      if (r.op === '>&' && /^([0-9]+-?|-)$/.test(r.target.raw)) continue;
      const t = expandString(r.target, sh, this.io(sh, where));
      if (!t.ok) { unknown(ctx, `the redirection target cannot be expanded (${t.why})`); continue; }
      const path = t.value;
      if (/^\/dev\/(null|stdout|stderr|tty|console|kmsg|fd\/[0-9]+)$/.test(path)) continue;
      const sysctl = /^\/proc\/sys\/kernel\/pty\/(max|reserve)$/.exec(path);
      if (sysctl && argv && (basename(argv[0]!) === 'echo' || basename(argv[0]!) === 'printf')) {
        const value = argv.slice(1).filter((a) => !/^-[neE]+$/.test(a)).join(' ').replace(/\\n$/, '').trim();
        status = writeSysctl(ctx, `kernel.pty.${sysctl[1]}`, value);
        handled = true;
        continue;
      }
      if (path.startsWith('/proc/') || path.startsWith('/sys/')) { unknown(ctx, `writing to ${path} is not modelled`); continue; }
      const res = this.run.exec({ op: 'touch', pid: sh.pid, path: abs(sh, path) }, where, `redirection ${r.op} ${path}`);
      if ('errno' in res) return { status: failed(ctx, `cannot open ${path} for writing: ${res.errno}`), handled: false };
    }
    return { status, handled };
  }
}
