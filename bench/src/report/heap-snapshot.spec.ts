import { heapGrowth, tallyHeap, type HeapSnapshot } from './heap-snapshot';

/** A snapshot with nodes given as [type index, name, self size]. */
function snapshotOf(nodes: Array<[number, string, number]>): HeapSnapshot {
  const strings: string[] = [];
  const flat: number[] = [];
  for (const [type, name, size] of nodes) {
    let at = strings.indexOf(name);
    if (at < 0) at = strings.push(name) - 1;
    flat.push(type, at, size);
  }
  return { snapshot: { meta: { node_fields: ['type', 'name', 'self_size'], node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure']] } }, nodes: flat, strings };
}

describe('heap snapshot tally', () => {
  it('groups objects by constructor, functions as closures, the rest by type', () => {
    const sut = tallyHeap(snapshotOf([[3, 'WebSocket', 200], [3, 'WebSocket', 200], [5, 'onMessage', 64], [1, '', 100], [2, 'hello', 24]]));
    expect(sut.totalBytes).toBe(588);
    expect(sut.byKind.get('WebSocket')).toEqual({ bytes: 400, count: 2 });
    expect(sut.byKind.get('closure onMessage')).toEqual({ bytes: 64, count: 1 });
    expect(sut.byKind.get('(array)')).toEqual({ bytes: 100, count: 1 });
    expect(sut.byKind.get('(string)')).toEqual({ bytes: 24, count: 1 });
  });

  it('reports what was added per unit, largest first', () => {
    const before = tallyHeap(snapshotOf([[3, 'Server', 1000]]));
    const after = tallyHeap(snapshotOf([[3, 'Server', 1000], [3, 'Socket', 300], [3, 'Socket', 300], [5, 'handler', 64], [5, 'handler', 64]]));
    const growth = heapGrowth(before, after, 2);
    expect(growth.bytesPerUnit).toBe(364);
    expect(growth.kinds[0]).toEqual({ kind: 'Socket', bytesPerUnit: 300, countPerUnit: 1 });
    expect(growth.kinds[1]).toEqual({ kind: 'closure handler', bytesPerUnit: 64, countPerUnit: 1 });
  });
});
