// A deliberately wrong word reader, for the expansion property's mutant check: it builds
// each word from tree-sitter-bash's nodes, as the checker did before shell/syntax/words.ts
// (the code of that time, made into plain functions). tree-sitter splits
// `gid=$G,mode=$M,p=0` after `mode=` and leaves `$M` as literal text; the property must
// find words like that.

import type { ParamOp, Word, WordPart } from '../../shell/ast.ts';
import type { Cst } from '../../shell/syntax/tree.ts';
// the old reader built its parts as the checker still does
import { Parts } from '../../shell/syntax/words.ts';

// ---- words ------------------------------------------------------------------------

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAM_OPS: readonly ParamOp[] = [':-', ':=', ':?', ':+', '##', '%%', '-', '=', '?', '+', '#', '%'];
const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
/** Parts of a word that are expansions inside "…" (the rest of a string is literal text). */
const EXPANSIONS = new Set(['simple_expansion', 'expansion', 'command_substitution', 'arithmetic_expansion']);

/** Unquoted text: a backslash quotes the next character; backslash-newline disappears. */
function unquotedText(s: string, out: Parts): void {
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') { run += c; continue; }
    if (run) { out.lit(run, false); run = ''; }
    if (s[i + 1] === '\n') { i++; continue; }
    if (i + 1 >= s.length) { out.lit('\\', false); continue; }
    out.lit(s[++i]!, true);
  }
  if (run) out.lit(run, false);
}

/** Text inside "…": a backslash quotes only $ ` " \ and newline. */
function doubleQuotedText(s: string, out: Parts): void {
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && '$`"\\\n'.includes(next)) {
      if (next !== '\n') run += next;
      i++;
    } else run += c;
  }
  out.lit(run, true);
}

function ansiC(s: string): string {
  let value = '';
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '\\' && j + 1 < s.length) { value += C_ESCAPES[s[j + 1]!] ?? '\\' + s[j + 1]; j++; }
    else value += s[j];
  }
  return value;
}

/** Backquoted command text: \$ \` \\ lose their backslash. */
function backquoted(s: string): string {
  let text = '';
  for (let j = 0; j < s.length; j++) {
    if (s[j] === '\\' && j + 1 < s.length) { text += '$`\\'.includes(s[j + 1]!) ? s[j + 1] : s[j]! + s[j + 1]!; j++; }
    else text += s[j];
  }
  return text;
}

/** Is the text between two word nodes only line continuations (so they are one word)? */
function joined(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 2) if (text[i] !== '\\' || text[i + 1] !== '\n') return false;
  return true;
}

const param = (name: string, op: ParamOp | null, arg: Word | null, quoted: boolean): WordPart => ({ kind: 'param', name, index: null, indirect: false, op, arg, arg2: null, quoted });

/** One word from its nodes, the way tree-sitter's tree shows it. */
export function treeSitterWord(text: string, nodes: readonly Cst[], from: number): Word {
  const src = (n: Cst): string => text.slice(n.start, n.end);
  function part(n: Cst, out: Parts, quoted: boolean): void {
    const s = src(n);
    switch (n.type) {
      case 'raw_string':
        out.lit(s.slice(1, -1), true);
        return;
      case 'ansi_c_string':
        out.lit(ansiC(s.slice(2, -1)), true);
        return;
      case 'string': case 'translated_string': {
        out.lit('', true);
        const open = n.start + (s.startsWith('$') ? 2 : 1);
        const close = s.length >= 2 && s.endsWith('"') ? n.end - 1 : n.end;
        let at = open;
        for (const ch of n.children) {
          if (!EXPANSIONS.has(ch.type)) continue;
          if (ch.start > at) doubleQuotedText(text.slice(at, ch.start), out);
          part(ch, out, true);
          at = ch.end;
        }
        if (close > at) doubleQuotedText(text.slice(at, close), out);
        return;
      }
      case 'simple_expansion': {
        const name = s.slice(1);
        if (/^[0-9]{2,}$/.test(name)) {
          // $10 is $1 followed by 0
          out.push(param(name[0]!, null, null, quoted));
          out.lit(name.slice(1), quoted);
        } else if (NAME_RE.test(name) || /^[0-9@*#?$!-]$/.test(name)) {
          out.push(param(name, null, null, quoted));
        } else if (quoted) doubleQuotedText(s, out);
        else unquotedText(s, out);
        return;
      }
      case 'expansion':
        out.push(expansion(n, quoted));
        return;
      case 'command_substitution':
        out.push({ kind: 'cmdsub', text: s.startsWith('$(') ? s.slice(2, -1) : backquoted(s.slice(1, -1)), quoted });
        return;
      case 'arithmetic_expansion':
        out.push({ kind: 'arith', text: s.startsWith('$((') ? s.slice(3, -2) : s.slice(2, -1), quoted });
        return;
      case 'process_substitution':
        out.push({ kind: 'cmdsub', text: s.slice(2, -1), quoted });
        return;
      case 'array':
        throw new Error('an array');
      default: {
        if (n.children.length === 0) {
          if (quoted) doubleQuotedText(s, out);
          else unquotedText(s, out);
          return;
        }
        // concatenation and the like: the parts in order, the text between them literal
        let at = n.start;
        for (const ch of n.children) {
          if (ch.start > at) (quoted ? doubleQuotedText : unquotedText)(text.slice(at, ch.start), out);
          part(ch, out, quoted);
          at = Math.max(at, ch.end);
        }
        if (n.end > at) (quoted ? doubleQuotedText : unquotedText)(text.slice(at, n.end), out);
      }
    }
  }

  function expansion(n: Cst, quoted: boolean): WordPart {
    const s = src(n);
    const unknown: WordPart = { kind: 'cmdsub', text: s, quoted };
    const ch = n.children;
    if (ch.length < 3 || ch[0]!.type !== '${' || ch[ch.length - 1]!.type !== '}') return unknown;
    const inner = ch.slice(1, -1).filter((c) => c.type !== 'comment');
    // ${#} is the number of positional parameters; ${#name} a length
    if (inner.length === 1 && !inner[0]!.named && inner[0]!.type === '#') return param('#', null, null, quoted);
    let k = 0;
    const len = !inner[0]!.named && inner[0]!.type === '#';
    if (len) k++;
    const nameNode = inner[k];
    if (!nameNode || (nameNode.type !== 'variable_name' && nameNode.type !== 'special_variable_name')) return unknown;
    const name = src(nameNode);
    if (!NAME_RE.test(name) && !/^([0-9]+|[@*#?$!-])$/.test(name)) return unknown;
    k++;
    if (len) return k === inner.length ? param(name, '#len', null, quoted) : unknown;
    if (k === inner.length) return param(name, null, null, quoted);
    const opNode = inner[k]!;
    const op = PARAM_OPS.find((o) => o === opNode.type);
    if (opNode.named || !op) return unknown;
    const argNodes = inner.slice(k + 1);
    // a second operator (${x/a/b}, ${x:1:2}): not one of the supported forms
    if (argNodes.some((a) => !a.named && (PARAM_OPS.includes(a.type as ParamOp) || /^[/:^,@]/.test(a.type)))) return unknown;
    const close = ch[ch.length - 1]!.start;
    if (argNodes.length === 0) {
      const t = text.slice(opNode.end, close);
      const out = new Parts();
      unquotedText(t, out);
      return param(name, op, { parts: out.done(), raw: t }, quoted);
    }
    const out = new Parts();
    let at = opNode.end;
    for (const a of argNodes) {
      if (a.start > at) unquotedText(text.slice(at, a.start), out);
      part(a, out, false);
      at = Math.max(at, a.end);
    }
    if (close > at) unquotedText(text.slice(at, close), out);
    return param(name, op, { parts: out.done(), raw: text.slice(opNode.end, close) }, quoted);
  }
  const out = new Parts();
  let at = from;
  for (const n of nodes) {
    if (n.start > at) unquotedText(text.slice(at, n.start), out);
    part(n, out, false);
    at = Math.max(at, n.end);
  }
  return { parts: out.done(), raw: text.slice(from, nodes[nodes.length - 1]!.end) };
}
