// Small helpers for immutable records: copy-on-write with structural sharing.

export function put<V>(rec: Readonly<Record<string, V>>, key: string | number, value: V): Readonly<Record<string, V>> {
  return { ...rec, [key]: value };
}

export function drop<V>(rec: Readonly<Record<string, V>>, key: string | number): Readonly<Record<string, V>> {
  const copy: Record<string, V> = { ...rec };
  delete copy[key];
  return copy;
}
