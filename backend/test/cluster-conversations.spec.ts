import type { ServerFrame } from '@chatstream/protocol';
import { describeCluster, twoInstancesPerSuite } from './cluster-helpers';
import type { ServerProcess } from './processes';
import type { AnyFrame } from './ws-helpers';

const updatesOf = (id: string) => (f: ServerFrame) => f.type === 'message_updated' && f.message.id === id;

describeCluster('conversations across instances', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const connect = twoInstancesPerSuite((first, second) => ([a, b] = [first, second]));

  it('edits and reactions made on one instance reach a member on the other, in rev order', async () => {
    const room = (await a.http('POST', '/api/rooms', { name: 'Edits Across' })).body.room.id;
    const ann = await connect(a, 'edit-ann');
    const bob = await connect(b, 'edit-bob');
    await ann.join(room);
    await bob.join(room);
    ann.send({ type: 'text', room, content: 'draft' });
    const original = await bob.next<AnyFrame>((f) => f.type === 'text' && f.content === 'draft');
    for (const content of ['draft 2', 'draft 3', 'final']) ann.send({ type: 'edit', id: original.id, content });
    ann.send({ type: 'react', id: original.id, emoji: '✅' });
    const seen = await bob.collect<AnyFrame>(4, updatesOf(original.id));
    expect(seen.map((f) => f.message.rev)).toEqual([2, 3, 4, 5]);
    expect(seen[3].message).toMatchObject({ content: 'final', reactions: [{ emoji: '✅', count: 1, user_ids: ['edit-ann'] }] });
  });

  it('typing on one instance reaches the other person on the other instance, not the typist', async () => {
    const ann = await connect(a, 'type-ann');
    const bob = await connect(b, 'type-bob');
    ann.send({ type: 'typing', recipient: 'type-bob' });
    expect(await bob.next((f) => f.type === 'typing')).toEqual({ type: 'typing', recipient: 'type-bob', user_id: 'type-ann', username: 'TYPE-ANN' });
    expect(ann.frames.filter((f) => f.type === 'typing')).toEqual([]);
  });
});
