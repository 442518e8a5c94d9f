import type { Express, Request, Response } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatExpressAdapter } from './express-adapter';

describe('ChatExpressAdapter', () => {
  let server: Server;
  let app: Express;
  const born: Array<{ request: boolean; response: boolean }> = [];

  beforeAll(async () => {
    const sut = new ChatExpressAdapter();
    sut.initHttpServer({});
    app = sut.getInstance<Express>();
    server = sut.getHttpServer() as Server;
    // Runs before Express's own handler: what Node built, before Express touched it.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      born.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
    });
    app.get('/echo', (req: Request, res: Response) => res.status(201).json({ query: req.query.q, host: req.hostname }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('builds every request and response with the prototypes Express gives them', async () => {
    const { port } = server.address() as AddressInfo;
    for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/echo`);
    expect(born).toHaveLength(3);
    expect(born.every((b) => b.request && b.response)).toBe(true);
  });

  it('still answers through Express: routing, query, status and JSON body', async () => {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/echo?q=hello`);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ query: 'hello', host: '127.0.0.1' });
  });
});
