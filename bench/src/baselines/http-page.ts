/**
 * The simplest program that answers the same history reads: a bare
 * `node:http` server over the same SQLite file (better-sqlite3, read-only),
 * running the queries ChatStream's repository runs on the same indexes and
 * answering `{"messages": [...rows]}`, the rows as SQLite returns them. No
 * framework, no access check, no validation beyond reading the numbers, no
 * mapping to the wire shape. It is what a history page costs on the machine
 * before anything ChatStream adds: the large-history and changed_after reads
 * run their pages against it with the same client and load, after
 * ChatStream has stopped. DATA_DIR names the database; READER_ID is who
 * reads private history (it has no sessions: the bench tells it); the port
 * goes to the parent over IPC.
 *
 *   GET /api/rooms/:id/messages?limit=N                   newest page
 *   GET /api/rooms/:id/messages?limit=N&before=<id>       page before a message
 *   GET /api/rooms/:id/messages?limit=N&changed_after=<rev>
 *   GET /api/conversations/:userId/messages?limit=N[&before=<id>]
 */
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backendStorage } from '../backend-storage';

const db = new Database(join(process.env.DATA_DIR ?? '.', 'chatstream.sqlite'), { readonly: true, fileMustExist: true });
const newest = db.prepare('select * from messages where room_id = ? order by seq desc limit ?');
const before = db.prepare('select * from messages where room_id = ? and seq < (select seq from messages where id = ? and room_id = ?) order by seq desc limit ?');
const changed = db.prepare('select * from messages where room_id = ? and rev > ? order by rev limit ?');
const privateNewest = db.prepare('select * from messages where conversation_id = ? order by seq desc limit ?');
const privateBefore = db.prepare(
  'select * from messages where conversation_id = ? and seq < (select seq from messages where id = ? and conversation_id = ?) order by seq desc limit ?',
);
const PAGE = /^\/api\/(rooms|conversations)\/([^/?]+)\/messages$/;
const reader = process.env.READER_ID ?? '';
const { conversationKey } = backendStorage();

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = PAGE.exec(url.pathname);
  if (!match) return answer(response, 404, '{"error":"not a history page"}');
  const id = decodeURIComponent(match[2]);
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const anchor = url.searchParams.get('before');
  const rev = url.searchParams.get('changed_after');
  let rows: unknown[];
  if (match[1] === 'conversations') {
    const conversation = conversationKey(reader, id);
    rows = (anchor !== null ? privateBefore.all(conversation, anchor, conversation, limit) : privateNewest.all(conversation, limit)).reverse();
  } else {
    rows = rev !== null ? changed.all(id, Number(rev), limit) : anchor !== null ? before.all(id, anchor, id, limit).reverse() : newest.all(id, limit).reverse();
  }
  answer(response, 200, JSON.stringify({ messages: rows }));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
