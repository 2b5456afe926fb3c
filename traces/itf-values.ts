// Value encoders of the Informal Trace Format (ITF, Apalache ADR-015, as Quint reads and
// writes it). ITF has no null, undefined or Map: integers are JSON numbers while they
// are safe, else {"#bigint": "..."}; sets {"#set": [...]}; maps {"#map": [[k, v], ...]};
// tuples {"#tup": [...]}; sum types {"tag": ..., "value": ...}, with Quint's
// Option (Some/None, None carrying the unit tuple) for values that may be absent.

export type Itf =
  | boolean | string | number
  | { readonly '#bigint': string }
  | { readonly '#set': readonly Itf[] }
  | { readonly '#map': readonly (readonly [Itf, Itf])[] }
  | { readonly '#tup': readonly Itf[] }
  | { readonly tag: string; readonly value: Itf }
  | readonly Itf[]
  | { readonly [field: string]: Itf };

export type Encoder<T> = (value: T) => Itf;

export const str: Encoder<string> = (s) => s;
export const bool: Encoder<boolean> = (b) => b;

/** Integers: plain JSON numbers while safe (|n| < 2^53), {"#bigint"} beyond. */
export function int(n: number | bigint): Itf {
  if (typeof n === 'bigint') return Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? Number(n) : { '#bigint': n.toString() };
  if (!Number.isInteger(n)) throw new Error(`ITF has no non-integer numbers (got ${n})`);
  return Number.isSafeInteger(n) ? n : { '#bigint': BigInt(n).toString() };
}

export const UNIT: Itf = { '#tup': [] };
export const NONE: Itf = { tag: 'None', value: UNIT };
export const some = (value: Itf): Itf => ({ tag: 'Some', value });
export const variant = (tag: string, value: Itf): Itf => ({ tag, value });

/** An optional value as Quint's Option. */
export const option = <T>(enc: Encoder<T>): Encoder<T | null | undefined> => (v) => (v === null || v === undefined ? NONE : some(enc(v)));

export const list = <T>(enc: Encoder<T>): Encoder<readonly T[]> => (items) => items.map(enc);

// sets and maps are unordered; sort their JSON text so equal values encode equally
const byText = (a: Itf | readonly [Itf, Itf], b: Itf | readonly [Itf, Itf]) => {
  const ta = JSON.stringify(a), tb = JSON.stringify(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
};

export const set = <T>(enc: Encoder<T>): Encoder<Iterable<T>> => (items) => ({ '#set': [...items].map(enc).sort(byText) });

/** A record keyed by strings (a JS object used as a dictionary) as an ITF map. */
export const stringMap = <V>(enc: Encoder<V>): Encoder<Readonly<Record<string, V>>> => (rec) =>
  ({ '#map': Object.keys(rec).map((k) => [k, enc(rec[k]!)] as const).sort(byText) });

/** A record keyed by integers (JS turns the keys into strings) as an ITF map with integer keys. */
export const intMap = <V>(enc: Encoder<V>): Encoder<Readonly<Record<number, V>>> => (rec) =>
  ({ '#map': Object.keys(rec).map((k) => [Number(k), enc((rec as Record<string, V>)[k]!)] as const).sort((a, b) => a[0] - b[0]).map(([k, v]) => [int(k), v] as const) });

/**
 * A fixed-shape object as an ITF record, one encoder per field. The field table must
 * name every field of T (a compile error otherwise), so a new model field cannot be
 * forgotten silently.
 */
export function record<T extends object>(fields: { readonly [K in keyof T]-?: Encoder<T[K]> }): Encoder<T> {
  return (value) => {
    const out: Record<string, Itf> = {};
    for (const key of Object.keys(fields) as (keyof T & string)[]) out[key] = fields[key](value[key]);
    return out;
  };
}

/** Any JSON value (results, op arguments): objects as records, lists as lists, null as None. */
export function json(v: unknown): Itf {
  if (v === null || v === undefined) return NONE;
  if (typeof v === 'number' || typeof v === 'bigint') return int(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(json);
  if (typeof v === 'object') {
    const out: Record<string, Itf> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = json(x);
    return out;
  }
  throw new Error(`ITF cannot encode a ${typeof v}`);
}
