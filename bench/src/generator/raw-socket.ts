import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { TargetAddress } from './messages';
import type { BenchSocket, FrameSink, OpenOptions } from './transports';

/** RFC 6455 §1.3: the server proves it read the key by hashing it with this GUID. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
/** The contract's welcome frame (`"type":"system"`) is how every client of the generator knows it is connected. */
export const WELCOME_MARK = Buffer.from('"type":"system"');
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Sanity bound on one frame from the server (the contract's frames are a few KB). */
const MAX_FRAME = 16 * 1024 * 1024;

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/**
 * A WebSocket client on a bare `net.Socket`: the opening handshake (status
 * 101, `Sec-WebSocket-Accept` checked against our key), unmasked server
 * frames read, masked text frames sent. It exists for the connect storm:
 * the `ws` client opens a connection through Node's whole HTTP client,
 * which costs the generator three to four times what the handshake costs
 * the server, so where generator and server share the cores a storm of `ws` clients measures the
 * generator. Every other scenario uses the `ws` client.
 */
export function openRawContract(target: TargetAddress, options: OpenOptions, sink: FrameSink): Promise<BenchSocket> {
  const key = randomBytes(16).toString('base64');
  const query = new URLSearchParams({ user_id: options.userId, username: options.username, protocol: '2' });
  const socket = connect({ host: target.host, port: target.port, localAddress: options.localAddress });
  socket.setNoDelay(true);
  let open = false;
  const bench: BenchSocket = {
    send: (frame) => {
      if (open) socket.write(maskedFrame(OPCODE_TEXT, Buffer.from(JSON.stringify(frame))));
    },
    get open() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
  };
  return new Promise<BenchSocket>((resolve, reject) => {
    let welcomed = false;
    let pending: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error('no welcome frame in time')), options.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      if (!welcomed) reject(error);
      socket.destroy();
    };
    const onFrame = (opcode: number, payload: Buffer): void => {
      if (opcode === OPCODE_CLOSE) return fail(new Error(`closed by the server${payload.length >= 2 ? ` (${payload.readUInt16BE(0)})` : ''}`));
      if (opcode === OPCODE_PING) return void socket.write(maskedFrame(OPCODE_PONG, payload));
      if (opcode !== OPCODE_TEXT) return;
      if (welcomed) return sink.raw(payload);
      if (payload.indexOf(WELCOME_MARK) < 0) return;
      welcomed = true;
      clearTimeout(timer);
      resolve(bench);
    };
    socket.on('connect', () => {
      socket.write(
        `GET /api/ws?${query} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (!open) {
        const end = pending.indexOf(HEADER_END);
        if (end < 0) return;
        const problem = checkHandshake(pending.subarray(0, end).toString('latin1'), key);
        if (problem) return fail(new Error(problem));
        open = true;
        pending = pending.subarray(end + HEADER_END.length);
      }
      try {
        pending = readFrames(pending, onFrame);
      } catch (error) {
        fail(error as Error);
      }
    });
    socket.on('error', (error) => fail(error));
    socket.on('close', () => {
      open = false;
      if (welcomed) sink.closed();
      else fail(new Error('closed before the welcome frame'));
    });
  });
}

/** undefined when the response accepts the upgrade for `key`, else what is wrong. */
export function checkHandshake(head: string, key: string): string | undefined {
  const [status, ...lines] = head.split('\r\n');
  const code = /^HTTP\/1\.1 (\d{3})/.exec(status)?.[1];
  if (code !== '101') return `HTTP ${code ?? '?'} on upgrade`;
  const accept = lines.find((line) => line.toLowerCase().startsWith('sec-websocket-accept:'));
  if (!accept || accept.slice(accept.indexOf(':') + 1).trim() !== acceptFor(key)) return 'wrong Sec-WebSocket-Accept';
  return undefined;
}

/** Calls `onFrame` for each whole frame in `data`; returns the bytes of an incomplete last one. */
export function readFrames(data: Buffer, onFrame: (opcode: number, payload: Buffer) => void): Buffer {
  let at = 0;
  while (data.length - at >= 2) {
    const first = data[at];
    const second = data[at + 1];
    if ((first & 0x80) === 0) throw new Error('fragmented frames are not expected from the server');
    if (second & 0x80) throw new Error('a server frame must not be masked');
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      if (data.length - at < 4) break;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (data.length - at < 10) break;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes`);
    if (data.length - at < header + length) break;
    onFrame(first & 0x0f, data.subarray(at + header, at + header + length));
    at += header + length;
  }
  return at === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
}

/** A final client frame: RFC 6455 requires the client to mask what it sends. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

