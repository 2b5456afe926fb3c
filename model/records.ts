// Small helpers for immutable records: copy-on-write with structural sharing.

export function put<V>(rec: Readonly<Record<string, V>>, key: string | number, value: V): Readonly<Record<string, V>> {
  return { ...rec, [key]: value };
}

export function drop<V>(rec: Readonly<Record<string, V>>, key: string | number): Readonly<Record<string, V>> {
  // copied key by key, not spread-then-delete: `delete` turns the copy into a dictionary-mode
  // object, slower to read and to copy again (this is on the explorer's hot path)
  const gone = String(key);
  const copy: Record<string, V> = {};
  for (const k in rec) if (k !== gone) copy[k] = rec[k]!;
  return copy;
}
