/**
 * Reads a V8 `.heapsnapshot` (what `node --heapsnapshot-signal` writes) into
 * bytes and counts per kind of object: the constructor name for objects,
 * `closure <name>` for functions, `(<type>)` for the rest (arrays, strings,
 * compiled code, contexts…). Two snapshots subtracted show what a workload
 * added, e.g. what one idle connection keeps alive.
 */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: Array<string[] | string> } };
  nodes: number[];
  strings: string[];
}

export interface HeapTally {
  totalBytes: number;
  byKind: Map<string, { bytes: number; count: number }>;
}

export function tallyHeap(snapshot: HeapSnapshot): HeapTally {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKind = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = snapshot.strings[snapshot.nodes[i + nameAt]] ?? '';
    const kind = type === 'object' ? name.slice(0, 60) : type === 'closure' ? `closure ${name || '(anonymous)'}`.slice(0, 60) : `(${type})`;
    const bytes = snapshot.nodes[i + sizeAt];
    totalBytes += bytes;
    const entry = byKind.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += bytes;
    entry.count++;
    byKind.set(kind, entry);
  }
  return { totalBytes, byKind };
}

export interface HeapGrowth {
  kind: string;
  bytesPerUnit: number;
  countPerUnit: number;
}

/** What `after` holds beyond `before`, divided by `units` (e.g. connections), largest first. */
export function heapGrowth(before: HeapTally, after: HeapTally, units: number, top = 15): { bytesPerUnit: number; kinds: HeapGrowth[] } {
  const kinds = [...after.byKind]
    .map(([kind, a]) => {
      const b = before.byKind.get(kind) ?? { bytes: 0, count: 0 };
      return { kind, bytesPerUnit: (a.bytes - b.bytes) / units, countPerUnit: (a.count - b.count) / units };
    })
    .sort((x, y) => y.bytesPerUnit - x.bytesPerUnit)
    .slice(0, top);
  return { bytesPerUnit: (after.totalBytes - before.totalBytes) / units, kinds };
}
