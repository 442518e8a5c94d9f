import { TestBed } from '@angular/core/testing';
import type { PrivateMessageFrame } from '@chatstream/protocol';
import { ME, setUpChat } from '../../testing/harness';
import { FakeWebSocket } from '../../testing/fake-web-socket';

let n = 0;
function privateFrame(from: { id: string; name: string }, to: string, content: string): PrivateMessageFrame {
  return {
    id: `p-${++n}`,
    type: 'private',
    content,
    sender: from.name,
    sender_id: from.id,
    recipient: to,
    timestamp: new Date().toISOString(),
  };
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
    expect(socket.sentOfType('text')).toEqual([{ type: 'text', content: 'hello bob', recipient: BOB.id }]);
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['sending']);
    const echo = privateFrame({ id: ME.id, name: ME.name }, BOB.id, 'hello bob');
    socket.deliver(echo);
    socket.deliver(echo);
    expect(t.privateChats.pendingTo(BOB.id)).toEqual([]);
    expect(t.privateChats.conversation(BOB.id)?.messages).toHaveLength(1);
    expect(t.privateChats.conversation(BOB.id)?.peerName).toBe('bob');
  });

  test('with no history to check, a message in flight when the socket drops is shown as not delivered', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    t.privateChats.send(BOB.id, 'in flight');
    socket.drop();
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['failed']);
    t.privateChats.send(BOB.id, 'written while offline');
    expect(t.privateChats.pendingTo(BOB.id).map((p) => p.status)).toEqual(['failed', 'queued']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sentOfType('text')).toEqual([{ type: 'text', content: 'written while offline', recipient: BOB.id }]);
  });
});
