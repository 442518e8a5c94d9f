import { TestBed } from '@angular/core/testing';
import type { PrivateMessageFrame } from '@chatstream/protocol';
import { ME, settled, setUpChat } from '../../testing/harness';
import { FakeWebSocket } from '../../testing/fake-web-socket';
import { privateMessage } from '../../testing/fake-api';
import { FIRST_PAGE, OLDER_PAGE } from '../chat/chat.store';

let n = 0;
function privateFrame(from: { id: string; name: string }, to: string, content: string, clientId?: string): PrivateMessageFrame {
  const frame: PrivateMessageFrame = {
    id: `p-${++n}`,
    type: 'private',
    content,
    sender: from.name,
    sender_id: from.id,
    recipient: to,
    // Later than anything the fake server stored, one second apart.
    timestamp: new Date(Date.UTC(2027, 0, 1) + n * 1000).toISOString(),
  };
  if (clientId !== undefined) frame.client_id = clientId;
  return frame;
}
const BOB = { id: 'id-bob', name: 'bob' };

describe('PrivateChatStore', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('incoming messages are kept per sender, before and after the chat opens', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver(privateFrame(BOB, ME.id, 'psst'));
    socket.deliver(privateFrame(BOB, ME.id, 'are you there?'));
    t.privateChats.open(BOB.id, BOB.name);
    socket.deliver(privateFrame(BOB, ME.id, 'seen at once'));
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

describe('PrivateChatStore in accounts mode (the server keeps private history)', () => {
  afterEach(() => TestBed.resetTestingModule());

  function accountsChat() {
    const t = setUpChat({ joined: ['general'], auth: 'accounts' });
    const alice = { id: ME.id, username: ME.name };
    const bob = t.api.addAccount('bob', 'bob password');
    const cy = t.api.addAccount('cy', 'cy password');
    return { t, alice, bob, cy };
  }

  test('Direct messages lists the conversations from GET /api/conversations, most recent first', async () => {
    const { t, alice, bob, cy } = accountsChat();
    t.api.postPrivate(bob, alice, 'from bob');
    t.api.postPrivate(alice, cy, 'to cy, later');
    await t.connect();
    expect(t.privateChats.recent().map((c) => [c.peerName, c.last?.content])).toEqual([
      ['cy', 'to cy, later'],
      ['bob', 'from bob'],
    ]);
  });

  test('a live private message moves its conversation to the top, a new person included', async () => {
    const { t, alice, bob, cy } = accountsChat();
    t.api.postPrivate(bob, alice, 'older');
    t.api.postPrivate(cy, alice, 'newer');
    const socket = await t.connect();
    socket.deliver(privateFrame(BOB, ME.id, 'bob again'));
    socket.deliver(privateFrame({ id: 'id-dan', name: 'dan' }, ME.id, 'hi, I am new'));
    expect(t.privateChats.recent().map((c) => c.peerName)).toEqual(['dan', 'bob', 'cy']);
  });

  test('opening a chat loads its history; live messages merge in without duplicates', async () => {
    const { t, alice, bob } = accountsChat();
    const stored = [t.api.postPrivate(bob, alice, 'one'), t.api.postPrivate(alice, bob, 'two')];
    const socket = await t.connect();
    socket.deliver(stored[1]);
    t.privateChats.open(bob.id, bob.username);
    await settled();
    socket.deliver(stored[1]);
    socket.deliver(privateFrame(BOB, ME.id, 'three'));
    expect(t.privateChats.conversation(bob.id)?.messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
    expect(t.api.calls).toContain(`conversationHistory ${bob.id} limit=${FIRST_PAGE}`);
  });

  test('older pages come before the oldest loaded message, until the beginning', async () => {
    const { t, alice, bob } = accountsChat();
    for (let i = 1; i <= FIRST_PAGE + OLDER_PAGE + 5; i++) t.api.postPrivate(i % 2 ? bob : alice, i % 2 ? alice : bob, `m${i}`);
    await t.connect();
    t.privateChats.open(bob.id, bob.username);
    await settled();
    expect(t.privateChats.conversation(bob.id)?.hasOlder).toBe(true);
    await t.privateChats.loadOlder(bob.id);
    await t.privateChats.loadOlder(bob.id);
    const c = t.privateChats.conversation(bob.id);
    expect(c?.messages).toHaveLength(FIRST_PAGE + OLDER_PAGE + 5);
    expect(c?.messages[0].content).toBe('m1');
    expect(c?.hasOlder).toBe(false);
    expect(new Set(c?.messages.map((m) => m.id)).size).toBe(c?.messages.length);
  });

  test('after a reconnect an open chat reads what it missed, once', async () => {
    const { t, alice, bob } = accountsChat();
    t.api.postPrivate(bob, alice, 'before');
    const socket = await t.connect();
    t.privateChats.open(bob.id, bob.username);
    await settled();
    socket.drop();
    t.api.postPrivate(bob, alice, 'while away');
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    await settled();
    expect(t.privateChats.conversation(bob.id)?.messages.map((m) => m.content)).toEqual(['before', 'while away']);
    expect(t.privateChats.recent()[0].last?.content).toBe('while away');
  });

  test('a message sent before a drop and found in the history read after it shows once, not pending', async () => {
    const { t, alice, bob } = accountsChat();
    const socket = await t.connect();
    t.privateChats.open(bob.id, bob.username);
    await settled();
    t.privateChats.send(bob.id, 'did this arrive?');
    const [sent] = socket.sentOfType('text') as Array<{ client_id: string }>;
    // Stored by the server, but the socket dropped before the echo.
    t.api.privateMessages.push({ ...privateMessage(alice, bob, 'did this arrive?'), client_id: sent.client_id });
    socket.drop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    await settled();
    expect(t.privateChats.pendingTo(bob.id)).toEqual([]);
    expect(t.privateChats.conversation(bob.id)?.messages.map((m) => m.content)).toEqual(['did this arrive?']);
  });

  test('a private thread opens with all its replies from the server; a live reply joins it, an edit of one shows; replying sends reply_to', async () => {
    const { t, alice, bob } = accountsChat();
    const parent = t.api.postPrivate(alice, bob, 'lunch?');
    const earlier = { ...t.api.postPrivate(bob, alice, 'noon?'), reply_to: parent.id, rev: 2 };
    t.api.privateMessages.splice(t.api.privateMessages.length - 1, 1, earlier);
    const socket = await t.connect();
    t.privateChats.open(bob.id, bob.username);
    await settled();
    await t.privateChats.openThread(bob.id, parent.id);
    expect(t.api.calls).toContain(`privateReplies ${parent.id}`);
    expect(t.privateChats.threadParent()?.content).toBe('lunch?');
    expect(t.privateChats.thread()?.replies.map((m) => m.content)).toEqual(['noon?']);
    const live = { ...privateFrame(BOB, ME.id, 'or one?'), reply_to: parent.id, seq: 3, rev: 3 };
    socket.deliver(live);
    socket.deliver(privateFrame(BOB, ME.id, 'not in the thread'));
    socket.deliver({ type: 'message_updated', message: { ...earlier, content: 'noon!', edited_at: earlier.timestamp, rev: 4 } });
    expect(t.privateChats.thread()?.replies.map((m) => m.content)).toEqual(['noon!', 'or one?']);
    expect(t.privateChats.reply('yes')).toBeNull();
    expect(socket.sentOfType('text').at(-1)).toEqual({ type: 'text', recipient: bob.id, content: 'yes', reply_to: parent.id });
    t.privateChats.closeThread();
    expect(t.privateChats.thread()).toBeNull();
  });

  test('only one’s own conversations come back: another pair’s messages are not listed', async () => {
    const { t, bob, cy } = accountsChat();
    t.api.postPrivate(bob, cy, 'between bob and cy');
    await t.connect();
    expect(t.privateChats.recent()).toEqual([]);
  });
});

describe('PrivateChatStore in open mode', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('asks the server for no private history (open mode has none)', async () => {
    const t = setUpChat({ joined: ['general'] });
    await t.connect();
    t.privateChats.open(BOB.id, BOB.name);
    await settled();
    expect(t.api.calls.filter((call) => call.startsWith('conversation'))).toEqual([]);
  });

  test('a private thread shows the replies this session has seen (open mode reads no private history)', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    const parent = privateFrame(BOB, ME.id, 'question');
    socket.deliver(parent);
    socket.deliver({ ...privateFrame({ id: ME.id, name: ME.name }, BOB.id, 'answer'), reply_to: parent.id });
    await t.privateChats.openThread(BOB.id, parent.id);
    expect(t.privateChats.thread()?.replies.map((m) => m.content)).toEqual(['answer']);
    expect(t.api.calls.filter((call) => call.startsWith('privateReplies'))).toEqual([]);
  });

  test('message_updated shows an edit of a private message in its conversation; reacting toggles', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    const first = { ...privateFrame(BOB, ME.id, 'teh time'), rev: 1 };
    socket.deliver(first);
    socket.deliver({ type: 'message_updated', message: { ...first, content: 'the time', edited_at: first.timestamp, rev: 2 } });
    expect(t.privateChats.conversation(BOB.id)?.messages.map((m) => [m.content, m.edited_at])).toEqual([['the time', first.timestamp]]);
    socket.deliver({ type: 'message_updated', message: first });
    expect(t.privateChats.conversation(BOB.id)?.messages[0].content).toBe('the time');
    t.privateChats.toggleReaction(BOB.id, first.id, '👍');
    expect(socket.sentOfType('react')).toEqual([{ type: 'react', id: first.id, emoji: '👍' }]);
  });
});
