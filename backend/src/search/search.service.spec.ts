import { MemoryMessagesRepository, MemorySearchRepository } from '../storage/memory/memory.repositories';
import { SearchService } from './search.service';

describe('SearchService', () => {
  async function searcher() {
    const store = new MemoryMessagesRepository();
    const at = '2026-01-01T00:00:00.000Z';
    const add = (id: string, content: string, place: { room?: string; recipient?: string }, senderId = 'ann') =>
      store.append({ id, senderId, senderName: senderId, content, timestamp: at, ...place });
    await add('m1', 'the plan for Monday', { room: 'general' });
    await add('m2', 'secret plan', { recipient: 'bob' });
    await add('m3', 'plan B', { room: 'random' });
    return { sut: new SearchService(new MemorySearchRepository(store)), store };
  }
  const ids = (results: Array<{ id: string }>) => results.map((r) => r.id);

  it('finds room messages for anyone and private ones for their two people only, newest first', async () => {
    const { sut } = await searcher();
    expect(ids(await sut.search('eve', { q: 'plan' }))).toEqual(['m3', 'm1']);
    expect(ids(await sut.search('bob', { q: 'plan' }))).toEqual(['m3', 'm2', 'm1']);
    expect(ids(await sut.search(undefined, { q: 'secret' }))).toEqual([]);
  });

  it('narrows to a room and pages with before', async () => {
    const { sut } = await searcher();
    expect(ids(await sut.search('eve', { q: 'plan', room: 'general' }))).toEqual(['m1']);
    expect(ids(await sut.search('eve', { q: 'plan', before: 'm3' }))).toEqual(['m1']);
    await expect(sut.search('eve', { q: 'plan', before: 'm2' })).rejects.toMatchObject({ status: 400 });
  });

  it('refuses a blank or too long query, and a limit out of 1-50, and takes a sentence of many words', async () => {
    const { sut } = await searcher();
    for (const input of [{ q: ' \t ' }, { q: 'x'.repeat(201) }, { q: 'x', limit: 0 }, { q: 'x', limit: 51 }]) {
      await expect(sut.search('eve', input)).rejects.toMatchObject({ status: 400 });
    }
    await expect(sut.search('eve', { q: 'a b c d e f g h i j k l m n o p' })).resolves.toEqual([]);
  });

  it('answers highlights of the matched words', async () => {
    const { sut } = await searcher();
    const [found] = await sut.search('eve', { q: 'mon', room: 'general' });
    expect(found.highlights).toEqual([[13, 19]]);
  });
});
