// Small helpers for immutable records: copy-on-write with structural sharing.
//
// Records keyed by names from the outside (handle names: "any string is a valid name",
// including "__proto__" and "constructor") must never be indexed directly: a plain
// object answers `constructor` from its prototype, and assigning `__proto__` sets the
// prototype instead of a key. `own` reads only own keys; `put` and `drop` write
// "__proto__" as a data property. The common keys keep the fast paths (spread and
// plain assignment), so the hot path is unchanged.

const hasOwn = Object.prototype.hasOwnProperty;

/** The value stored under `key`, never one inherited from Object.prototype. */
export function own<V>(rec: Readonly<Record<string, V>>, key: string | number): V | undefined {
  return hasOwn.call(rec, key) ? rec[key] : undefined;
}

export function put<V>(rec: Readonly<Record<string, V>>, key: string | number, value: V): Readonly<Record<string, V>> {
  // a computed key in an object literal defines an own property, "__proto__" included
  return { ...rec, [key]: value };
}

export function drop<V>(rec: Readonly<Record<string, V>>, key: string | number): Readonly<Record<string, V>> {
  // copied key by key, not spread-then-delete: `delete` turns the copy into a dictionary-mode
  // object, slower to read and to copy again (this is on the explorer's hot path)
  const gone = String(key);
  const copy: Record<string, V> = {};
  for (const k in rec) {
    if (k === gone) continue;
    if (k === '__proto__') Object.defineProperty(copy, k, { value: rec[k], enumerable: true, writable: true, configurable: true });
    else copy[k] = rec[k]!;
  }
  return copy;
}
