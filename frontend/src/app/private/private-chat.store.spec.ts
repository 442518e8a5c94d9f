import { TestBed } from '@angular/core/testing';
import type { PrivateMessageFrame } from '@chatstream/protocol';
import { ME, setUpChat } from '../../testing/harness';
import { FakeWebSocket } from '../../testing/fake-web-socket';

let n = 0;
function privateFrame(from: { id: string; name: string }, to: string, content: string, clientId?: string): PrivateMessageFrame {
  const frame: PrivateMessageFrame = {
    id: `p-${++n}`,
    type: 'private',
    content,
    sender: from.name,
    sender_id: from.id,
    recipient: to,
    timestamp: new Date().toISOString(),
  };
  if (clientId !== undefined) frame.client_id = clientId;
  return frame;
}
const BOB = { id: 'id-bob', name: 'bob' };

describe('PrivateChatStore', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('incoming messages are kept per sender and counted unread until the chat opens', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver(privateFrame(BOB, ME.id, 'psst'));
    socket.deliver(privateFrame(BOB, ME.id, 'are you there?'));
    expect(t.privateChats.unreadFrom(BOB.id)).toBe(2);
    expect(t.privateChats.totalUnread()).toBe(2);
    t.privateChats.open(BOB.id, BOB.name);
    expect(t.privateChats.unreadFrom(BOB.id)).toBe(0);
    socket.deliver(privateFrame(BOB, ME.id, 'seen at once'));
    expect(t.privateChats.unreadFrom(BOB.id)).toBe(0);
    expect(t.privateChats.conversation(BOB.id)?.messages.map((m) => m.content)).toEqual(['psst', 'are you there?', 'seen at once']);
  });

  test('one’s own message is pending until its echo, which files it under the recipient', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    t.privateChats.open(BOB.id, BOB.name);
    expect(t.privateChats.send(BOB.id, 'hello bob')).toBeNull();
    const [sent] = socket.sentOfType('text');
    expect(sent).toEqual({ type: 'text', content: 'hello bob', recipient: BOB.id, client_id: expect.any(String) });
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['sending']);
    // Another tab of mine saying the same words settles nothing here.
    socket.deliver(privateFrame({ id: ME.id, name: ME.name }, BOB.id, 'hello bob', 'another-tab'));
    expect(t.privateChats.pendingTo(BOB.id)).toHaveLength(1);
    const echo = privateFrame({ id: ME.id, name: ME.name }, BOB.id, 'hello bob', sent['client_id'] as string);
    socket.deliver(echo);
    socket.deliver(echo);
    expect(t.privateChats.pendingTo(BOB.id)).toEqual([]);
    expect(t.privateChats.conversation(BOB.id)?.messages).toHaveLength(2);
    expect(t.privateChats.conversation(BOB.id)?.peerName).toBe('bob');
  });

  test('a message in flight when the socket drops goes again on reconnect, under the same client_id, before what was written offline', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    t.privateChats.send(BOB.id, 'in flight');
    const [first] = socket.sentOfType('text');
    socket.drop();
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['unconfirmed']);
    t.privateChats.send(BOB.id, 'written while offline');
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['unconfirmed', 'queued']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    const resent = FakeWebSocket.last.sentOfType('text');
    expect(resent.map((f) => f['content'])).toEqual(['in flight', 'written while offline']);
    expect(resent[0]['client_id']).toBe(first['client_id']);
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['sending', 'sending']);
  });
});
