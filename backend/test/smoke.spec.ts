import { TestServer } from './harness';

describe('smoke', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.close());

  it('answers health', async () => {
    expect(await server.http('GET', '/api/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('delivers a room message to the sender', async () => {
    const a = await server.connect('a', 'Alice');
    await a.join('general');
    a.send({ type: 'text', content: 'hi', room: 'general' });
    expect(await a.next((f) => f.type === 'text')).toMatchObject({ content: 'hi', sender: 'Alice' });
    await a.close();
  });
});
