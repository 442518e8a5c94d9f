/**
 * The machine's floor for an HTTP read: a bare `node:http` server that
 * answers every request with one constant JSON body and does nothing else.
 * The history and `changed_after` reads are measured against it with the same
 * client, so a p99 target over HTTP can be told apart from what any Node
 * server gets on the machine. Tells its parent its port over IPC.
 */
import { createServer } from 'node:http';

const BODY = Buffer.from('{"status":"ok"}');
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': BODY.length });
  response.end(BODY);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
