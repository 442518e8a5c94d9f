import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Nest's Express adapter, with requests and responses born with Express's
 * prototypes.
 *
 * Express 5 gives every request and response its own prototype
 * (`Object.setPrototypeOf(req, app.request)`, the same for `res`). Changing
 * the prototype of a live object is slow in V8, and, as measured here, makes
 * the young generation keep what the request references: in a one-route
 * Express app under load every other scavenge promoted 2–6 MB and paused for
 * 2–4 ms, against 0.2 ms and nothing promoted when the objects already have
 * the right prototype (see docs/benchmarks.md, "Fifth round"). Node lets
 * the server build them from our own constructors, whose prototypes are
 * Express's: the setPrototypeOf then changes nothing.
 */
export class ChatExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // ChatStream serves plain HTTP behind its proxy (docs/operations.md); other setups keep Nest's own server.
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.httpServer = createServer({ IncomingMessage: bornWith(IncomingMessage, app.request), ServerResponse: bornWith(ServerResponse, app.response) }, app);
  }
}

/**
 * A constructor that runs `base` (one of Node's plain constructor functions:
 * IncomingMessage, ServerResponse) on objects whose prototype is
 * `prototype`. (Reflect.construct with a new.target measured worse: it
 * promoted as setPrototypeOf does.) Every request of the integration specs
 * goes through it.
 */
function bornWith<T>(base: T, prototype: object): T {
  const construct = base as unknown as (this: object, ...args: unknown[]) => void;
  function Prototyped(this: object, ...args: unknown[]): void {
    construct.apply(this, args);
  }
  Prototyped.prototype = prototype;
  return Prototyped as unknown as T;
}
