import { DIALECTS, type TestDatabase } from './databases';
import { TestServer, isError, type Client } from './harness';
import type { Credentials } from './accounts';
import type { AnyFrame } from './ws-helpers';

let names = 0;
const name = (prefix: string) => `${prefix}${++names}${Math.random().toString(36).slice(2, 6)}`;

type Person = Credentials & { ws: Client };

/** Contract `GET /api/search` over real HTTP and ws, on both engines. */
describe.each(DIALECTS)('search on %s', (_dialect, create) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Client[] = [];
  let ann: Person;
  let bob: Person;
  let eve: Person;
  let room: string;
  /** Every spec's words carry this, so specs never find each other's messages. */
  let tag: string;

  beforeAll(async () => {
    database = await create();
    const storage = database.dialect === 'sqlite' ? { dataDir: database.dataDir } : { databaseUrl: database.databaseUrl };
    server = await TestServer.start({ auth: 'accounts', ...storage });
    ann = await person('ann');
    bob = await person('bob');
    eve = await person('eve');
    room = (await server.request('POST', '/api/rooms', { bearer: ann.token, body: { name: name('search') } })).body.room.id;
    for (const p of [ann, bob, eve]) await p.ws.join(room);
  });
  beforeEach(() => {
    tag = `t${Math.random().toString(36).slice(2, 8)}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await database.drop();
  });

  async function person(prefix: string): Promise<Person> {
    const credentials = await server.register(name(prefix));
    const ws = await server.connectWith(credentials);
    clients.push(ws);
    return { ...credentials, ws };
  }

  async function say(who: Person, content: string, where: { room?: string; recipient?: string } = { room }): Promise<AnyFrame> {
    who.ws.send({ type: 'text', ...where, content });
    return who.ws.next<AnyFrame>((f) => ((f.type === 'text' || f.type === 'private') && f.content === content) || isError(f));
  }

  async function search(who: Person, params: Record<string, string>): Promise<{ status: number; body: AnyFrame }> {
    return server.request('GET', `/api/search?${new URLSearchParams(params)}`, { bearer: who.token });
  }

  const contents = async (who: Person, q: string, extra: Record<string, string> = {}) =>
    (await search(who, { q, ...extra })).body.messages.map((m: AnyFrame) => m.content);

  it('every word matches as a prefix, case aside, newest first, with highlights of the matched words', async () => {
    await say(ann, `${tag} Deployment finished`);
    await say(bob, `${tag} the DEPLOY went well`);
    await say(bob, `${tag} nothing to see`);
    const { status, body } = await search(eve, { q: `${tag} deplo` });
    expect(status).toBe(200);
    expect(body.messages.map((m: AnyFrame) => m.content)).toEqual([`${tag} the DEPLOY went well`, `${tag} Deployment finished`]);
    const [newest] = body.messages;
    expect(newest).toMatchObject({ type: 'text', room, sender_id: bob.user.id, deleted: false });
    expect(newest.highlights.map(([start, end]: [number, number]) => newest.content.slice(start, end))).toEqual([tag, 'DEPLOY']);
  });

  it('accents do not matter either way: café finds cafe and cafe finds café', async () => {
    await say(ann, `${tag} meet at the café`);
    await say(bob, `${tag} the cafe is closed`);
    expect(await contents(eve, `${tag} café`)).toEqual([`${tag} the cafe is closed`, `${tag} meet at the café`]);
    expect(await contents(eve, `${tag} CAFE`)).toHaveLength(2);
    const [found] = (await search(eve, { q: `${tag} cafe`, limit: '1' })).body.messages;
    expect(found.highlights.map(([s, e]: [number, number]) => found.content.slice(s, e))).toEqual([tag, 'cafe']);
    const accented = (await search(eve, { q: `${tag} cafe` })).body.messages[1];
    expect(accented.highlights.map(([s, e]: [number, number]) => accented.content.slice(s, e))).toEqual([tag, 'café']);
  });

  it('several words must all match, in any order', async () => {
    await say(ann, `${tag} red apple pie`);
    await say(ann, `${tag} green apple`);
    await say(ann, `${tag} red car`);
    expect(await contents(eve, `${tag} pie red`)).toEqual([`${tag} red apple pie`]);
    expect(await contents(eve, `${tag} app re`)).toEqual([`${tag} red apple pie`]);
  });

  it("another pair's private message never appears; one's own conversations do", async () => {
    await say(ann, `${tag} secret plan`, { recipient: bob.user.id });
    await say(ann, `${tag} public plan`);
    expect(await contents(eve, `${tag} plan`)).toEqual([`${tag} public plan`]);
    expect(await contents(bob, `${tag} plan`)).toEqual([`${tag} public plan`, `${tag} secret plan`]);
    expect(await contents(ann, `${tag} secret`)).toEqual([`${tag} secret plan`]);
    // Narrowing to a room never widens what one may read.
    expect(await contents(eve, `${tag} secret`, { room })).toEqual([]);
  });

  it('an edit is found by its new words only, at once; a deleted message is never found', async () => {
    const edited = await say(ann, `${tag} typo here`);
    const deleted = await say(ann, `${tag} regret this`);
    ann.ws.send({ type: 'edit', id: edited.id, content: `${tag} fixed here` });
    await ann.ws.next((f) => f.type === 'message_updated' && (f as AnyFrame).message.id === edited.id);
    ann.ws.send({ type: 'delete', id: deleted.id });
    await ann.ws.next((f) => f.type === 'message_updated' && (f as AnyFrame).message.id === deleted.id);
    expect(await contents(eve, `${tag} typo`)).toEqual([]);
    expect(await contents(eve, `${tag} fixed`)).toEqual([`${tag} fixed here`]);
    expect(await contents(eve, `${tag} regret`)).toEqual([]);
    expect(await contents(eve, tag)).toEqual([`${tag} fixed here`]);
  });

  it('quotes and search operators are plain text: no error, no syntax', async () => {
    await say(ann, `${tag} NEAR the door`);
    await say(ann, `${tag} door: open`);
    for (const q of [`${tag} "door`, `${tag} door*`, `${tag} NEAR(door)`, `${tag} -door`, `${tag} door:`, `${tag} "door" OR "x"`, `${tag} ' & | ! :*`]) {
      const { status } = await search(eve, { q });
      expect([q, status]).toEqual([q, 200]);
    }
    expect(await contents(eve, `${tag} near`)).toEqual([`${tag} NEAR the door`]);
    // `OR` is a word here, not an operator: no message has it.
    expect(await contents(eve, `${tag} "door" OR "x"`)).toEqual([]);
    expect(await contents(eve, `${tag} -door`)).toEqual([`${tag} door: open`, `${tag} NEAR the door`]);
    expect(await contents(eve, '"*:-')).toEqual([]);
  });

  it('room narrows to one room; before pages by id; limit bounds the page', async () => {
    const other = (await server.request('POST', '/api/rooms', { bearer: ann.token, body: { name: name('other') } })).body.room.id;
    await ann.ws.join(other);
    for (let i = 1; i <= 5; i++) await say(ann, `${tag} page ${i}`);
    await say(ann, `${tag} page elsewhere`, { room: other });
    expect(await contents(eve, `${tag} page`, { room: other })).toEqual([`${tag} page elsewhere`]);
    const first = (await search(eve, { q: `${tag} page`, room, limit: '2' })).body.messages;
    expect(first.map((m: AnyFrame) => m.content)).toEqual([`${tag} page 5`, `${tag} page 4`]);
    const next = await contents(eve, `${tag} page`, { room, limit: '2', before: first[1].id });
    expect(next).toEqual([`${tag} page 3`, `${tag} page 2`]);
    expect(await contents(eve, `${tag} page`, { room: 'no-such-room' })).toEqual([]);
  });

  it('bad queries are 400 with the error shape', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /q must be a string/],
      [{ q: '' }, /q must not be empty/],
      [{ q: '   ' }, /q must not be empty/],
      [{ q: 'a'.repeat(201) }, /at most 200/],
      [{ q: 'x', limit: '0' }, /limit must be an integer from 1 to 50/],
      [{ q: 'x', limit: '51' }, /limit must be an integer from 1 to 50/],
      [{ q: 'x', limit: 'ten' }, /limit must be an integer from 1 to 50/],
      [{ q: 'x', before: 'no-such-message' }, /before/],
    ];
    for (const [params, reason] of cases) {
      const { status, body } = await search(eve, params);
      expect([params, status]).toEqual([params, 400]);
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(body.message)).toMatch(reason);
    }
    expect((await search(eve, { q: 'a'.repeat(200) })).status).toBe(200);
    // A pasted sentence of many words is a query like any other (the contract limits only its length).
    expect((await search(eve, { q: 'we could meet at the cafe near the station after the long planning day' })).status).toBe(200);
    expect((await server.request('GET', '/api/search?q=x')).status).toBe(401);
  });
});
