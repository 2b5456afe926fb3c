// Shell arithmetic ($((…)), ((…)), let, array subscripts): C's integer expressions on
// 64-bit signed integers (XCU 2.6.4; bash "ARITHMETIC EVALUATION"). The text has had its
// parameter expansions done already; names left in it are variables, read through `env`.

export class ArithError extends Error {}
/** A variable the expression reads has a value the checker cannot know. */
export class ArithUnknown extends Error {}

export interface ArithEnv {
  /** The variable's value; undefined: unset (0); null: unknown. */
  get(name: string): string | undefined | null;
  set(name: string, value: string): void;
}

type Tok = { t: 'num'; v: bigint } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['<<=', '>>=', '**', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=',
  '+', '-', '!', '~', '*', '/', '%', '<', '>', '&', '^', '|', '?', ':', '=', '(', ')', ','];

function number(s: string): bigint {
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(s))) return BigInt('0x' + m[1]);
  if ((m = /^([0-9]+)#([0-9a-zA-Z@_]+)$/.exec(s))) {
    const base = Number(m[1]);
    if (base < 2 || base > 64) throw new ArithError(`invalid arithmetic base: ${s}`);
    let v = 0n;
    for (const c of m[2]!) {
      const d = base <= 36 ? parseInt(c, 36) : '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_'.indexOf(c);
      if (Number.isNaN(d) || d < 0 || d >= base) throw new ArithError(`value too great for base: ${s}`);
      v = v * BigInt(base) + BigInt(d);
    }
    return v;
  }
  if (/^0[0-7]+$/.test(s)) return BigInt('0o' + s.slice(1));
  if (/^[0-9]+$/.test(s)) return BigInt(s);
  throw new ArithError(`invalid number: ${s}`);
}

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    let m: RegExpExecArray | null;
    if ((m = /^[0-9][0-9a-zA-Z#@_]*/.exec(text.slice(i)))) { out.push({ t: 'num', v: number(m[0]) }); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)))) { out.push({ t: 'name', v: m[0] }); i += m[0].length; continue; }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new ArithError(`syntax error in expression (error token is "${text.slice(i)}")`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
const truth = (v: bigint): bigint => (v !== 0n ? 1n : 0n);

/** Binary operators by precedence (higher binds tighter). */
const BINARY: Readonly<Record<string, number>> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};
const ASSIGN = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);

class Evaluator {
  private k = 0;
  /** Inside a branch not taken (`0 && x=1`): no assignments, no errors for its names. */
  private skip = 0;
  constructor(private readonly toks: Tok[], private readonly env: ArithEnv, private readonly depth: number) {}

  run(): bigint {
    if (this.toks.length === 0) return 0n;
    const v = this.comma();
    if (this.k < this.toks.length) throw new ArithError(`syntax error in expression (error token is "${this.rest()}")`);
    return v;
  }

  private rest(): string { return this.toks.slice(this.k).map((t) => String(t.v)).join(' '); }
  private peek(): Tok | undefined { return this.toks[this.k]; }
  private isOp(v: string): boolean { const t = this.peek(); return t?.t === 'op' && t.v === v; }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new ArithError(`syntax error: \`${v}' expected`);
    this.k++;
  }

  private comma(): bigint {
    let v = this.assign();
    while (this.isOp(',')) { this.k++; v = this.assign(); }
    return v;
  }

  private assign(): bigint {
    const t = this.peek();
    const next = this.toks[this.k + 1];
    if (t?.t === 'name' && next?.t === 'op' && ASSIGN.has(next.v)) {
      this.k += 2;
      const rhs = this.assign();
      const v = next.v === '=' ? rhs : this.apply(next.v.slice(0, -1), this.read(t.v), rhs);
      this.write(t.v, v);
      return v;
    }
    return this.ternary();
  }

  private ternary(): bigint {
    const c = this.binary(1);
    if (!this.isOp('?')) return c;
    this.k++;
    if (c === 0n) this.skip++;
    const a = this.assign();
    if (c === 0n) this.skip--;
    this.expectOp(':');
    if (c !== 0n) this.skip++;
    const b = this.assign();
    if (c !== 0n) this.skip--;
    return c !== 0n ? a : b;
  }

  private binary(min: number): bigint {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.t !== 'op' || BINARY[t.v] === undefined || BINARY[t.v]! < min) return left;
      const prec = BINARY[t.v]!;
      this.k++;
      if (t.v === '&&' || t.v === '||') {
        const shortCut = t.v === '&&' ? left === 0n : left !== 0n;
        if (shortCut) this.skip++;
        const right = this.binary(prec + 1);
        if (shortCut) this.skip--;
        left = shortCut ? (t.v === '||' ? 1n : 0n) : truth(right);
        continue;
      }
      // ** is right-associative
      const right = this.binary(t.v === '**' ? prec : prec + 1);
      left = this.apply(t.v, left, right);
    }
  }

  private apply(op: string, a: bigint, b: bigint): bigint {
    switch (op) {
      case '+': return wrap(a + b);
      case '-': return wrap(a - b);
      case '*': return wrap(a * b);
      case '/': case '%':
        if (b === 0n) { if (this.skip) return 0n; throw new ArithError('division by zero'); }
        return wrap(op === '/' ? a / b : a % b);
      case '**':
        if (b < 0n) { if (this.skip) return 0n; throw new ArithError('exponent less than 0'); }
        return wrap(a ** b);
      case '<<': return wrap(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '<': return a < b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '&': return a & b;
      case '^': return a ^ b;
      case '|': return a | b;
    }
    throw new ArithError(`unknown operator ${op}`);
  }

  private unary(): bigint {
    const t = this.peek();
    if (t?.t === 'op') {
      switch (t.v) {
        case '+': this.k++; return this.unary();
        case '-': this.k++; return wrap(-this.unary());
        case '!': this.k++; return this.unary() === 0n ? 1n : 0n;
        case '~': this.k++; return ~this.unary();
        case '++': case '--': {
          this.k++;
          const n = this.peek();
          if (n?.t !== 'name') throw new ArithError(`syntax error: operand expected for ${t.v}`);
          this.k++;
          const v = wrap(this.read(n.v) + (t.v === '++' ? 1n : -1n));
          this.write(n.v, v);
          return v;
        }
        case '(': {
          this.k++;
          const v = this.comma();
          this.expectOp(')');
          return v;
        }
      }
    }
    return this.postfix();
  }

  private postfix(): bigint {
    const t = this.peek();
    if (!t) throw new ArithError('syntax error: operand expected');
    this.k++;
    if (t.t === 'num') return t.v;
    if (t.t === 'name') {
      if (this.isOp('++') || this.isOp('--')) {
        const op = (this.peek() as { v: string }).v;
        this.k++;
        const old = this.read(t.v);
        this.write(t.v, wrap(old + (op === '++' ? 1n : -1n)));
        return old;
      }
      return this.read(t.v);
    }
    throw new ArithError(`syntax error: operand expected (error token is "${t.v}")`);
  }

  private read(name: string): bigint {
    const v = this.env.get(name);
    if (v === null) { if (this.skip) return 0n; throw new ArithUnknown(`$${name} is not known`); }
    if (v === undefined || v.trim() === '') return 0n;
    const s = v.trim();
    if (/^-?[0-9]/.test(s) && /^-?([0-9]+|0[xX][0-9a-fA-F]+|[0-9]+#[0-9a-zA-Z@_]+)$/.test(s)) {
      return s.startsWith('-') ? wrap(-number(s.slice(1))) : number(s);
    }
    // bash evaluates a variable's value as an expression
    if (this.depth > 32) throw new ArithError('expression recursion level exceeded');
    return new Evaluator(tokens(s), this.env, this.depth + 1).run();
  }

  private write(name: string, v: bigint): void {
    if (!this.skip) this.env.set(name, v.toString());
  }
}

/** Evaluate an arithmetic expression. Throws ArithError (the shell's error) or ArithUnknown. */
export function evalArith(text: string, env: ArithEnv): bigint {
  return new Evaluator(tokens(text), env, 0).run();
}
