import { TestBed } from '@angular/core/testing';
import { MAX_CONTENT_LENGTH, type RoomMessageFrame } from '@chatstream/protocol';
import { ME, settled, setUpChat } from '../../testing/harness';
import { FakeWebSocket } from '../../testing/fake-web-socket';
import { CATCH_UP_MAX_PAGES, CATCH_UP_PAGE, FIRST_PAGE, OLDER_PAGE } from './chat.store';

/** The server's echo of a stored message, as every member receives it. */
function live(frame: RoomMessageFrame, socket = FakeWebSocket.last): void {
  socket.deliver(frame);
}

/** What the fake server stores for a text frame the app sent (a repeated client_id answers the stored message). */
function store(t: ReturnType<typeof setUpChat>, sent: Record<string, unknown>): RoomMessageFrame {
  return t.api.post(sent['room'] as string, sent['content'] as string, ME.name, ME.id, sent['client_id'] as string);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChatStore', () => {
  afterEach(() => TestBed.resetTestingModule());

  test('opening a room loads its latest page, oldest first', async () => {
    const t = setUpChat({ joined: ['general'] });
    for (let i = 0; i < 120; i++) t.api.post('general', `m${i}`);
    const { chat } = t;
    await t.connect();
    const log = chat.openLog();
    expect(log.loaded).toBe(true);
    expect(log.entries).toHaveLength(FIRST_PAGE);
    expect(log.entries[0].content).toBe('m70');
    expect(log.entries.at(-1)?.content).toBe('m119');
    expect(log.hasOlder).toBe(true);
  });

  test('a first load that failed shows why and is tried again on the next (re)connect', async () => {
    const t = setUpChat({ joined: ['general'] });
    t.api.post('general', 'hello');
    t.api.failing = true;
    const first = await t.connect();
    expect(t.chat.openLog().error).toMatch(/Could not load the messages/);
    t.api.failing = false;
    first.drop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    FakeWebSocket.last.accept();
    await settled();
    expect(t.chat.openLog().error).toBeNull();
    expect(t.chat.openLog().entries.map((m) => m.content)).toEqual(['hello']);
  });

  test('older pages load in front until history is exhausted', async () => {
    const t = setUpChat({ joined: ['general'] });
    for (let i = 0; i < 170; i++) t.api.post('general', `m${i}`);
    const { chat } = t;
    await t.connect();
    await chat.loadOlder('general');
    expect(chat.openLog().entries).toHaveLength(FIRST_PAGE + OLDER_PAGE);
    expect(chat.openLog().entries[0].content).toBe('m20');
    await chat.loadOlder('general');
    expect(chat.openLog().entries).toHaveLength(170);
    expect(chat.openLog().hasOlder).toBe(false);
    expect(t.api.calls.filter((call) => call.includes('before='))).toHaveLength(2);
  });

  test('live messages are appended once, whether or not history already had them', async () => {
    const t = setUpChat({ joined: ['general'] });
    const old = t.api.post('general', 'from history');
    const { chat } = t;
    const socket = await t.connect();
    live(old, socket);
    const fresh = t.api.post('general', 'live');
    live(fresh, socket);
    live(fresh, socket);
    expect(chat.openLog().entries.map((m) => m.content)).toEqual(['from history', 'live']);
  });

  test('one sends: pending at once, settled by the echo, shown once', async () => {
    const t = setUpChat({ joined: ['general'] });
    const { chat } = t;
    const socket = await t.connect();
    expect(chat.send('general', 'hello')).toBeNull();
    expect(chat.openPending().map((p) => [p.content, p.status])).toEqual([['hello', 'sending']]);
    const [sent] = socket.sentOfType('text');
    expect(sent).toEqual({ type: 'text', content: 'hello', room: 'general', client_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    live(store(t, sent), socket);
    expect(chat.openPending()).toEqual([]);
    expect(chat.openLog().entries.map((m) => m.content)).toEqual(['hello']);
  });

  test('every message gets its own client_id, and only the echo carrying it settles it (not the same words from another tab)', async () => {
    const t = setUpChat({ joined: ['general'] });
    const { chat } = t;
    const socket = await t.connect();
    chat.send('general', 'same words');
    chat.send('general', 'same words');
    const [first, second] = socket.sentOfType('text');
    expect(first['client_id']).not.toBe(second['client_id']);
    live(t.api.post('general', 'same words', ME.name, ME.id, 'from-another-tab'), socket);
    expect(chat.openPending()).toHaveLength(2);
    live(store(t, second), socket);
    expect(chat.openPending().map((p) => p.clientId)).toEqual([first['client_id']]);
    live(store(t, first), socket);
    expect(chat.openPending()).toEqual([]);
    expect(chat.openLog().entries.map((m) => m.content)).toEqual(['same words', 'same words', 'same words']);
  });

  test('content that is blank or over the limit is refused with a reason and not sent', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    expect(t.chat.send('general', '   ')).toMatch(/Type a message/);
    expect(t.chat.send('general', 'x'.repeat(MAX_CONTENT_LENGTH + 1))).toMatch(/Too long: 4,001 characters, at most 4,000/);
    expect(t.chat.send('general', 'x'.repeat(MAX_CONTENT_LENGTH))).toBeNull();
    expect(socket.sentOfType('text')).toHaveLength(1);
  });

  test('while disconnected a message waits, visibly, and goes out after the rejoin', async () => {
    const t = setUpChat({ joined: ['general'] });
    const { chat } = t;
    const first = await t.connect();
    first.drop();
    chat.send('general', 'are you there?');
    expect(chat.openPending()[0].status).toBe('queued');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = FakeWebSocket.last;
    expect(second).not.toBe(first);
    second.accept();
    expect(second.sent).toEqual([
      { type: 'join_room', content: 'general' },
      { type: 'text', content: 'are you there?', room: 'general', client_id: chat.openPending()[0].clientId },
    ]);
    expect(chat.openPending()[0].status).toBe('sending');
  });

  test('after a reconnect the open room fetches what it missed and shows each message once', async () => {
    const t = setUpChat({ joined: ['general'] });
    const a = t.api.post('general', 'before the drop');
    const { chat } = t;
    const first = await t.connect();
    first.drop();
    const missed = [t.api.post('general', 'missed 1'), t.api.post('general', 'missed 2')];
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = FakeWebSocket.last;
    second.accept();
    // Delivered live right after the reconnect and also in the catch-up page.
    const after = t.api.post('general', 'after');
    live(after, second);
    await settled();
    expect(t.api.calls).toContain(`history general limit=${CATCH_UP_PAGE} after=1`);
    expect(chat.openLog().entries.map((m) => m.id)).toEqual([a.id, missed[0].id, missed[1].id, after.id]);
    expect(chat.openLog().entries.map((m) => (m.type === 'text' ? m.seq : 0))).toEqual([1, 2, 3, 4]);
  });

  test('catch-up reads after= in pages until a short one, each message once, in seq order', async () => {
    const t = setUpChat({ joined: ['general'] });
    for (let i = 0; i < 10; i++) t.api.post('general', `old ${i}`);
    const { chat } = t;
    const first = await t.connect();
    first.drop();
    const missed = CATCH_UP_PAGE * 2 + 5;
    for (let i = 0; i < missed; i++) t.api.post('general', `missed ${i}`);
    await wait(30);
    FakeWebSocket.last.accept();
    // A live message overtakes the catch-up: it must not make the log look complete.
    live(t.api.post('general', 'live after reconnect'), FakeWebSocket.last);
    for (let i = 0; i < 4; i++) await settled();
    const afters = t.api.calls.filter((call) => call.includes('after='));
    expect(afters).toEqual([10, 10 + CATCH_UP_PAGE, 10 + 2 * CATCH_UP_PAGE].map((n) => `history general limit=${CATCH_UP_PAGE} after=${n}`));
    const seqs = chat.openLog().entries.map((m) => (m.type === 'text' ? m.seq : -1));
    expect(seqs).toEqual(Array.from({ length: 10 + missed + 1 }, (_, i) => i + 1));
  });

  test('after a very long absence catch-up starts again from the latest page instead of reading everything', async () => {
    const t = setUpChat({ joined: ['general'] });
    t.api.post('general', 'long ago');
    const { chat } = t;
    const first = await t.connect();
    first.drop();
    const missed = CATCH_UP_PAGE * CATCH_UP_MAX_PAGES + 30;
    for (let i = 0; i < missed; i++) t.api.post('general', `missed ${i}`);
    await wait(30);
    FakeWebSocket.last.accept();
    for (let i = 0; i < CATCH_UP_MAX_PAGES + 4; i++) await settled();
    const log = chat.openLog();
    expect(t.api.calls.filter((call) => call.includes('after='))).toHaveLength(CATCH_UP_MAX_PAGES);
    expect(log.entries).toHaveLength(FIRST_PAGE);
    expect(log.entries.at(-1)).toMatchObject({ seq: missed + 1 });
    expect(log.hasOlder).toBe(true);
  });

  test('a message whose echo was lost with the socket is sent again under its client_id, and shows once', async () => {
    const t = setUpChat({ joined: ['general'] });
    const { chat } = t;
    const first = await t.connect();
    chat.send('general', 'did it arrive?');
    const [sent] = first.sentOfType('text');
    store(t, sent);
    first.drop();
    expect(chat.openPending()[0].status).toBe('unconfirmed');
    await wait(30);
    FakeWebSocket.last.accept();
    // The resend is the same message: the server answers it with the stored frame.
    const [again] = FakeWebSocket.last.sentOfType('text');
    expect(again).toEqual(sent);
    await settled();
    // Found in the catch-up by its client_id before the repeat's answer came: settled.
    expect(chat.openPending()).toEqual([]);
    live(store(t, again), FakeWebSocket.last);
    expect(chat.openLog().entries.filter((m) => m.content === 'did it arrive?')).toHaveLength(1);
    expect(t.api.messages.get('general')).toHaveLength(1);
  });

  test('a message whose echo was lost and that history lacks is sent again, and its echo settles it', async () => {
    const t = setUpChat({ joined: ['general'] });
    const { chat } = t;
    const first = await t.connect();
    chat.send('general', 'lost in transit');
    const [sent] = first.sentOfType('text');
    first.drop();
    await wait(30);
    FakeWebSocket.last.accept();
    await settled();
    expect(FakeWebSocket.last.sentOfType('text')).toEqual([sent]);
    expect(chat.openPending()[0].status).toBe('sending');
    live(store(t, sent), FakeWebSocket.last);
    expect(chat.openPending()).toEqual([]);
  });

  test('a message marked failed but in fact stored is settled by the next catch-up (no "Not delivered" for it)', async () => {
    const t = setUpChat({ joined: ['general'], ackTimeoutMs: 20 });
    const { chat } = t;
    const first = await t.connect();
    chat.send('general', 'slow server');
    await wait(40);
    expect(chat.openPending()[0].status).toBe('failed');
    store(t, first.sentOfType('text')[0]);
    first.drop();
    await wait(30);
    FakeWebSocket.last.accept();
    await settled();
    expect(chat.openPending()).toEqual([]);
    expect(chat.openLog().entries.map((m) => m.content)).toEqual(['slow server']);
  });

  test('a message without its echo in time is marked failed, and can be retried or discarded', async () => {
    const t = setUpChat({ joined: ['general'], ackTimeoutMs: 20 });
    const { chat } = t;
    const socket = await t.connect();
    chat.send('general', 'slow');
    await new Promise((resolve) => setTimeout(resolve, 40));
    const [pending] = chat.openPending();
    expect(pending.status).toBe('failed');
    chat.retry(pending.localId);
    expect(socket.sentOfType('text')).toHaveLength(2);
    chat.discard(pending.localId);
    expect(chat.openPending()).toEqual([]);
  });

  test('the server’s error frames are shown as a notice', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver({ type: 'error', content: 'not a member of room: dev' });
    expect(t.chat.notice()).toBe('not a member of room: dev');
    t.chat.dismissNotice();
    expect(t.chat.notice()).toBeNull();
  });

  test('message_updated replaces the message in place: the new text, a tombstone, reactions', async () => {
    const t = setUpChat({ joined: ['general'] });
    const first = t.api.post('general', 'teh plan');
    const socket = await t.connect();
    socket.deliver({ type: 'message_updated', message: t.api.change('general', first.id, { content: 'the plan', edited_at: new Date().toISOString() }) });
    expect(t.chat.openLog().entries).toEqual([expect.objectContaining({ id: first.id, content: 'the plan', edited_at: expect.any(String) })]);
    // An older state arriving late does not undo a newer one.
    socket.deliver({ type: 'message_updated', message: first });
    expect(t.chat.openLog().entries[0]).toMatchObject({ content: 'the plan' });
  });

  test('toggling a reaction sends react, or unreact when one has it', async () => {
    const t = setUpChat({ joined: ['general'] });
    const first = t.api.post('general', 'lunch?');
    const socket = await t.connect();
    t.chat.toggleReaction('general', first.id, '👍');
    socket.deliver({ type: 'message_updated', message: t.api.change('general', first.id, { reactions: [{ emoji: '👍', count: 1, user_ids: [ME.id] }] }) });
    t.chat.toggleReaction('general', first.id, '👍');
    const sent = [...socket.sentOfType('react'), ...socket.sentOfType('unreact')];
    expect(sent).toEqual([
      { type: 'react', id: first.id, emoji: '👍' },
      { type: 'unreact', id: first.id, emoji: '👍' },
    ]);
  });

  test('after a reconnect, edits and deletes made meanwhile show without a reload (changed_after=<last rev>)', async () => {
    const t = setUpChat({ joined: ['general'] });
    const a = t.api.post('general', 'one');
    const b = t.api.post('general', 'two');
    const first = await t.connect();
    first.drop();
    t.api.change('general', a.id, { content: 'one!', edited_at: new Date().toISOString() });
    t.api.change('general', b.id, { content: '', deleted: true });
    await wait(30);
    FakeWebSocket.last.accept();
    await settled();
    expect(t.api.calls).toContain('history general limit=' + CATCH_UP_PAGE + ' changes-since=2');
    expect(t.chat.openLog().entries.map((m) => [m.content, 'deleted' in m && m.deleted === true])).toEqual([
      ['one!', false],
      ['', true],
    ]);
  });

  test('"bob is typing…" shows for the open room until bob’s message arrives', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    socket.deliver({ type: 'typing', room: 'general', user_id: 'id-bob', username: 'bob' });
    expect(t.chat.openTyping()).toBe('bob is typing…');
    live(t.api.post('general', 'hi', 'bob', 'id-bob'), socket);
    expect(t.chat.openTyping()).toBe('');
  });

  test('typing is sent at most once every 2 s per room', async () => {
    const t = setUpChat({ joined: ['general'] });
    const socket = await t.connect();
    for (let i = 0; i < 5; i++) t.chat.typing('general');
    expect(socket.sentOfType('typing')).toEqual([{ type: 'typing', room: 'general' }]);
  });

  test('a thread opens with its replies, and a live reply joins it; replying sends text with reply_to', async () => {
    const t = setUpChat({ joined: ['general'] });
    const parent = t.api.post('general', 'question');
    const first = t.api.change('general', t.api.post('general', 'answer').id, { reply_to: parent.id });
    const socket = await t.connect();
    await t.chat.openThread('general', parent.id);
    expect(t.chat.thread()?.replies.map((m) => m.content)).toEqual(['answer']);
    expect(t.chat.threadParent()?.content).toBe('question');
    live({ ...t.api.post('general', 'second', 'bob', 'id-bob'), reply_to: parent.id }, socket);
    expect(t.chat.thread()?.replies.map((m) => m.content)).toEqual([first.content, 'second']);
    expect(t.chat.reply('me too')).toBeNull();
    expect(socket.sentOfType('text').at(-1)).toEqual({ type: 'text', room: 'general', content: 'me too', reply_to: parent.id });
  });
});
